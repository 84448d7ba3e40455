package meter

// maxLocals bounds the locals of one function, as in V8. wazero v1.9.0
// allocates the declared local count up front (up to 4 GiB per function), so
// the limit also keeps a hostile module from exhausting host memory.
const maxLocals = 50000

// checkNameSection validates the subsections of the custom "name" section that
// wazero decodes (module, function and local names) and requires each of them
// to span exactly its declared size. wazero v1.9.0 preallocates name maps
// from the counts it reads, so unchecked counts let a tiny module make the
// host allocate gigabytes; checked counts are bounded by the section size.
func checkNameSection(r *reader) error {
	for !r.eof() {
		id, err := r.readByte()
		if err != nil {
			return err
		}
		size, err := r.u32()
		if err != nil {
			return err
		}
		sr, err := r.sub(size)
		if err != nil {
			return err
		}
		switch id {
		case 0: // module name
			_, err = sr.name()
		case 1: // function names
			err = nameMap(sr)
		case 2: // local names
			var n uint32
			if n, err = sr.count(2); err == nil {
				for i := uint32(0); i < n && err == nil; i++ {
					if _, err = sr.u32(); err == nil {
						err = nameMap(sr)
					}
				}
			}
		default: // skipped by wazero too
			sr.pos = len(sr.b)
		}
		if err != nil {
			return err
		}
		if !sr.eof() {
			return sr.errorf("%d trailing bytes in name subsection %d", sr.remaining(), id)
		}
	}
	return nil
}

// nameMap reads a vector of index and name pairs.
func nameMap(r *reader) error {
	n, err := r.count(2)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		if _, err := r.u32(); err != nil {
			return err
		}
		if _, err := r.name(); err != nil {
			return err
		}
	}
	return nil
}
