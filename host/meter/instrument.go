package meter

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Options selects what Instrument adds.
//
// In yield mode (YieldModule not empty) running out of fuel calls the yield
// import. In trap mode (YieldModule empty) it executes unreachable, and every
// exported function is replaced by a wrapper of the same type that sets the
// fuel to Fuel and calls the original; internal calls keep calling the
// original, so they do not reset the fuel.
type Options struct {
	// YieldModule and YieldName name the imported function added in yield
	// mode, of type () -> (i32). When the fuel runs out, the instrumented code
	// calls it and stores its result as the new fuel.
	YieldModule, YieldName string

	// Fuel is the initial value of the counter in both modes, e.g. 20000. It
	// must be positive.
	Fuel int32

	// VirtualMemory, in yield mode only, also imports MemorySizeName and
	// MemoryGrowName from YieldModule, right after the yield function, and
	// replaces every memory.size and memory.grow with a call to them, so
	// that the host decides the memory size the guest sees (see the package
	// documentation). Defined function indices then shift by three. The
	// module must define exactly one memory and import none.
	VirtualMemory bool

	// ExportGlobals also exports every defined global, the fuel included, as
	// "wasmcp.global.<index>", with the decimal index in the final global
	// index space.
	ExportGlobals bool
}

// yieldTypeRaw is the canonical encoding of the type () -> (i32).
var yieldTypeRaw = []byte{0x60, 0x00, 0x01, 0x7f}

// GlobalExportName returns the name under which ExportGlobals exports global
// idx, for a host that reads or restores the globals of an instance.
func GlobalExportName(idx uint32) string {
	return "wasmcp.global." + strconv.FormatUint(uint64(idx), 10)
}

func (o *Options) validate() error {
	if o.Fuel <= 0 {
		return fmt.Errorf("meter: Options.Fuel must be positive, got %d", o.Fuel)
	}
	if !utf8.ValidString(o.YieldModule) || !utf8.ValidString(o.YieldName) {
		return fmt.Errorf("meter: yield import names must be valid UTF-8")
	}
	if o.VirtualMemory && o.YieldModule == "" {
		return fmt.Errorf("meter: Options.VirtualMemory requires yield mode (Options.YieldModule)")
	}
	return nil
}

// instrumenter holds the state of one Instrument call.
type instrumenter struct {
	m        *module
	o        Options
	yield    bool
	shift    uint32 // how far defined function indices move in yield mode
	fuel     uint32 // index of the fuel global
	check    []byte // the check sequence
	wrappers map[uint32]uint32
	wrapped  []uint32 // exported functions in wrapper order
}

// remap returns the final index of original function idx: defined functions
// shift by the number of imports yield mode adds.
func (in *instrumenter) remap(idx uint32) uint32 {
	if in.yield && idx >= in.m.nFuncImports {
		return idx + in.shift
	}
	return idx
}

// origWalker returns a walker bounded by the original index spaces that
// splices remapped function indices into sp.
func (in *instrumenter) origWalker(sp *splicer) *walker {
	m := in.m
	return &walker{
		nTypes: uint32(len(m.types)), nFuncs: m.nFuncs(), nGlobals: m.nGlobals(),
		onFunc: func(start, end int, idx uint32) error {
			if n := in.remap(idx); n != idx {
				sp.replace(start, end, appendU32(nil, n))
			}
			return nil
		},
	}
}

// Instrument returns a copy of wasm with the fuel counter added as described
// in the package documentation. It never modifies wasm. Modules using features
// it does not handle are refused with an error wrapping ErrUnsupported;
// malformed modules with a plain error.
func Instrument(wasm []byte, o Options) ([]byte, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	m, err := parseModule(wasm)
	if err != nil {
		return nil, err
	}
	in := &instrumenter{m: m, o: o, yield: o.YieldModule != "", fuel: m.nGlobals(),
		shift: uint32(len(addedImports(o)))}
	newp := map[byte][]byte{}

	yieldIdx := int64(-1)
	if in.yield {
		if o.VirtualMemory {
			if err := checkMemories(m); err != nil {
				return nil, err
			}
		}
		yieldIdx = int64(m.nFuncImports)
		in.addImports(newp)
	} else {
		in.wrappers = map[uint32]uint32{}
		for _, e := range m.exports {
			if _, ok := in.wrappers[e.idx]; e.kind == kindFunc && !ok {
				in.wrappers[e.idx] = m.nFuncs() + uint32(len(in.wrapped))
				in.wrapped = append(in.wrapped, e.idx)
			}
		}
		if len(in.wrapped) > 0 {
			var types []byte
			for _, f := range in.wrapped {
				types = appendU32(types, m.funcTypeIdx(f))
			}
			newp[secFunction] = extendVector(in.payload(secFunction), uint32(len(m.funcs)), uint32(len(in.wrapped)), types)
		}
	}
	in.check = checkSequence(in.fuel, yieldIdx)

	if newp[secGlobal], err = in.globals(); err != nil {
		return nil, err
	}
	if newp[secExport], err = in.exports(); err != nil {
		return nil, err
	}
	if m.start >= 0 {
		newp[secStart] = appendU32(nil, in.remap(uint32(m.start)))
	}
	for _, s := range m.sections {
		switch s.id {
		case secElement:
			sp := &splicer{src: s.payload}
			if err := walkElements(&reader{b: s.payload, base: s.off}, in.origWalker(sp)); err != nil {
				return nil, err
			}
			newp[secElement] = sp.finish(len(s.payload))
		case secData:
			// Data offsets are i32 expressions: validated, copied unchanged.
			w := &walker{nTypes: uint32(len(m.types)), nFuncs: m.nFuncs(), nGlobals: m.nGlobals()}
			if err := walkData(&reader{b: s.payload, base: s.off}, w); err != nil {
				return nil, err
			}
		}
	}
	if len(in.wrapped) > 0 {
		// Exports declare functions for ref.func; keep the originals declared
		// now that the exports point to the wrappers.
		entry := append(appendU32(nil, 3), 0x00)
		entry = appendU32(entry, uint32(len(in.wrapped)))
		for _, f := range in.wrapped {
			entry = appendU32(entry, f)
		}
		old := newp[secElement]
		n := uint32(0)
		if len(old) > 0 {
			n, _ = (&reader{b: old}).u32() // validated by walkElements
		}
		newp[secElement] = extendVector(old, n, 1, entry)
	}
	if newp[secCode], err = in.code(); err != nil {
		return nil, err
	}
	return in.assemble(newp), nil
}

