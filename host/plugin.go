package host

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/hostfuncs"
	"github.com/wasmcp/wasmcp/internal/toolschema"
)

// Plugin is one loaded .wasm file: compiled once, described, checked, with
// its pool of instances. It is immutable once loaded, but for the pool.
type Plugin struct {
	// File is the plugin's path; SHA256 the hex digest of its bytes.
	File   string
	SHA256 string
	// Desc is what the plugin said of itself.
	Desc abi.Descriptor
	// Limits are the plugin's effective per-call limits.
	Limits Limits
	// Policy is its network policy, after the operator's upstreams.
	Policy *hostfuncs.Policy
	// Metered says the plugin runs metered (see metering.go); false for a
	// module the instrumenter could not handle, which runs with wazero's
	// close-on-context-done.
	Metered bool
	// Resettable says its instances are reset after each call and shared by
	// all users (see reset.go); false keeps one instance per user.
	Resettable bool

	// budget is the host's memory budget (nil: none), and footprint the
	// bytes an instance of this plugin holds, as last measured.
	budget    *memBudget
	footprint atomic.Int64
	// warmUpFailed is set when a new instance's warm-up failed: the
	// plugin's instances are then kept per user (see newResettable).
	warmUpFailed atomic.Bool
	logger       *slog.Logger

	schemas map[string]toolschema.Tool
	pool    *pool
	// listed is the plugin's tools as tools/list lists them (check sets it).
	listed listing

	// res is the plugin's compiled code while it is in memory, nil while
	// it is not (see resident.go); bring loads it, from the caches or the
	// file. onCompileFailed, when set, is told of a load that failed.
	res             *resident
	bring           func(context.Context) (*extism.CompiledPlugin, error)
	onCompileFailed func()
	// unloadAfter is PoolConfig.UnloadAfter (0: never), lastCall when the
	// last call ended (Unix nanoseconds), unloadTimer the next tryUnload,
	// and loads and unloads count the code's loads and unloads.
	unloadAfter    time.Duration
	lastCall       atomic.Int64
	unloadTimer    *time.Timer
	loads, unloads atomic.Int64
	// cloned counts the instances that started from the plugin's template
	// instead of initialising (template.go).
	cloned atomic.Int64
	// schemasLater defers compiling the tools' schemas to the first load
	// of the code, for a descriptor from the cache (load.go); schemas is
	// set before that load's ready closes.
	schemasLater bool

	// mu guards res, closing and unloadTimer; inflight counts the calls
	// between acquire and release, active waits for them.
	mu       sync.Mutex
	active   sync.WaitGroup
	inflight atomic.Int64
	closing  bool
	// calls is the parent of every call's context; Close cancels it, with
	// errPluginClosed, for the calls still running past its grace period.
	calls     context.Context
	stopCalls context.CancelCauseFunc
}

// errPluginClosed is the cause of a call stopped because its plugin was
// unloaded, replaced or the host shut down while it ran.
var errPluginClosed = errors.New("the plugin was unloaded or the host shut down before the call finished; call the tool again")

// loader compiles and checks plugins. It is shared by all plugins of a host.
type loader struct {
	cfg   Config
	funcs []extism.HostFunction
	cache wazero.CompilationCache // nil: no on-disk cache
	// budget is the host's memory budget for instances; nil for none.
	budget *memBudget
	logger *slog.Logger
	// cacheDir holds the on-disk caches (wazero's, metered modules,
	// descriptors); "" when caching is off.
	cacheDir string
	// describeLimit, when set, shortens describeTimeout, and describing is
	// told of each describe call as it starts (see load.go). Only tests set
	// them.
	describeLimit time.Duration
	describing    func(path string)
	// digestSettle, when set, replaces settledAge (digestcache.go). Only
	// tests set it.
	digestSettle time.Duration
	// started gates the background compiles (startgate.go).
	started *startGate
}

