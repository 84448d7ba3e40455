package meter

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

const (
	yieldMod  = "wasmcp"
	yieldName = "yield"
)

var errTooManyYields = errors.New("too many yields")

func yieldOpts(fuel int32) Options {
	return Options{YieldModule: yieldMod, YieldName: yieldName, Fuel: fuel}
}

// instrument instruments wasm with o and verifies the result.
func instrument(t testing.TB, wasm []byte, o Options) []byte {
	t.Helper()
	orig := append([]byte(nil), wasm...)
	out, err := Instrument(wasm, o)
	if err != nil {
		t.Fatalf("Instrument: %v", err)
	}
	if string(orig) != string(wasm) {
		t.Fatal("Instrument modified its input")
	}
	if err := Verify(out, o); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return out
}

// newRuntime returns an interpreter runtime with an env module (nop, add1)
// and, if yield is not nil, the yield host module.
func newRuntime(t testing.TB, yield func(context.Context) int32) wazero.Runtime {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	t.Cleanup(func() { r.Close(ctx) })
	_, err := r.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithFunc(func() {}).Export("nop").
		NewFunctionBuilder().WithFunc(func(x int32) int32 { return x + 1 }).Export("add1").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if yield != nil {
		_, err := r.NewHostModuleBuilder(yieldMod).NewFunctionBuilder().WithFunc(yield).Export(yieldName).Instantiate(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func instantiate(t testing.TB, r wazero.Runtime, wasm []byte) api.Module {
	t.Helper()
	m, err := r.InstantiateWithConfig(context.Background(), wasm, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	return m
}

func call(ctx context.Context, m api.Module, name string, args ...uint64) (int32, error) {
	res, err := m.ExportedFunction(name).Call(ctx, args...)
	if err != nil || len(res) == 0 {
		return 0, err
	}
	return int32(res[0]), nil
}

// countingYield returns a yield function that refills fuel and panics with
// errTooManyYields after max calls.
func countingYield(fuel int32, max int64, n *atomic.Int64) func(context.Context) int32 {
	return func(ctx context.Context) int32 {
		if n.Add(1) > max {
			panic(errTooManyYields)
		}
		return fuel
	}
}

func TestYieldInfiniteLoop(t *testing.T) {
	var n atomic.Int64
	r := newRuntime(t, countingYield(100, 5, &n))
	m := instantiate(t, r, instrument(t, spinModule(), yieldOpts(100)))
	_, err := call(context.Background(), m, "spin")
	if err == nil || !strings.Contains(err.Error(), errTooManyYields.Error()) {
		t.Fatalf("spin: got %v, want %v", err, errTooManyYields)
	}
	if n.Load() != 6 {
		t.Fatalf("yield called %d times, want 6", n.Load())
	}
}

func TestYieldRecursion(t *testing.T) {
	var n atomic.Int64
	r := newRuntime(t, countingYield(100, 1000, &n))
	m := instantiate(t, r, instrument(t, recModule(), yieldOpts(100)))
	got, err := call(context.Background(), m, "rec", 1000)
	if err != nil || got != 1000 {
		t.Fatalf("rec(1000) = %d, %v", got, err)
	}
	// 1001 function entries with 100 fuel per refill.
	if n.Load() != 10 {
		t.Fatalf("yield called %d times, want 10", n.Load())
	}
}

func TestYieldContextDeadline(t *testing.T) {
	yield := func(ctx context.Context) int32 {
		if err := ctx.Err(); err != nil {
			panic(err)
		}
		return 10000
	}
	r := newRuntime(t, yield)
	m := instantiate(t, r, instrument(t, spinModule(), yieldOpts(10000)))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := call(ctx, m, "spin")
	if err == nil || !strings.Contains(err.Error(), context.DeadlineExceeded.Error()) {
		t.Fatalf("spin: got %v, want deadline exceeded", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Fatalf("spin stopped after %v", d)
	}
}

func TestYieldSquare(t *testing.T) {
	var n atomic.Int64
	r := newRuntime(t, countingYield(50, 1<<20, &n))
	out := instrument(t, squareModule(), yieldOpts(50))
	m := instantiate(t, r, out)
	for _, x := range []uint64{0, 1, 7, 30} {
		if got, err := call(context.Background(), m, "twice", x); err != nil || got != int32(2*x*x) {
			t.Fatalf("twice(%d) = %d, %v", x, got, err)
		}
	}
	if n.Load() == 0 {
		t.Fatal("yield never called")
	}
	if strings.Contains(string(out), "\x04name") || !strings.Contains(string(out), "producers") {
		t.Fatal("want the name section dropped and other custom sections kept")
	}
}

// checkTableModule runs the exports of tableModule.
func checkTableModule(t *testing.T, m api.Module) {
	t.Helper()
	ctx := context.Background()
	for _, c := range []struct {
		name string
		args []uint64
		want int32
	}{
		{"dispatch", []uint64{0}, 10},
		{"dispatch", []uint64{1}, 20},
		{"dispatch", []uint64{2}, 20},
		{"viaGlobal", nil, 10},
		{"plus1", []uint64{41}, 42},
		{"get42", nil, 42},
	} {
		if got, err := call(ctx, m, c.name, c.args...); err != nil || got != c.want {
			t.Errorf("%s%v = %d, %v; want %d", c.name, c.args, got, err, c.want)
		}
	}
}

func TestYieldTableImportsStart(t *testing.T) {
	var n atomic.Int64
	r := newRuntime(t, countingYield(2, 1<<20, &n))
	checkTableModule(t, instantiate(t, r, instrument(t, tableModule(), yieldOpts(2))))
	if n.Load() == 0 {
		t.Fatal("yield never called")
	}
}

func TestTrapTableImportsStart(t *testing.T) {
	r := newRuntime(t, nil)
	checkTableModule(t, instantiate(t, r, instrument(t, tableModule(), Options{Fuel: 100})))
}

func TestTrapInfiniteLoop(t *testing.T) {
	r := newRuntime(t, nil)
	m := instantiate(t, r, instrument(t, spinModule(), Options{Fuel: 1000}))
	_, err := call(context.Background(), m, "spin")
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("spin: got %v, want unreachable trap", err)
	}
}

func TestTrapFuelReset(t *testing.T) {
	// square(10) consumes 1 + 11 + 10*11 = 122 fuel.
	r := newRuntime(t, nil)
	o := Options{Fuel: 200, ExportGlobals: true}
	m := instantiate(t, r, instrument(t, squareModule(), o))
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if got, err := call(ctx, m, "square", 10); err != nil || got != 100 {
			t.Fatalf("call %d: square(10) = %d, %v", i, got, err)
		}
	}
	fuel := m.ExportedGlobal("wasmcp.global.1")
	if fuel == nil || int32(fuel.Get()) != 200-122 {
		t.Fatalf("fuel global = %v, want %d", fuel, 200-122)
	}
	if g := m.ExportedGlobal("wasmcp.global.0"); g == nil || g.Get() != 7 {
		t.Fatalf("global 0 = %v, want 7", g)
	}
	// twice calls the original square twice without a reset: 1+2*122 > 200.
	if _, err := call(ctx, m, "twice", 10); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("twice(10): got %v, want unreachable trap", err)
	}
	if got, err := call(ctx, m, "twice", 5); err != nil || got != 50 {
		t.Fatalf("twice(5) = %d, %v", got, err)
	}
}

func TestExportGlobalsYield(t *testing.T) {
	var n atomic.Int64
	r := newRuntime(t, countingYield(1000, 10, &n))
	o := yieldOpts(1000)
	o.ExportGlobals = true
	m := instantiate(t, r, instrument(t, tableModule(), o))
	if g := m.ExportedGlobal("wasmcp.global.1"); g == nil || g.Get() != 42 {
		t.Fatalf("global 1 = %v, want 42", g)
	}
	if g := m.ExportedGlobal("wasmcp.global.2"); g == nil || int32(g.Get()) >= 1000 {
		t.Fatalf("fuel global = %v, want below 1000 after the start function", g)
	}
}

func TestFeatureModule(t *testing.T) {
	genv := wasmModule(
		sec(secGlobal, cat([]byte{i32, 0}, []byte{opI32Const, 0, opEnd})),
		sec(secExport, exp("base", kindGlobal, 0)))
	for _, o := range []Options{{Fuel: 100}, yieldOpts(100)} {
		r := newRuntime(t, func(context.Context) int32 { return 100 })
		ctx := context.Background()
		if _, err := r.InstantiateWithConfig(ctx, genv, wazero.NewModuleConfig().WithName("genv")); err != nil {
			t.Fatal(err)
		}
		m := instantiate(t, r, instrument(t, featureModule(), o))
		// 1 (select) + 0x28 (the first copied byte) + 0x01 (the second one).
		if got, err := call(ctx, m, "mix"); err != nil || got != 0x2a {
			t.Fatalf("mix() = %d, %v", got, err)
		}
	}
}

func TestEmptyModule(t *testing.T) {
	for _, o := range []Options{{Fuel: 5, ExportGlobals: true}, yieldOpts(5)} {
		r := newRuntime(t, func(context.Context) int32 { return 5 })
		m := instantiate(t, r, instrument(t, wasmModule(), o))
		if o.ExportGlobals && m.ExportedGlobal("wasmcp.global.0") == nil {
			t.Fatal("fuel global not exported")
		}
	}
}

func TestTrapReexportedImport(t *testing.T) {
	// The wrapper of a re-exported host function calls the import; the
	// function section and code section are created for it.
	wasm := wasmModule(
		sec(secType, tI32I32),
		sec(secImport, funcImport("env", "add1", 0)),
		sec(secExport, exp("add1", kindFunc, 0), exp("again", kindFunc, 0)),
	)
	r := newRuntime(t, nil)
	m := instantiate(t, r, instrument(t, wasm, Options{Fuel: 3}))
	for _, name := range []string{"add1", "again"} {
		if got, err := call(context.Background(), m, name, 1); err != nil || got != 2 {
			t.Fatalf("%s(1) = %d, %v", name, got, err)
		}
	}
}

func TestTrapRefFuncDeclaredByExport(t *testing.T) {
	// ref.func 0 is valid only because function 0 is exported; the wrapper
	// takes over the export, so Instrument must keep function 0 declared.
	wasm := wasmModule(
		sec(secType, tVoidI32),
		sec(secFunction, u32(0), u32(0)),
		sec(secExport, exp("five", kindFunc, 0), exp("isnull", kindFunc, 1)),
		sec(secCode, code(nil, opI32Const, 5, opEnd), code(nil, opRefFunc, 0, 0xd1, opEnd)),
	)
	r := newRuntime(t, nil)
	m := instantiate(t, r, instrument(t, wasm, Options{Fuel: 10}))
	if got, err := call(context.Background(), m, "isnull"); err != nil || got != 0 {
		t.Fatalf("isnull() = %d, %v", got, err)
	}
}
