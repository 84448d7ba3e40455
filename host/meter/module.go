package meter

import (
	"bytes"
	"fmt"
)

// Section ids of the WebAssembly 2.0 binary format.
const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secTable     = 4
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
)

// Import and export kinds.
const (
	kindFunc   = 0
	kindTable  = 1
	kindMemory = 2
	kindGlobal = 3
)

var wasmHeader = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

// rank returns the position a non-custom section must have in a module, or 0
// for an unknown id. The data count section sits between element and code.
func rank(id byte) int {
	switch {
	case id >= secType && id <= secElement:
		return int(id)
	case id == secDataCount:
		return 10
	case id == secCode:
		return 11
	case id == secData:
		return 12
	}
	return 0
}

// section is one section of a module. off is the absolute offset of payload.
type section struct {
	id      byte
	name    string // custom sections only
	payload []byte
	off     int
}

// funcType is a function type; raw is its encoding including the 0x60 form.
type funcType struct {
	params, results []byte
	raw             []byte
}

type importEntry struct {
	module, name string
	kind         byte
	typeIdx      uint32 // functions only
}

// global is a defined global; init is its constant expression including end.
type global struct {
	valType, mut byte
	init         []byte
	initOff      int
}

type export struct {
	name string
	kind byte
	idx  uint32
}

// body is one entry of the code section: raw holds the locals and the
// expression, which starts at raw[exprAt]; off is the absolute offset of raw.
type body struct {
	raw    []byte
	exprAt int
	off    int
}

// module is the decoded structure of a module binary. Element and data
// segments are decoded by Instrument, which is the only one that needs them.
type module struct {
	sections []section
	types    []funcType
	imports  []importEntry
	funcs    []uint32 // type indices of defined functions
	globals  []global // defined globals
	exports  []export
	bodies   []body
	start    int64 // -1 when there is no start section

	nFuncImports, nGlobalImports uint32
	nMemImports, nMems           uint32 // imported and defined memories
}

func (m *module) nFuncs() uint32   { return m.nFuncImports + uint32(len(m.funcs)) }
func (m *module) nGlobals() uint32 { return m.nGlobalImports + uint32(len(m.globals)) }

// funcTypeIdx returns the type index of function f, which must be in range.
func (m *module) funcTypeIdx(f uint32) uint32 {
	if f >= m.nFuncImports {
		return m.funcs[f-m.nFuncImports]
	}
	n := uint32(0)
	for _, im := range m.imports {
		if im.kind == kindFunc {
			if n == f {
				return im.typeIdx
			}
			n++
		}
	}
	panic("meter: function index out of range") // unreachable: callers validate f
}

// parseModule decodes the structure of wasm and validates every index it reads.
func parseModule(wasm []byte) (*module, error) {
	if len(wasm) < 8 || !bytes.Equal(wasm[:4], wasmHeader[:4]) {
		return nil, fmt.Errorf("meter: not a WebAssembly binary")
	}
	if !bytes.Equal(wasm[4:8], wasmHeader[4:]) {
		return nil, unsupported("binary version %x (only core modules version 1)", wasm[4:8])
	}
	m := &module{start: -1}
	r := &reader{b: wasm, pos: 8}
	last := 0
	for !r.eof() {
		id, err := r.readByte()
		if err != nil {
			return nil, err
		}
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		sr, err := r.sub(size)
		if err != nil {
			return nil, err
		}
		s := section{id: id, payload: sr.b, off: sr.base}
		if id == secCustom {
			if s.name, err = sr.name(); err != nil {
				return nil, err
			}
			if s.name == "name" {
				if err := checkNameSection(&reader{b: sr.b[sr.pos:], base: sr.offset()}); err != nil {
					return nil, fmt.Errorf("meter: malformed name section: %w", err)
				}
			}
			m.sections = append(m.sections, s)
			continue
		}
		rk := rank(id)
		if rk == 0 {
			return nil, unsupported("section id %d at offset %d", id, sr.base)
		}
		if rk <= last {
			return nil, sr.errorf("section id %d out of order or duplicated", id)
		}
		last = rk
		if err := m.parseSection(id, sr); err != nil {
			return nil, err
		}
		if !sr.eof() {
			return nil, sr.errorf("%d trailing bytes in section %d", sr.remaining(), id)
		}
		m.sections = append(m.sections, s)
	}
	if len(m.bodies) != len(m.funcs) {
		return nil, fmt.Errorf("meter: %d function declarations but %d code entries", len(m.funcs), len(m.bodies))
	}
	return m, nil
}

func (m *module) parseSection(id byte, r *reader) error {
	switch id {
	case secType:
		return m.parseTypes(r)
	case secImport:
		return m.parseImports(r)
	case secFunction:
		n, err := r.count(1)
		if err != nil {
			return err
		}
		m.funcs = make([]uint32, 0, n)
		for i := uint32(0); i < n; i++ {
			t, err := r.u32()
			if err != nil {
				return err
			}
			if t >= uint32(len(m.types)) {
				return r.errorf("function type index %d out of range", t)
			}
			m.funcs = append(m.funcs, t)
		}
	case secTable:
		n, err := r.count(3)
		if err != nil {
			return err
		}
		for i := uint32(0); i < n; i++ {
			if err := tableType(r); err != nil {
				return err
			}
		}
	case secMemory:
		n, err := r.count(2)
		if err != nil {
			return err
		}
		m.nMems = n
		for i := uint32(0); i < n; i++ {
			if err := limits(r, true); err != nil {
				return err
			}
		}
	case secGlobal:
		return m.parseGlobals(r)
	case secExport:
		return m.parseExports(r)
	case secStart:
		f, err := r.u32()
		if err != nil {
			return err
		}
		if f >= m.nFuncs() {
			return r.errorf("start function index %d out of range", f)
		}
		m.start = int64(f)
	case secDataCount:
		_, err := r.u32()
		return err
	case secCode:
		return m.parseCode(r)
	case secElement, secData:
		// Segments are decoded and validated by Instrument.
		r.pos = len(r.b)
	}
	return nil
}
