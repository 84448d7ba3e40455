package host

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/hostfuncs"
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

	compiled *extism.CompiledPlugin
	schemas  map[string]*argsSchema
	pool     *pool

	mu      sync.Mutex
	active  sync.WaitGroup
	closing bool
	// calls is the parent of every call's context; Close cancels it, with
	// errPluginClosed, for the calls still running past its grace period.
	calls     context.Context
	stopCalls context.CancelCauseFunc
}

// errPluginClosed is the cause of a call stopped because its plugin was
// unloaded, replaced or the host shut down while it ran.
var errPluginClosed = errors.New("the plugin was unloaded or the host shut down before the call finished; call the tool again")

// maxPluginBytes caps the size of a .wasm file the host will read.
const maxPluginBytes = 128 << 20

// describeTimeout bounds the describe call of a plugin being loaded.
const describeTimeout = 10 * time.Second

var (
	pluginNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	toolNameRE   = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)
)

// loader compiles and checks plugins. It is shared by all plugins of a host.
type loader struct {
	cfg   Config
	funcs []extism.HostFunction
	cache wazero.CompilationCache // nil: no on-disk cache
}

// load reads, compiles, describes and checks the plugin at path.
func (l *loader) load(ctx context.Context, path string) (*Plugin, error) {
	data, err := readPluginFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	pl := &Plugin{File: path, SHA256: hex.EncodeToString(sum[:])}
	if err := l.checkFilePin(path, pl.SHA256); err != nil {
		return nil, err // before any of the file's code runs
	}
	pl.calls, pl.stopCalls = context.WithCancelCause(context.Background())

	limits := l.cfg.Limits.Or(defaultLimits)
	compiled, err := l.compile(ctx, data, limits.MemoryMiB)
	if err != nil {
		return nil, err
	}
	desc, err := describe(ctx, compiled)
	if err != nil {
		compiled.Close(ctx)
		return nil, err
	}
	pc := l.cfg.Plugins[desc.Name]
	if pc.SHA256 != "" && !strings.EqualFold(pc.SHA256, pl.SHA256) {
		compiled.Close(ctx)
		return nil, pinMismatch(desc.Name, pc.SHA256, pl.SHA256)
	}
	if pc.SHA256 == "" && l.cfg.RequireSHA256 {
		compiled.Close(ctx)
		return nil, fmt.Errorf("plugin %q has no sha256 pin, and require_sha256 is on: pin it with plugins.%s.sha256: %s", desc.Name, desc.Name, pl.SHA256)
	}
	pl.Desc = desc
	pl.Limits = pc.Limits.Or(limits)
	if pl.Limits.MemoryMiB != limits.MemoryMiB {
		// The memory cap is a compile-time setting: compile again with the
		// plugin's own (a cache hit, when the cache is on).
		compiled.Close(ctx)
		if compiled, err = l.compile(ctx, data, pl.Limits.MemoryMiB); err != nil {
			return nil, err
		}
	}
	pl.compiled = compiled
	if err := l.check(pl, pc); err != nil {
		compiled.Close(ctx)
		return nil, err
	}
	pl.pool = newPool(l.cfg.Pool.Or(defaultPool), pl.newInstance)
	return pl, nil
}

// checkFilePin checks a plugin file's digest before it is compiled. The pin
// of the plugin named like the file (github.wasm → plugins.github.sha256)
// must match, so that a file put in the place of a pinned plugin is refused
// whatever name it gives itself; with require_sha256, the digest must be one
// of the pinned ones, so that no unpinned code runs at all. load checks the
// pin of the name the plugin declares, after describe.
func (l *loader) checkFilePin(path, digest string) error {
	stem := fileStem(path)
	if pin := l.cfg.Plugins[stem].SHA256; pin != "" && !strings.EqualFold(pin, digest) {
		return pinMismatch(stem, pin, digest)
	}
	if !l.cfg.RequireSHA256 {
		return nil
	}
	for _, pc := range l.cfg.Plugins {
		if strings.EqualFold(pc.SHA256, digest) {
			return nil
		}
	}
	return fmt.Errorf("no plugin is pinned to this file's sha256 %s, and require_sha256 is on", digest)
}

func pinMismatch(name, pin, digest string) error {
	return fmt.Errorf("sha256 mismatch for plugin %q: the config pins %s, the file has %s", name, strings.ToLower(pin), digest)
}

