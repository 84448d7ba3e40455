package meter

import (
	"bytes"
	"fmt"
)

// Names of the functions that Options.VirtualMemory imports from
// Options.YieldModule, right after the yield function.
const (
	// MemorySizeName is imported with type () -> (i32) and replaces every
	// memory.size: it returns the size in pages that the guest sees.
	MemorySizeName = "memory_size"
	// MemoryGrowName is imported with type (i32) -> (i32) and replaces every
	// memory.grow: it takes a delta in pages and returns the previous size,
	// or -1 if the memory cannot grow by that much.
	MemoryGrowName = "memory_grow"
)

// growTypeRaw is the canonical encoding of the type (i32) -> (i32).
var growTypeRaw = []byte{0x60, 0x01, 0x7f, 0x01, 0x7f}

// addedImport is one function import that yield mode adds.
type addedImport struct {
	name string
	typ  []byte // canonical encoding of its type
}

// addedImports returns the function imports yield mode adds, in order.
func addedImports(o Options) []addedImport {
	im := []addedImport{{o.YieldName, yieldTypeRaw}}
	if o.VirtualMemory {
		im = append(im, addedImport{MemorySizeName, yieldTypeRaw}, addedImport{MemoryGrowName, growTypeRaw})
	}
	return im
}

// checkMemories refuses, for VirtualMemory, a module that does not define
// exactly one memory or that imports one.
func checkMemories(m *module) error {
	switch {
	case m.nMemImports > 0:
		return unsupported("virtual memory: the module imports a memory")
	case m.nMems == 0:
		return unsupported("virtual memory: the module has no memory")
	case m.nMems > 1:
		return unsupported("virtual memory: the module defines %d memories (multiple memories)", m.nMems)
	}
	return nil
}

// addImports sets the type and import section payloads in newp for the
// imports of yield mode, reusing identical existing types.
func (in *instrumenter) addImports(newp map[byte][]byte) {
	m := in.m
	var types, entries []byte
	appended := map[string]int{} // new types by encoding
	want := addedImports(in.o)
	for _, a := range want {
		idx := -1
		for i, t := range m.types {
			if bytes.Equal(t.raw, a.typ) {
				idx = i
				break
			}
		}
		if idx < 0 {
			var ok bool
			if idx, ok = appended[string(a.typ)]; !ok {
				idx = len(m.types) + len(appended)
				appended[string(a.typ)] = idx
				types = append(types, a.typ...)
			}
		}
		e := appendName(appendName(nil, in.o.YieldModule), a.name)
		entries = append(entries, appendU32(append(e, kindFunc), uint32(idx))...)
	}
	if len(appended) > 0 {
		newp[secType] = extendVector(in.payload(secType), uint32(len(m.types)), uint32(len(appended)), types)
	}
	newp[secImport] = extendVector(in.payload(secImport), uint32(len(m.imports)), uint32(len(want)), entries)
}

// memOpCall returns the call that replaces memory.size or memory.grow.
func (in *instrumenter) memOpCall(op byte) []byte {
	idx := in.m.nFuncImports + 1 // memory_size
	if op == opMemoryGrow {
		idx++
	}
	return appendU32([]byte{opCall}, idx)
}

// verifyYieldImports checks that the last function imports are those of
// addedImports, in order, and returns the index of the yield function.
func verifyYieldImports(m *module, o Options) (int64, error) {
	var funcs []importEntry
	for _, im := range m.imports {
		if im.kind == kindFunc {
			funcs = append(funcs, im)
		}
	}
	want := addedImports(o)
	if len(funcs) < len(want) {
		return 0, fmt.Errorf("meter: %d function imports, want at least %d (%s.%s and what follows it)", len(funcs), len(want), o.YieldModule, o.YieldName)
	}
	first := len(funcs) - len(want)
	for i, a := range want {
		im := funcs[first+i]
		if im.module != o.YieldModule || im.name != a.name {
			return 0, fmt.Errorf("meter: function import %d is %s.%s, not %s.%s", first+i, im.module, im.name, o.YieldModule, a.name)
		}
		if !sameType(m.types[im.typeIdx], a.typ) {
			return 0, fmt.Errorf("meter: import %s.%s (function %d) has the wrong type", im.module, im.name, first+i)
		}
	}
	return int64(first), nil
}

// sameType reports whether t has the signature encoded canonically in raw.
func sameType(t funcType, raw []byte) bool {
	np := int(raw[1])
	return bytes.Equal(t.params, raw[2:2+np]) && bytes.Equal(t.results, raw[3+np:])
}
