package meter

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// TestMain lowers the default of -test.fuzzminimizetime from 60s to one
// execution. Every input that reaches new code in wazero's validator counts as
// interesting, and minimizing each for a minute (with a compilation per
// attempt) stalls fuzzing at 0 execs/sec. An explicit flag is respected.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.fuzzminimizetime" })
	if f := flag.Lookup("test.fuzzminimizetime"); f != nil && !set {
		if err := f.Value.Set("1x"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

var fuzzOptions = []Options{
	{Fuel: 7, ExportGlobals: true},
	{YieldModule: yieldMod, YieldName: yieldName, Fuel: 7},
	{YieldModule: yieldMod, YieldName: yieldName, Fuel: 7, VirtualMemory: true},
	{YieldModule: yieldMod, YieldName: yieldName, Fuel: 7, VirtualMemory: true, ExportGlobals: true},
}

// compiles reports whether wazero's interpreter, which compiles fastest,
// accepts wasm. Each call uses a fresh runtime: a shared one caches compiled
// modules, which makes coverage depend on earlier inputs and stalls the fuzzer
// in minimization.
func compiles(wasm []byte) error {
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer r.Close(ctx)
	_, err := r.CompileModule(ctx, wasm)
	return err
}

// extismKernel returns the kernel embedded in the Extism Go SDK, or nil.
func extismKernel() []byte {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/extism/go-sdk").Output()
	if err != nil {
		return nil
	}
	b, _ := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "extism-runtime.wasm"))
	return b
}

func FuzzInstrument(f *testing.F) {
	seeds := [][]byte{extismKernel()}
	for _, w := range testModules() {
		seeds = append(seeds, w)
	}
	for _, w := range seeds {
		f.Add(w)
		for _, o := range fuzzOptions {
			if out, err := Instrument(w, o); err == nil {
				f.Add(out)
			}
		}
	}
	f.Fuzz(func(t *testing.T, wasm []byte) {
		orig := string(wasm)
		inErr := error(nil)
		compiled := false
		for _, o := range fuzzOptions {
			out, err := Instrument(wasm, o)
			if string(wasm) != orig {
				t.Fatal("Instrument modified its input")
			}
			if err != nil {
				continue
			}
			if err := Verify(out, o); err != nil {
				t.Fatalf("Verify after Instrument(%+v): %v", o, err)
			}
			if !compiled {
				inErr, compiled = compiles(wasm), true
			}
			if inErr == nil {
				if err := compiles(out); err != nil {
					t.Fatalf("wazero accepts the input but not the output of Instrument(%+v): %v", o, err)
				}
			}
		}
	})
}