// compile builds the module with the sandbox settings: WASI on (stock Go
// needs it) but with no files, environment or arguments; Extism's own HTTP
// function given no allowed hosts; guests stopped when their context ends,
// by their meter (see metering.go) or, for a module that could not be
// metered, by wazero's close-on-context-done.
func (l *loader) compile(ctx context.Context, data []byte, metered bool, memoryMiB int) (*extism.CompiledPlugin, error) {
	rc := wazero.NewRuntimeConfig().WithCloseOnContextDone(!metered)
	if l.cache != nil {
		rc = rc.WithCompilationCache(l.cache)
	}
	manifest := extism.Manifest{
		Wasm:   []extism.Wasm{extism.WasmData{Data: data}},
		Memory: &extism.ManifestMemory{MaxPages: uint32(memoryMiB) * 16, MaxHttpResponseBytes: 0, MaxVarBytes: 0},
	}
	compiled, err := extism.NewCompiledPlugin(ctx, manifest, extism.PluginConfig{
		RuntimeConfig: rc,
		EnableWasi:    true,
	}, l.funcs)
	if err != nil {
		return nil, fmt.Errorf("compiling: %w", err)
	}
	return compiled, nil
}

// moduleConfig is every instance's sandbox: a real clock and random source,
// and nothing else from the host.
func moduleConfig() wazero.ModuleConfig {
	return wazero.NewModuleConfig().
		WithSysWalltime().
		WithSysNanotime().
		WithRandSource(rand.Reader)
}

// instance is one instance of a plugin, and whether wazero has closed its
// module: the guest exited (WASI proc_exit), or the host closed it. go-sdk
// reports an exit with status 0 as a successful call, output included, and
// leaves the instance looking callable; the flag keeps the pool from
// handing such an instance out again.
type instance struct {
	*extism.Plugin
	closed atomic.Bool
	stderr guestStderr
	// memory is the guest module's own memory, for the direct host
	// functions; nil when it cannot be had (see guestmem.go).
	memory api.Memory
	// mems are the instance's linear memories, outside the Go heap (nil off
	// Linux); reset is its reset point, nil for an instance kept per user.
	mems  *memoryRecorder
	reset *resetState
	// vmem is the guest's virtual memory size (see vmem.go), and guestMem
	// its linear memory when it is ours (nil off Linux).
	vmem     vmem
	guestMem *linearMemory
	// used is set once a call has taken the instance, and sparedAt when it
	// last joined the pool's clean instances (see poolspare.go).
	used     bool
	sparedAt time.Time
	// release gives the instance's share of the memory budget back.
	release func()
}

func newInstanceOf(ctx context.Context, c *extism.CompiledPlugin) (*instance, error) {
	if err := checkEnvironment(); err != nil {
		return nil, err
	}
	inst := &instance{}
	// wazero calls the notifier when a module of this instance closes,
	// whatever the cause; it is read from the context at instantiation.
	ctx = experimental.WithCloseNotifier(ctx, experimental.CloseNotifyFunc(func(context.Context, uint32) {
		inst.closed.Store(true)
	}))
	ctx, inst.mems = recordMemories(ctx)
	p, err := c.Instance(ctx, extism.PluginInstanceConfig{ModuleConfig: moduleConfig().WithStdout(io.Discard).WithStderr(&inst.stderr)})
	if err != nil {
		if inst.mems != nil {
			inst.mems.unmap() // go-sdk closed what it had instantiated
		}
		return nil, fmt.Errorf("instantiating: %w", err)
	}
	cacheFunctions(p)
	inst.Plugin = p
	inst.memory = guestMemory(p)
	if inst.memory != nil {
		inst.vmem.pages = inst.memory.Size() / pageSize
		inst.guestMem = inst.mems.find(inst.memory)
	}
	liveInstances.Store(p, inst)
	p.SetLogger(func(extism.LogLevel, string) {}) // guests log through abi.FuncLog
	for _, name := range []string{abi.ExportDescribe, abi.ExportCall} {
		if !p.FunctionExists(name) {
			closeInstance(inst)
			return nil, fmt.Errorf("guest does not export %q: is it built with this project's pdk, for ABI version %d?", name, abi.Version)
		}
	}
	return inst, nil
}

