package meter

import (
	"bytes"
	"fmt"
)

// Verify checks that wasm was instrumented by Instrument with o: the last
// global is the fuel, the body of every defined function starts with the
// check sequence, the first instructions after every loop are the check
// sequence, and no other instruction writes the fuel. In trap mode every
// exported function must be a wrapper of exactly the shape Instrument emits,
// and nothing but exports may reference a wrapper (a wrapper called from a
// loop would refill the fuel forever). In yield mode the last function import
// must be the yield function; with VirtualMemory the last three must be the
// yield, MemorySizeName and MemoryGrowName functions, the module must define
// exactly one memory and import none, and no function body may contain
// memory.size or memory.grow.
//
// Errors name the function index and the byte offset in wasm.
func Verify(wasm []byte, o Options) error {
	if err := o.validate(); err != nil {
		return err
	}
	m, err := parseModule(wasm)
	if err != nil {
		return err
	}
	if len(m.globals) == 0 {
		return fmt.Errorf("meter: no fuel global: the module defines no globals")
	}
	fuel := m.nGlobals() - 1
	g := m.globals[len(m.globals)-1]
	if g.valType != 0x7f || g.mut != 1 || !bytes.Equal(g.init, fuelInit(o.Fuel)) {
		return fmt.Errorf("meter: offset %d: global %d is not a mutable i32 initialised to %d", g.initOff, fuel, o.Fuel)
	}
	yield := o.YieldModule != ""
	yieldIdx := int64(-1)
	if yield {
		if yieldIdx, err = verifyYieldImports(m, o); err != nil {
			return err
		}
	}
	if o.VirtualMemory {
		if err := checkMemories(m); err != nil {
			return err
		}
	}
	check := checkSequence(fuel, yieldIdx)

	wrappers := map[uint32]bool{}
	if !yield {
		for _, e := range m.exports {
			if e.kind != kindFunc {
				continue
			}
			if e.idx < m.nFuncImports {
				return fmt.Errorf("meter: export %q is imported function %d, not a wrapper", e.name, e.idx)
			}
			wrappers[e.idx] = true
		}
		for f := range wrappers {
			if err := verifyWrapper(m, f, fuel, o.Fuel, wrappers); err != nil {
				return err
			}
		}
		if m.start >= 0 && wrappers[uint32(m.start)] {
			return fmt.Errorf("meter: start function %d is a wrapper", m.start)
		}
	}
	noWrapper := func(start, _ int, idx uint32) error {
		if wrappers[idx] {
			return fmt.Errorf("meter: reference to wrapper function %d", idx)
		}
		return nil
	}
	cw := &walker{nTypes: uint32(len(m.types)), nFuncs: m.nFuncs(), nGlobals: m.nGlobals(), onFunc: noWrapper}
	for _, g := range m.globals {
		if err := cw.expr(&reader{b: g.init, base: g.initOff}); err != nil {
			return err
		}
	}
	for _, s := range m.sections {
		if s.id == secElement {
			if err := walkElements(&reader{b: s.payload, base: s.off}, cw); err != nil {
				return err
			}
		}
	}

	for i, b := range m.bodies {
		f := m.nFuncImports + uint32(i)
		if wrappers[f] {
			continue
		}
		if err := verifyBody(b, check, fuel, o.VirtualMemory, cw); err != nil {
			return fmt.Errorf("meter: function %d: %w", f, err)
		}
	}
	if o.ExportGlobals {
		name := GlobalExportName(fuel)
		found := false
		for _, e := range m.exports {
			found = found || (e.name == name && e.kind == kindGlobal && e.idx == fuel)
		}
		if !found {
			return fmt.Errorf("meter: the fuel global is not exported as %q", name)
		}
	}
	return nil
}

// verifyWrapper checks that function f has exactly the wrapper shape, calling
// a non-wrapper function of the same type.
func verifyWrapper(m *module, f, fuel uint32, initial int32, wrappers map[uint32]bool) error {
	b := m.bodies[f-m.nFuncImports]
	t := m.types[m.funcs[f-m.nFuncImports]]
	proto := wrapperBody(fuel, initial, len(t.params), 0)
	prefix := proto[:len(proto)-2] // up to and including the call opcode
	if !bytes.HasPrefix(b.raw, prefix) {
		return fmt.Errorf("meter: function %d: offset %d: exported function is not a fuel-resetting wrapper", f, b.off)
	}
	r := &reader{b: b.raw, pos: len(prefix), base: b.off}
	callee, err := r.u32()
	if err != nil {
		return fmt.Errorf("meter: function %d: %w", f, err)
	}
	if callee >= m.nFuncs() || wrappers[callee] {
		return fmt.Errorf("meter: function %d: offset %d: wrapper calls invalid function %d", f, b.off+len(prefix), callee)
	}
	if !bytes.Equal(b.raw, wrapperBody(fuel, initial, len(t.params), callee)) {
		return fmt.Errorf("meter: function %d: offset %d: wrapper has trailing instructions", f, r.offset())
	}
	ct := m.types[m.funcTypeIdx(callee)]
	if !bytes.Equal(ct.params, t.params) || !bytes.Equal(ct.results, t.results) {
		return fmt.Errorf("meter: function %d: wrapper type differs from callee %d", f, callee)
	}
	return nil
}

// verifyBody checks one non-wrapper function body.
func verifyBody(b body, check []byte, fuel uint32, vmem bool, cw *walker) error {
	if !bytes.HasPrefix(b.raw[b.exprAt:], check) {
		return fmt.Errorf("offset %d: body does not start with the fuel check", b.off+b.exprAt)
	}
	w := *cw
	w.onLoop = func(pos int) (int, error) {
		if !bytes.HasPrefix(b.raw[pos:], check) {
			return 0, fmt.Errorf("offset %d: loop header without the fuel check", b.off+pos)
		}
		return len(check), nil
	}
	w.onGlobal = func(op byte, idx uint32, at int) error {
		if op == opGlobalSet && idx == fuel {
			return fmt.Errorf("offset %d: global.set of the fuel outside a check", b.off+at)
		}
		return nil
	}
	if vmem {
		w.onMemOp = func(op byte, at int) error {
			name := map[byte]string{opMemorySize: "memory.size", opMemoryGrow: "memory.grow"}[op]
			return fmt.Errorf("offset %d: %s not replaced by a call (virtual memory)", b.off+at, name)
		}
	}
	r := &reader{b: b.raw, pos: b.exprAt + len(check), base: b.off}
	if err := w.expr(r); err != nil {
		return err
	}
	if !r.eof() {
		return fmt.Errorf("offset %d: %d bytes after the end of the body", r.offset(), r.remaining())
	}
	return nil
}
