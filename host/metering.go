package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	_ "unsafe" // go:linkname, for the Extism kernel's bytes

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcp/wasmcp/host/meter"
)

// Guests run without wazero's close-on-context-done, which leaves native
// code at every loop back-edge and cost 80 % of a call's CPU. Instead every
// module is metered when it is loaded (package meter): a fuel counter runs
// down at each loop header and function entry, and when it is spent the
// guest calls the host's yield function, which stops the call if its
// context has ended and otherwise hands out more fuel. Being Go code, yield
// is also where the garbage collector and the scheduler reach the
// goroutine. See RATIONALE.md, "Why meter guests instead of
// close-on-context-done?".
const (
	// meterModule and meterYield name the import that metered guests call.
	meterModule = "wasmcp:meter"
	meterYield  = "yield"
	// guestFuel is how many loop headers and function entries a guest runs
	// between two yields: about 100 µs of guest code, so a deadline or a
	// garbage collection waits at most that long for a spinning guest.
	guestFuel = 1 << 15
	// kernelFuel bounds each call into the Extism kernel, which go-sdk also
	// calls from Go outside any guest call: a kernel whose memory a guest
	// corrupted traps after this many loop iterations instead of spinning.
	// Legitimate kernel calls walk a few blocks.
	kernelFuel = 1 << 26
	// meterVersion names the instrumentation in its on-disk cache; change it
	// when package meter's output, or the cache's record of it, changes.
	meterVersion = "m4"
)

// extismKernel is go-sdk's embedded Extism kernel. init replaces it with a
// metered copy before any plugin is compiled, so that the kernel, which runs
// in each plugin's runtime without close-on-context-done too, can never
// spin. go-sdk is pinned in go.mod; TestKernelMetered checks that the
// replacement took.
//
//go:linkname extismKernel github.com/extism/go-sdk.extismRuntimeWasm
var extismKernel []byte

// kernelMeterErr is why the kernel could not be metered; while it is set,
// every plugin runs with close-on-context-done, as before metering.
var kernelMeterErr error

// kernelMeter is how the kernel is metered: in trap mode, its globals
// exported for resets.
var kernelMeter = meter.Options{Fuel: kernelFuel, ExportGlobals: true}

func init() {
	out, err := meter.Instrument(extismKernel, kernelMeter)
	if err == nil {
		err = meter.Verify(out, kernelMeter)
	}
	if err != nil {
		kernelMeterErr = fmt.Errorf("the Extism kernel could not be metered: %w", err)
		return
	}
	extismKernel = out
}

// guestMeter is how guests are metered: in yield mode, their globals
// exported and their memory size virtual, for resets (see reset.go).
var guestMeter = meter.Options{YieldModule: meterModule, YieldName: meterYield, Fuel: guestFuel, ExportGlobals: true, VirtualMemory: true}

// errGuestStopped is the panic value of yield when the call's context has
// ended; wazero turns it into the call's error.
var errGuestStopped = errors.New("the guest was stopped: its call ended")

// meterFunctions are the host functions metered guests import.
func meterFunctions() []extism.HostFunction {
	return []extism.HostFunction{yieldFunction(), memorySizeFunction(), memoryGrowFunction()}
}

// yieldFunction is the host function metered guests call when their fuel
// is spent.
func yieldFunction() extism.HostFunction {
	f := extism.NewHostFunctionWithStack(meterYield, func(ctx context.Context, _ *extism.CurrentPlugin, stack []uint64) {
		if ctx.Err() != nil {
			panic(errGuestStopped)
		}
		stack[0] = api.EncodeI32(guestFuel)
	}, nil, []extism.ValueType{api.ValueTypeI32})
	f.SetNamespace(meterModule)
	return f
}

// meterResult is how a module will run.
type meterResult struct {
	// Code is the module to compile: metered, or the original. The cache
	// keeps it in a file of its own, beside this record.
	Code []byte `json:"-"`
	// Metered is false for a module the instrumenter cannot handle (SIMD,
	// threads, exceptions...): it keeps its own code and runs with
	// close-on-context-done.
	Metered bool `json:"-"`
	// Resettable says its instances can be reset between users (see
	// reset.go); Why says why not.
	Resettable bool   `json:"resettable"`
	Why        string `json:"why,omitempty"`
}

// metered returns how the plugin whose bytes have the given hex sha256 will
// run, from the on-disk cache when it has it. The cache is trusted as
// wazero's compilation cache beside it is: whoever can write there can
// write native code.
func (l *loader) metered(data []byte, digest string) (meterResult, error) {
	if kernelMeterErr != nil {
		return meterResult{Code: data, Why: "the kernel is not metered"}, nil
	}
	cached := l.meteredPath(digest)
	if r, ok := l.cachedMeterRecord(digest); ok {
		if b, err := os.ReadFile(cached); err == nil {
			r.Code = b
			return r, nil
		}
	}
	out, err := meter.Instrument(data, guestMeter)
	if errors.Is(err, meter.ErrUnsupported) {
		return meterResult{Code: data, Why: "it is not metered"}, nil
	}
	if err != nil {
		return meterResult{}, fmt.Errorf("invalid module: %w", err)
	}
	if err := meter.Verify(out, guestMeter); err != nil {
		return meterResult{}, fmt.Errorf("metering failed its own check: %w", err)
	}
	info, err := meter.Inspect(data)
	if err != nil {
		return meterResult{}, fmt.Errorf("invalid module: %w", err)
	}
	r := meterResult{Code: out, Metered: true, Resettable: info.Resettable, Why: info.Why}
	if cached != "" {
		writeCacheFile(cached, out)
		if b, err := json.Marshal(r); err == nil {
			writeCacheFile(cached+".json", b)
		}
	}
	return r, nil
}

// meteredPath is where the cache keeps the metered code of the module with
// this digest (and its record, at the same path plus ".json"); "" when
// caching is off.
func (l *loader) meteredPath(digest string) string {
	if l.cacheDir == "" {
		return ""
	}
	return filepath.Join(l.cacheDir, "metered", meterVersion+"-"+digest+".wasm")
}

// cachedMeterRecord returns what metering found of the module with this
// digest, without its code, when the cache has both.
func (l *loader) cachedMeterRecord(digest string) (meterResult, bool) {
	cached := l.meteredPath(digest)
	if cached == "" || kernelMeterErr != nil {
		return meterResult{}, false
	}
	var r meterResult
	info, err := os.ReadFile(cached + ".json")
	if err != nil || json.Unmarshal(info, &r) != nil {
		return meterResult{}, false
	}
	if _, err := os.Stat(cached); err != nil {
		return meterResult{}, false
	}
	r.Metered = true // only metered code is cached
	return r, true
}

// writeCacheFile writes b to path atomically, best effort: a cache that
// cannot be written only costs time.
func writeCacheFile(path string, b []byte) {
	if os.MkdirAll(filepath.Dir(path), 0o700) != nil {
		return
	}
	sum := sha256.Sum256(b)
	tmp := path + "." + hex.EncodeToString(sum[:4]) + ".tmp"
	if os.WriteFile(tmp, b, 0o600) != nil {
		os.Remove(tmp)
		return
	}
	if os.Rename(tmp, path) != nil {
		os.Remove(tmp)
	}
}
