package meter

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

func vmemOpts(fuel int32) Options {
	o := yieldOpts(fuel)
	o.VirtualMemory = true
	return o
}

// memModule imports env.nop and has one memory (min 1, max 4). Exports:
// size() = memory.size; grow(d) = memory.grow d; growAll() grows by one page
// until that fails and returns how many times it succeeded; sizeViaCall()
// calls nop and size. Its types include () -> i32 and (i32) -> i32.
func memModule() []byte {
	const nop, size, grow, growAll, sizeViaCall = 0, 1, 2, 3, 4
	const i32Eq = 0x46
	return wasmModule(
		sec(secType, tVoidI32, tI32I32, tVoid),
		sec(secImport, funcImport("env", "nop", 2)),
		sec(secFunction, u32(0), u32(1), u32(0), u32(0)),
		sec(secMemory, []byte{0x01, 1, 4}),
		sec(secExport, exp("size", kindFunc, size), exp("grow", kindFunc, grow),
			exp("growAll", kindFunc, growAll), exp("sizeViaCall", kindFunc, sizeViaCall),
			exp("memory", kindMemory, 0)),
		sec(secCode,
			code(nil, opMemorySize, 0, opEnd),
			code(nil, opLocalGet, 0, opMemoryGrow, 0, opEnd),
			code([]byte{1, i32},
				opBlock, blockEmpty, opLoop, blockEmpty,
				opI32Const, 1, opMemoryGrow, 0, opI32Const, 0x7f, i32Eq, brIf, 1,
				opLocalGet, 0, opI32Const, 1, i32Add, localSet, 0,
				br, 0,
				opEnd, opEnd,
				opLocalGet, 0, opEnd),
			code(nil, opCall, nop, opCall, size, opEnd)),
	)
}

// memHost instantiates the yield module of vmemOpts in r, with memory_size
// and memory_grow implemented by size and grow, and yield by the optional
// yield (default: 100 more fuel).
func memHost(t *testing.T, r wazero.Runtime, size func(api.Module) uint32, grow func(api.Module, uint32) int32, yield ...func() int32) {
	t.Helper()
	y := func() int32 { return 100 }
	if len(yield) > 0 {
		y = yield[0]
	}
	i32s := []api.ValueType{api.ValueTypeI32}
	_, err := r.NewHostModuleBuilder(yieldMod).
		NewFunctionBuilder().WithFunc(y).Export(yieldName).
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, m api.Module, stack []uint64) {
		stack[0] = api.EncodeU32(size(m))
	}), nil, i32s).Export(MemorySizeName).
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, m api.Module, stack []uint64) {
		stack[0] = api.EncodeI32(grow(m, api.DecodeU32(stack[0])))
	}), i32s, i32s).Export(MemoryGrowName).
		Instantiate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
}

// realSize and realGrow implement the imports with the real memory.
func realSize(m api.Module) uint32 { return m.Memory().Size() / 65536 }

func realGrow(m api.Module, delta uint32) int32 {
	prev, ok := m.Memory().Grow(delta)
	if !ok {
		return -1
	}
	return int32(prev)
}

type memCall struct {
	name string
	args []uint64
	want int32
}

func runMemCalls(t *testing.T, m api.Module, calls []memCall) {
	t.Helper()
	for _, c := range calls {
		if got, err := call(context.Background(), m, c.name, c.args...); err != nil || got != c.want {
			t.Errorf("%s%v = %d, %v; want %d", c.name, c.args, got, err, c.want)
		}
	}
}

func TestVirtualMemoryVirtual(t *testing.T) {
	wasm := instrument(t, memModule(), vmemOpts(3))
	r := newRuntime(t, nil)
	pages := uint32(1) // the virtual size: 1 page, grows up to 3
	memHost(t, r, func(api.Module) uint32 { return pages }, func(_ api.Module, d uint32) int32 {
		if d > 3-pages {
			return -1
		}
		prev := pages
		pages += d
		return int32(prev)
	})
	m := instantiate(t, r, wasm)
	runMemCalls(t, m, []memCall{
		{"size", nil, 1}, {"grow", []uint64{1}, 1}, {"size", nil, 2}, {"sizeViaCall", nil, 2},
		{"growAll", nil, 1}, {"size", nil, 3}, {"grow", []uint64{0}, 3}, {"grow", []uint64{1}, -1},
		{"grow", []uint64{0xffffffff}, -1}, {"sizeViaCall", nil, 3},
	})
	if got := m.Memory().Size(); got != 65536 {
		t.Errorf("real memory size = %d, want one page", got)
	}
}

