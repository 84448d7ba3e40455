package meter

// Decoders of the individual known sections; see parseModule.

func (m *module) parseTypes(r *reader) error {
	n, err := r.count(3)
	if err != nil {
		return err
	}
	m.types = make([]funcType, 0, n)
	for i := uint32(0); i < n; i++ {
		start := r.pos
		form, err := r.readByte()
		if err != nil {
			return err
		}
		if form != 0x60 {
			return unsupported("type form 0x%02x (GC) at offset %d", form, r.offset()-1)
		}
		var ft funcType
		for _, dst := range []*[]byte{&ft.params, &ft.results} {
			k, err := r.count(1)
			if err != nil {
				return err
			}
			*dst = make([]byte, 0, k)
			for j := uint32(0); j < k; j++ {
				v, err := valType(r)
				if err != nil {
					return err
				}
				*dst = append(*dst, v)
			}
		}
		ft.raw = r.b[start:r.pos]
		m.types = append(m.types, ft)
	}
	return nil
}

// limits reads table or memory limits, refusing memory64, shared memories and
// other flags.
func limits(r *reader, memory bool) error {
	flags, err := r.readByte()
	if err != nil {
		return err
	}
	if flags&0x04 != 0 {
		return unsupported("64-bit limits (memory64) at offset %d", r.offset()-1)
	}
	if flags&0x02 != 0 && memory {
		return unsupported("shared memory (threads) at offset %d", r.offset()-1)
	}
	if flags > 1 {
		return unsupported("limits flags 0x%02x at offset %d", flags, r.offset()-1)
	}
	n := 1 + int(flags)
	return u32s(r, n)
}

func tableType(r *reader) error {
	if r.pos < len(r.b) && r.b[r.pos] == 0x40 {
		return unsupported("table with initializer (typed function references) at offset %d", r.offset())
	}
	t, err := valType(r)
	if err != nil {
		return err
	}
	if t != 0x70 && t != 0x6f {
		return r.errorf("table element type 0x%02x is not a reference type", t)
	}
	return limits(r, false)
}

func (m *module) parseImports(r *reader) error {
	n, err := r.count(4)
	if err != nil {
		return err
	}
	m.imports = make([]importEntry, 0, n)
	for i := uint32(0); i < n; i++ {
		var im importEntry
		if im.module, err = r.name(); err != nil {
			return err
		}
		if im.name, err = r.name(); err != nil {
			return err
		}
		if im.kind, err = r.readByte(); err != nil {
			return err
		}
		switch im.kind {
		case kindFunc:
			if im.typeIdx, err = r.u32(); err != nil {
				return err
			}
			if im.typeIdx >= uint32(len(m.types)) {
				return r.errorf("imported function type index %d out of range", im.typeIdx)
			}
			m.nFuncImports++
		case kindTable:
			err = tableType(r)
		case kindMemory:
			err = limits(r, true)
			m.nMemImports++
		case kindGlobal:
			if _, err = valType(r); err == nil {
				err = mutability(r)
			}
			m.nGlobalImports++
		case 4:
			return unsupported("tag import (exception handling) at offset %d", r.offset()-1)
		default:
			return r.errorf("unknown import kind %d", im.kind)
		}
		if err != nil {
			return err
		}
		m.imports = append(m.imports, im)
	}
	return nil
}

func mutability(r *reader) error {
	c, err := r.readByte()
	if err != nil {
		return err
	}
	if c > 1 {
		return r.errorf("invalid global mutability 0x%02x", c)
	}
	return nil
}

// constWalker returns a walker for constant expressions of the original module.
func (m *module) constWalker(nGlobals uint32) *walker {
	return &walker{nTypes: uint32(len(m.types)), nFuncs: m.nFuncs(), nGlobals: nGlobals}
}

func (m *module) parseGlobals(r *reader) error {
	n, err := r.count(3)
	if err != nil {
		return err
	}
	w := m.constWalker(m.nGlobalImports + n)
	m.globals = make([]global, 0, n)
	for i := uint32(0); i < n; i++ {
		var g global
		if g.valType, err = valType(r); err != nil {
			return err
		}
		if g.mut, err = r.readByte(); err != nil {
			return err
		}
		if g.mut > 1 {
			return r.errorf("invalid global mutability 0x%02x", g.mut)
		}
		start := r.pos
		if err := w.expr(r); err != nil {
			return err
		}
		g.init, g.initOff = r.b[start:r.pos], r.base+start
		m.globals = append(m.globals, g)
	}
	return nil
}

func (m *module) parseExports(r *reader) error {
	n, err := r.count(3)
	if err != nil {
		return err
	}
	m.exports = make([]export, 0, n)
	for i := uint32(0); i < n; i++ {
		var e export
		if e.name, err = r.name(); err != nil {
			return err
		}
		if e.kind, err = r.readByte(); err != nil {
			return err
		}
		if e.idx, err = r.u32(); err != nil {
			return err
		}
		switch {
		case e.kind == kindFunc && e.idx >= m.nFuncs():
			return r.errorf("exported function index %d out of range", e.idx)
		case e.kind == kindGlobal && e.idx >= m.nGlobals():
			return r.errorf("exported global index %d out of range", e.idx)
		case e.kind == 4:
			return unsupported("tag export (exception handling) at offset %d", r.offset())
		case e.kind > 4:
			return r.errorf("unknown export kind %d", e.kind)
		}
		m.exports = append(m.exports, e)
	}
	return nil
}

func (m *module) parseCode(r *reader) error {
	n, err := r.count(2)
	if err != nil {
		return err
	}
	if n != uint32(len(m.funcs)) {
		return r.errorf("%d code entries but %d function declarations", n, len(m.funcs))
	}
	m.bodies = make([]body, 0, n)
	for i := uint32(0); i < n; i++ {
		size, err := r.u32()
		if err != nil {
			return err
		}
		br, err := r.sub(size)
		if err != nil {
			return err
		}
		decls, err := br.count(2)
		if err != nil {
			return err
		}
		total := uint64(0)
		for j := uint32(0); j < decls; j++ {
			k, err := br.u32()
			if err != nil {
				return err
			}
			if total += uint64(k); total > maxLocals {
				return br.errorf("function %d declares more than %d locals", m.nFuncImports+i, maxLocals)
			}
			if _, err := valType(br); err != nil {
				return err
			}
		}
		m.bodies = append(m.bodies, body{raw: br.b, exprAt: br.pos, off: br.base})
	}
	return nil
}
