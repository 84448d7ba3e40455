package meter

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

var goGuest struct {
	once sync.Once
	wasm []byte
	err  error
	out  []byte
}

// buildGoGuest builds testdata/prog as a stock Go wasip1 reactor, once.
func buildGoGuest(t testing.TB) []byte {
	t.Helper()
	goGuest.once.Do(func() {
		dir, err := os.MkdirTemp("", "meter-prog")
		if err != nil {
			goGuest.err = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "prog.wasm")
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./testdata/prog")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if goGuest.out, goGuest.err = cmd.CombinedOutput(); goGuest.err == nil {
			goGuest.wasm, goGuest.err = os.ReadFile(out)
		}
	})
	if goGuest.err != nil {
		t.Fatalf("building the Go guest: %v\n%s", goGuest.err, goGuest.out)
	}
	return goGuest.wasm
}

// sharedCache is a wazero compilation cache kept between test runs (keyed
// by module digest and wazero version): compiling the three Go guests costs
// ~20 s under -race, and only the first run pays it. wazero still decodes
// and validates each module before it looks the code up.
func sharedCache(t *testing.T) wazero.CompilationCache {
	t.Helper()
	c, err := wazero.NewCompilationCacheWithDir(filepath.Join(os.TempDir(), "wasmcp-meter-test-wazero-cache"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// compileAll compiles the modules concurrently: compilation dominates the
// test's run time under the race detector.
func compileAll(t *testing.T, r wazero.Runtime, wasms ...[]byte) []wazero.CompiledModule {
	t.Helper()
	compiled := make([]wazero.CompiledModule, len(wasms))
	errs := make([]error, len(wasms))
	var wg sync.WaitGroup
	for i, w := range wasms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			compiled[i], errs[i] = r.CompileModule(context.Background(), w)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("compile module %d: %v", i, err)
		}
	}
	return compiled
}

// runGoGuest instantiates compiled in r, calls _initialize, then compute(n)
// for each n.
func runGoGuest(t *testing.T, r wazero.Runtime, compiled wazero.CompiledModule, ns []int32) []int32 {
	t.Helper()
	ctx := context.Background()
	m, err := r.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	defer m.Close(ctx)
	if _, err := m.ExportedFunction("_initialize").Call(ctx); err != nil {
		t.Fatalf("_initialize: %v", err)
	}
	var res []int32
	for _, n := range ns {
		out, err := m.ExportedFunction("compute").Call(ctx, uint64(n))
		if err != nil {
			t.Fatalf("compute(%d): %v", n, err)
		}
		res = append(res, int32(out[0]))
	}
	return res
}

func TestGoGuestDifferential(t *testing.T) {
	wasm := buildGoGuest(t)
	const fuel = 20000
	o := yieldOpts(fuel)
	inst := instrument(t, wasm, o)
	t.Logf("Go guest: %d -> %d bytes (%+.1f%%)", len(wasm), len(inst), 100*float64(len(inst)-len(wasm))/float64(len(wasm)))
	o.VirtualMemory = true
	instVM := instrument(t, wasm, o)

	ctx := context.Background()
	var yields, sizes, grows atomic.Int64
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(sharedCache(t)))
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	memHost(t, r, func(m api.Module) uint32 { sizes.Add(1); return realSize(m) },
		func(m api.Module, d uint32) int32 { grows.Add(1); return realGrow(m, d) },
		func() int32 { yields.Add(1); return fuel })
	compiled := compileAll(t, r, wasm, inst, instVM)
	ns := []int32{0, 1, 10, 200, 1000}
	want := runGoGuest(t, r, compiled[0], ns)
	for name, c := range map[string]wazero.CompiledModule{"instrumented": compiled[1], "virtual memory": compiled[2]} {
		got := runGoGuest(t, r, c, ns)
		for i := range ns {
			if got[i] != want[i] {
				t.Errorf("compute(%d) = %d %s, %d original", ns[i], got[i], name, want[i])
			}
		}
	}
	if yields.Load() == 0 {
		t.Error("the instrumented guest never yielded")
	}
	if grows.Load() == 0 {
		t.Error("the guest with virtual memory never called memory_grow")
	}
	t.Logf("results %v, %d yields, %d memory_size and %d memory_grow calls", want, yields.Load(), sizes.Load(), grows.Load())
}

func TestExtismKernel(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/extism/go-sdk").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	kernel, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "extism-runtime.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, o := range []Options{{Fuel: 20000, ExportGlobals: true}, yieldOpts(20000)} {
		inst := instrument(t, kernel, o)
		t.Logf("kernel (yield=%v): %d -> %d bytes (+%.1f%%)", o.YieldModule != "", len(kernel), len(inst),
			100*float64(len(inst)-len(kernel))/float64(len(kernel)))
		r := wazero.NewRuntime(ctx)
		if _, err := r.CompileModule(ctx, inst); err != nil {
			t.Errorf("compile: %v", err)
		}
		r.Close(ctx)
	}
}