func TestVirtualMemoryReal(t *testing.T) {
	wasm := instrument(t, memModule(), vmemOpts(3))
	r := newRuntime(t, nil)
	memHost(t, r, realSize, realGrow)
	m := instantiate(t, r, wasm)
	runMemCalls(t, m, []memCall{
		{"size", nil, 1}, {"grow", []uint64{1}, 1}, {"sizeViaCall", nil, 2},
		{"growAll", nil, 2}, {"size", nil, 4}, {"grow", []uint64{1}, -1}, {"grow", []uint64{0}, 4},
	})
	if got := m.Memory().Size(); got != 4*65536 {
		t.Errorf("real memory size = %d, want four pages", got)
	}
}

func TestVirtualMemoryTypes(t *testing.T) {
	// memModule has both types already; a module with neither gets both.
	noTypes := wasmModule(
		sec(secType, tVoid),
		sec(secFunction, u32(0)),
		sec(secMemory, []byte{0x00, 1}),
		sec(secCode, code(nil, opMemorySize, 0, opMemoryGrow, 0, 0x1a, opEnd)),
	)
	for _, c := range []struct {
		wasm  []byte
		types int
	}{{memModule(), 3}, {noTypes, 3}} {
		m, err := parseModule(instrument(t, c.wasm, vmemOpts(5)))
		if err != nil {
			t.Fatal(err)
		}
		if len(m.types) != c.types {
			t.Errorf("%d types after instrumentation, want %d", len(m.types), c.types)
		}
	}
	if err := compiles(instrument(t, noTypes, vmemOpts(5))); err != nil {
		t.Fatal(err)
	}
}

func TestVirtualMemoryRefusals(t *testing.T) {
	if _, err := Instrument(memModule(), Options{Fuel: 5, VirtualMemory: true}); err == nil || errors.Is(err, ErrUnsupported) {
		t.Errorf("trap mode with VirtualMemory: %v, want a plain error", err)
	}
	if err := Verify(instrument(t, memModule(), Options{Fuel: 5}), Options{Fuel: 5, VirtualMemory: true}); err == nil {
		t.Error("Verify accepted VirtualMemory in trap mode")
	}
	for _, c := range []struct {
		name, msg string
		wasm      []byte
	}{
		{"no memory", "no memory", spinModule()},
		{"imported memory", "imports a memory", wasmModule(
			sec(secImport, cat(str("env"), str("mem"), []byte{kindMemory, 0, 1})))},
		{"two memories", "2 memories", wasmModule(sec(secMemory, []byte{0, 1}, []byte{0, 1}))},
	} {
		_, err := Instrument(c.wasm, vmemOpts(5))
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestVerifyRejectsVirtualMemory(t *testing.T) {
	o := vmemOpts(5)
	if err := Verify(instrument(t, memModule(), yieldOpts(5)), o); err == nil {
		t.Error("output without VirtualMemory verified with it")
	}
	out := instrument(t, memModule(), o)
	if err := Verify(out, yieldOpts(5)); err == nil {
		t.Error("output with VirtualMemory verified without it")
	}
	// A missing import: rename memory_size.
	renamed := bytes.Replace(out, []byte(MemorySizeName), []byte("memory_sizf"), 1)
	if err := Verify(renamed, o); err == nil || !strings.Contains(err.Error(), "memory_sizf") {
		t.Errorf("Verify(renamed import) = %v", err)
	}
	// Splice a raw memory.grow back into grow (function 5): the call to
	// memory_grow (function 3) is as long as memory.grow 0.
	call := []byte{opLocalGet, 0, opCall, 3, opEnd}
	if bytes.Count(out, call) != 1 {
		t.Fatal("call to memory_grow not found")
	}
	raw := bytes.Replace(out, call, []byte{opLocalGet, 0, opMemoryGrow, 0, opEnd}, 1)
	if err := compiles(raw); err != nil {
		t.Fatalf("spliced module does not compile: %v", err)
	}
	err := Verify(raw, o)
	if err == nil || !strings.Contains(err.Error(), "function 5") || !strings.Contains(err.Error(), "memory.grow not replaced") {
		t.Errorf("Verify(raw memory.grow) = %v", err)
	}
}