// fileStem is a plugin file's name without its extension: github.wasm →
// github, the plugin name whose config entry also binds the file.
func fileStem(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

func readPluginFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxPluginBytes {
		return nil, fmt.Errorf("file is %d bytes, above the limit of %d", st.Size(), maxPluginBytes)
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil && st.Size() > 0 {
		return nil, err
	}
	if len(data) < 8 || string(data[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly module (bad magic number)")
	}
	return data, nil
}

// compile builds the module with the sandbox settings: WASI on (stock Go
// needs it) but with no files, environment or arguments; Extism's own HTTP
// function given no allowed hosts; guests closed when their context ends.
func (l *loader) compile(ctx context.Context, data []byte, memoryMiB int) (*extism.CompiledPlugin, error) {
	rc := wazero.NewRuntimeConfig().WithCloseOnContextDone(true)
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
}

func newInstanceOf(ctx context.Context, c *extism.CompiledPlugin) (*instance, error) {
	inst := &instance{}
	// wazero calls the notifier when a module of this instance closes,
	// whatever the cause; it is read from the context at instantiation.
	ctx = experimental.WithCloseNotifier(ctx, experimental.CloseNotifyFunc(func(context.Context, uint32) {
		inst.closed.Store(true)
	}))
	p, err := c.Instance(ctx, extism.PluginInstanceConfig{ModuleConfig: moduleConfig().WithStderr(&inst.stderr)})
	if err != nil {
		return nil, fmt.Errorf("instantiating: %w", err)
	}
	inst.Plugin = p
	p.SetLogger(func(extism.LogLevel, string) {}) // guests log through abi.FuncLog
	for _, name := range []string{abi.ExportDescribe, abi.ExportCall} {
		if !p.FunctionExists(name) {
			closeInstance(inst)
			return nil, fmt.Errorf("guest does not export %q: is it built with this project's pdk, for ABI version %d?", name, abi.Version)
		}
	}
	return inst, nil
}

func (pl *Plugin) newInstance(ctx context.Context) (*instance, error) {
	return newInstanceOf(ctx, pl.compiled)
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
	var v struct {
		ABIVersion int `json:"abi_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return abi.Descriptor{}, fmt.Errorf("%s returned invalid JSON: %w", abi.ExportDescribe, err)
	}
	if v.ABIVersion != abi.Version {
		return abi.Descriptor{}, fmt.Errorf("plugin is built for ABI version %d; this host supports ABI version %d", v.ABIVersion, abi.Version)
	}
	var d abi.Descriptor
	if err := json.Unmarshal(out, &d); err != nil {
		return abi.Descriptor{}, fmt.Errorf("%s returned an invalid descriptor: %w", abi.ExportDescribe, err)
	}
	return d, nil
}

// check validates the descriptor and builds the plugin's policy and schemas.
func (l *loader) check(pl *Plugin, pc PluginConfig) error {
	d := pl.Desc
	if !pluginNameRE.MatchString(d.Name) {
		return fmt.Errorf("plugin name %q is invalid: use 1-64 of a-z, 0-9, '_' and '-'", d.Name)
	}
	if !pluginNameRE.MatchString(d.Provider) {
		return fmt.Errorf("plugin %q: provider %q is invalid", d.Name, d.Provider)
	}
	if len(d.Tools) == 0 {
		return fmt.Errorf("plugin %q declares no tools", d.Name)
	}
	if err := checkProviderHosts(d.Provider, d.Hosts, l.cfg.Providers); err != nil {
		return fmt.Errorf("plugin %q: %w", d.Name, err)
	}
	policy, err := hostfuncs.NewPolicy(d.Hosts, pc.Upstreams)
	if err != nil {
		return fmt.Errorf("plugin %q: %w", d.Name, err)
	}
	pl.Policy = policy
	pl.schemas = make(map[string]*argsSchema, len(d.Tools))
	for _, t := range d.Tools {
		if !toolNameRE.MatchString(t.Name) {
			return fmt.Errorf("plugin %q: tool name %q is invalid: use 1-128 of A-Z, a-z, 0-9, '_', '.' and '-'", d.Name, t.Name)
		}
		if _, dup := pl.schemas[t.Name]; dup {
			return fmt.Errorf("plugin %q declares tool %q twice", d.Name, t.Name)
		}
		s, err := compileSchema(t.Name, t.InputSchema)
		if err != nil {
			return fmt.Errorf("plugin %q: %w", d.Name, err)
		}
		pl.schemas[t.Name] = s
	}
	return nil
}

// acquire marks a call in flight; false once the plugin is being unloaded.
func (pl *Plugin) acquire() bool {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.closing {
		return false
	}
	pl.active.Add(1)
	return true
}

func (pl *Plugin) release() { pl.active.Done() }

// Close refuses new calls and waits for calls in flight until ctx ends; then
// it stops those still running and waits for them to return (a guest is
// closed as soon as its context ends, and host functions honour it), so the
// compiled code is never freed under a running call. Then it frees the
// plugin's instances and compiled code.
func (pl *Plugin) Close(ctx context.Context) error {
	pl.mu.Lock()
	pl.closing = true
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
	pl.pool.close()
	return pl.compiled.Close(context.Background())
}

// Name is the plugin's declared name; Base its file name.
func (pl *Plugin) Name() string { return pl.Desc.Name }

// Base returns the plugin file's base name.
func (pl *Plugin) Base() string { return filepath.Base(pl.File) }

// Stats returns the plugin's instance pool counters.
func (pl *Plugin) Stats() PoolStats { return pl.pool.snapshot() }