// newInstance returns a new instance, charged to the memory budget. For a
// resettable plugin it is made ready to be reset (see newResettable), in no
// call's context, whether a call or the warm set asked for it: a call that
// found no clean instance pays the warm-up once, and the instance then
// serves every later call as the warm ones do.
func (pl *Plugin) newInstance(ctx context.Context) (*instance, error) {
	if pl.Resettable && !pl.warmUpFailed.Load() {
		return pl.charged(ctx, func() (*instance, error) { return pl.newResettable(ctx) })
	}
	return pl.charged(ctx, func() (*instance, error) {
		r, err := pl.loaded(ctx)
		if err != nil {
			return nil, err
		}
		inst, err := r.instantiate(ctx, false)
		if errors.Is(err, errStripped) && pl.Resettable {
			// An earlier instance warmed up and became the template, and
			// the code kept only what instances made from it need.
			return pl.newResettable(ctx)
		}
		return inst, err
	})
}

// charged makes an instance with make, holding its share of the memory
// budget until it closes.
func (pl *Plugin) charged(ctx context.Context, make func() (*instance, error)) (*instance, error) {
	if err := pl.wait(ctx); err != nil {
		return nil, err
	}
	need := pl.footprint.Load()
	release, err := pl.budget.acquire(ctx, pl.Name(), need)
	if err != nil {
		return nil, err
	}
	inst, err := make()
	if err != nil {
		release()
		return nil, err
	}
	inst.release = release
	if n := inst.footprint(); n > need {
		// Charge what the instance really holds, and estimate the next
		// ones by it.
		pl.footprint.Store(n)
		more, err := pl.budget.acquire(ctx, pl.Name(), n-need)
		if err != nil {
			closeInstance(inst)
			return nil, err
		}
		inst.release = func() { release(); more() }
	}
	return inst, nil
}

// initInstance runs the guest's runtime initialisation (Go's _initialize)
// through a harmless call.
func initInstance(ctx context.Context, inst *instance) error {
	_, _, err := inst.CallWithContext(ctx, abi.ExportDescribe, nil)
	return err
}

// describe asks a fresh instance for the plugin's Descriptor. The call runs
// with no per-call state, so the guest can reach no host.
func describe(ctx context.Context, c *extism.CompiledPlugin) (abi.Descriptor, error) {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	inst, err := newInstanceOf(ctx, c)
	if err != nil {
		return abi.Descriptor{}, err
	}
	defer closeInstance(inst)
	_, out, err := inst.CallWithContext(ctx, abi.ExportDescribe, nil)
	if err != nil {
		return abi.Descriptor{}, fmt.Errorf("%s failed: %w", abi.ExportDescribe, err)
	}
	return decodeDescriptor(out) // see descriptor.go
}

// acquire marks a call in flight; false once the plugin is being unloaded.
func (pl *Plugin) acquire() bool {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.closing {
		return false
	}
	pl.active.Add(1)
	pl.inflight.Add(1)
	return true
}

func (pl *Plugin) release() {
	pl.lastCall.Store(time.Now().UnixNano())
	pl.inflight.Add(-1)
	pl.active.Done()
}

// Close refuses new calls and waits for calls in flight until ctx ends; then
// it stops those still running and waits for them to return (a guest is
// closed as soon as its context ends, and host functions honour it), so the
// compiled code is never freed under a running call. Then it frees the
// plugin's instances and compiled code.
func (pl *Plugin) Close(ctx context.Context) error {
	pl.mu.Lock()
	pl.closing = true
	if pl.unloadTimer != nil {
		pl.unloadTimer.Stop()
		pl.unloadTimer = nil
	}
	r := pl.res
	pl.mu.Unlock()
	done := make(chan struct{})
	go func() { pl.active.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		pl.stopCalls(errPluginClosed)
		<-done
	}
	pl.stopCalls(errPluginClosed)
	if r != nil {
		<-r.ready // a load in progress is not interrupted; it is short
	}
	pl.pool.close()
	if r == nil || r.compiled == nil {
		return nil
	}
	r.templates.drop()
	return r.compiled.Close(context.Background())
}

// Name is the plugin's declared name; Base its file name.
func (pl *Plugin) Name() string { return pl.Desc.Name }

// Base returns the plugin file's base name.
func (pl *Plugin) Base() string { return filepath.Base(pl.File) }

// Stats returns the plugin's instance pool counters.
func (pl *Plugin) Stats() PoolStats { return pl.pool.snapshot() }
