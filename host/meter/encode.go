package meter

// checkSequence returns the fuel check inserted at function entries and loop
// headers. yieldIdx < 0 selects trap mode.
func checkSequence(fuel uint32, yieldIdx int64) []byte {
	b := make([]byte, 0, 32)
	b = appendU32(append(b, opGlobalGet), fuel)
	b = append(b, opI32Const, 1, opI32Sub)
	b = appendU32(append(b, opGlobalSet), fuel)
	b = appendU32(append(b, opGlobalGet), fuel)
	b = append(b, opI32Const, 0, opI32LeS, opIf, blockEmpty)
	if yieldIdx < 0 {
		b = append(b, opUnreachable)
	} else {
		b = appendU32(append(b, opCall), uint32(yieldIdx))
		b = appendU32(append(b, opGlobalSet), fuel)
	}
	return append(b, opEnd)
}

// wrapperBody returns the code entry contents (locals and expression) of a
// trap-mode wrapper that resets the fuel and calls callee with nParams params.
func wrapperBody(fuel uint32, initial int32, nParams int, callee uint32) []byte {
	b := []byte{0} // no locals
	b = appendS32(append(b, opI32Const), initial)
	b = appendU32(append(b, opGlobalSet), fuel)
	for i := 0; i < nParams; i++ {
		b = appendU32(append(b, opLocalGet), uint32(i))
	}
	b = appendU32(append(b, opCall), callee)
	return append(b, opEnd)
}

// fuelInit returns the constant expression that initialises the fuel global.
func fuelInit(initial int32) []byte {
	return append(appendS32([]byte{opI32Const}, initial), opEnd)
}

// appendSection appends a section with its recomputed size.
func appendSection(out []byte, id byte, payload []byte) []byte {
	out = append(out, id)
	out = appendU32(out, uint32(len(payload)))
	return append(out, payload...)
}

// extendVector returns a vector section payload made of the n existing
// entries in old (whose count LEB is skipped) followed by k new entries.
func extendVector(old []byte, n, k uint32, entries []byte) []byte {
	rest := old
	if len(old) > 0 {
		r := &reader{b: old}
		if _, err := r.u32(); err == nil { // old was validated by parseModule
			rest = old[r.pos:]
		}
	}
	out := appendU32(make([]byte, 0, len(rest)+len(entries)+5), n+k)
	out = append(out, rest...)
	return append(out, entries...)
}

// splicer rebuilds a byte slice from src, replacing or inserting bytes at
// increasing positions.
type splicer struct {
	src  []byte
	out  []byte
	last int
}

// replace copies src up to start, then repl, and skips src[start:end].
func (s *splicer) replace(start, end int, repl []byte) {
	s.out = append(s.out, s.src[s.last:start]...)
	s.out = append(s.out, repl...)
	s.last = end
}

// finish copies the rest of src up to end and returns the result.
func (s *splicer) finish(end int) []byte {
	s.out = append(s.out, s.src[s.last:end]...)
	s.last = end
	return s.out
}