// payload returns the payload of the section with the given id, or nil.
func (in *instrumenter) payload(id byte) []byte {
	for _, s := range in.m.sections {
		if s.id == id {
			return s.payload
		}
	}
	return nil
}

// globals returns the global section with remapped initialisers and the fuel.
func (in *instrumenter) globals() ([]byte, error) {
	m := in.m
	out := appendU32(nil, uint32(len(m.globals))+1)
	for _, g := range m.globals {
		out = append(out, g.valType, g.mut)
		sp := &splicer{src: g.init}
		if err := in.origWalker(sp).expr(&reader{b: g.init, base: g.initOff}); err != nil {
			return nil, err
		}
		out = append(out, sp.finish(len(g.init))...)
	}
	out = append(out, 0x7f, 0x01)
	return append(out, fuelInit(in.o.Fuel)...), nil
}

// exports returns the export section, pointing functions at their final
// index or wrapper and adding the global exports.
func (in *instrumenter) exports() ([]byte, error) {
	m := in.m
	var entries []byte
	n := uint32(len(m.exports))
	names := make(map[string]bool, n)
	for _, e := range m.exports {
		names[e.name] = true
		idx := e.idx
		if e.kind == kindFunc {
			if in.yield {
				idx = in.remap(idx)
			} else {
				idx = in.wrappers[idx]
			}
		}
		entries = appendU32(append(appendName(entries, e.name), e.kind), idx)
	}
	if in.o.ExportGlobals {
		for g := m.nGlobalImports; g <= in.fuel; g++ {
			name := GlobalExportName(g)
			if names[name] {
				return nil, unsupported("module already exports %q", name)
			}
			entries = appendU32(append(appendName(entries, name), kindGlobal), g)
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	return append(appendU32(nil, n), entries...), nil
}

// code returns the code section with instrumented bodies and the wrappers.
func (in *instrumenter) code() ([]byte, error) {
	m := in.m
	n := uint32(len(m.bodies) + len(in.wrapped))
	if n == 0 {
		return nil, nil
	}
	out := appendU32(nil, n)
	for i, b := range m.bodies {
		nb, err := in.body(b)
		if err != nil {
			return nil, fmt.Errorf("meter: function %d: %w", m.nFuncImports+uint32(i), err)
		}
		out = append(appendU32(out, uint32(len(nb))), nb...)
	}
	for _, f := range in.wrapped {
		nParams := len(m.types[m.funcTypeIdx(f)].params)
		wb := wrapperBody(in.fuel, in.o.Fuel, nParams, f)
		out = append(appendU32(out, uint32(len(wb))), wb...)
	}
	return out, nil
}

// body returns the instrumented code entry for b.
func (in *instrumenter) body(b body) ([]byte, error) {
	sp := &splicer{src: b.raw, out: make([]byte, 0, len(b.raw)+2*len(in.check))}
	sp.replace(b.exprAt, b.exprAt, in.check)
	w := in.origWalker(sp)
	w.onLoop = func(pos int) (int, error) {
		sp.replace(pos, pos, in.check)
		return 0, nil
	}
	if in.o.VirtualMemory {
		w.onMemOp = func(op byte, at int) error {
			sp.replace(at, at+2, in.memOpCall(op))
			return nil
		}
	}
	r := &reader{b: b.raw, pos: b.exprAt, base: b.off}
	if err := w.expr(r); err != nil {
		return nil, err
	}
	if !r.eof() {
		return nil, r.errorf("%d bytes after the end of the function body", r.remaining())
	}
	return sp.finish(len(b.raw)), nil
}

// order lists the non-custom section ids in the order the binary requires.
var order = []byte{secType, secImport, secFunction, secTable, secMemory, secGlobal,
	secExport, secStart, secElement, secDataCount, secCode, secData}

// assemble writes the module: original sections in place (custom ones
// unchanged, the name section dropped in yield mode), with rewritten payloads
// from newp, and new sections inserted where the order requires them.
func (in *instrumenter) assemble(newp map[byte][]byte) []byte {
	present := map[byte]bool{}
	for _, s := range in.m.sections {
		present[s.id] = true
	}
	out := append([]byte{}, wasmHeader...)
	added := map[byte]bool{}
	addMissing := func(before int) {
		for _, id := range order {
			if rank(id) < before && !present[id] && !added[id] && newp[id] != nil {
				out = appendSection(out, id, newp[id])
				added[id] = true
			}
		}
	}
	for _, s := range in.m.sections {
		if s.id == secCustom {
			if !(in.yield && s.name == "name") {
				out = appendSection(out, s.id, s.payload)
			}
			continue
		}
		addMissing(rank(s.id))
		p := s.payload
		if np, ok := newp[s.id]; ok && np != nil {
			p = np
		}
		out = appendSection(out, s.id, p)
	}
	addMissing(100)
	return out
}
