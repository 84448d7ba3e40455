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
	"runtime"
	"strings"

	extism "github.com/extism/go-sdk"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// load reads, checks and describes the plugin at path, and compiles it.
//
// A plugin whose descriptor is in the on-disk cache (by the digest of its
// file) is returned at once, described and checked, and compiles in the
// background: tools/list need not wait for compilation, and a call waits
// only for its own plugin (Plugin.wait). Otherwise load compiles, asks a
// first instance for the descriptor and caches it. Either way every check
// runs before the plugin is returned: pins, names, hosts, schemas.
//
// Loads run concurrently, each on its own deadlines (describeTimeout,
// schemaTimeout), and only the steps bound by CPU or memory, reading,
// metering and compiling, wait for one of compileSlots: a plugin slow to
// describe itself delays no other. The error's text is bounded and escaped: it may quote what the
// plugin wrote.
func (l *loader) load(ctx context.Context, path string) (*Plugin, error) {
	pl, err := l.loadFile(ctx, path)
	if err != nil {
		return nil, &loadFailure{msg: safetext.Bounded(err.Error(), maxLoadErrorBytes), err: err}
	}
	return pl, nil
}

func (l *loader) loadFile(ctx context.Context, path string) (*Plugin, error) {
	pl, err := l.prepare(ctx, path)
	if err != nil {
		return nil, err
	}
	desc, described := l.cachedDescriptor(pl.SHA256)
	var (
		mr   meterResult
		data []byte
	)
	if rec, ok := l.cachedMeterRecord(pl.SHA256); ok && described {
		// Described and metered before: tools/list need not wait for the
		// module to be read, let alone metered or compiled.
		l.setMetered(pl, rec)
	} else {
		if data, err = l.fileOf(pl); err != nil {
			return nil, err
		}
		if mr, err = l.meterInSlot(ctx, data, pl.SHA256); err != nil {
			return nil, err
		}
		l.setMetered(pl, mr)
	}
	if described {
		// The descriptor is what this very module answered before, and its
		// schemas compiled then: tools/list need not wait for them either.
		// They compile with the code, at the plugin's first call or at
		// start with pool.preload (resident.go); a call waits for both.
		pl.schemasLater = true
		if err := l.configure(ctx, pl, desc); err != nil {
			return nil, err
		}
		return pl, nil
	}
	code, metered := mr.Code, mr.Metered

	limits := l.cfg.Limits.Or(defaultLimits)
	compiled, err := l.compileInSlot(ctx, code, metered, limits.MemoryMiB)
	if err != nil {
		return nil, err
	}
	desc, err = l.describe(ctx, path, compiled)
	err = explainImports(err, data)
	if err == nil {
		err = l.configure(ctx, pl, desc)
	}
	if err != nil {
		compiled.Close(context.Background())
		return nil, err
	}
	if pl.Limits.MemoryMiB != limits.MemoryMiB {
		// The memory cap is a compile-time setting: compile again with the
		// plugin's own (a cache hit, when the cache is on).
		compiled.Close(context.Background())
		if compiled, err = l.compileInSlot(ctx, code, metered, pl.Limits.MemoryMiB); err != nil {
			return nil, err
		}
	}
	pl.res = residentOf(compiled)
	l.storeDescriptor(pl.SHA256, desc)
	return pl, nil
}

// setMetered records what metering found on pl.
func (l *loader) setMetered(pl *Plugin, mr meterResult) {
	pl.Metered = mr.Metered
	// Resets need both memories outside the Go heap and go-sdk's modules.
	pl.Resettable = mr.Resettable && mainModuleErr == nil && kernelModuleErr == nil && !l.cfg.Pool.PerUser
}

// bringer returns how pl's code is loaded, at its first call and again
// after it was unloaded (resident.go): its schemas compiled, the first time
// only for a descriptor from the cache; its metered code from the cache, or
// metered again from the file, whose digest must still be pl's; compiled,
// from the compilation cache when it has it, in one of compileSlots.
func (l *loader) bringer(pl *Plugin) func(context.Context) (*extism.CompiledPlugin, error) {
	return func(ctx context.Context) (*extism.CompiledPlugin, error) {
		if pl.schemas == nil {
			schemas, err := compileSchemas(ctx, pl.Desc.Tools)
			if err != nil {
				return nil, fmt.Errorf("plugin %q: %w", pl.Desc.Name, err)
			}
			pl.schemas = schemas // before ready closes: calls read it after
		}
		release, err := takeSlot(ctx, compileSlots)
		if err != nil {
			return nil, err
		}
		defer release()
		mr, err := l.codeOf(pl)
		if err != nil {
			return nil, err
		}
		if mr.Metered != pl.Metered {
			return nil, fmt.Errorf("the plugin's code is not the code it was loaded with (metered %v, then %v): clear the cache directory", pl.Metered, mr.Metered)
		}
		return l.compile(ctx, mr.Code, mr.Metered, pl.Limits.MemoryMiB)
	}
}

// codeOf returns pl's metered code from the cache, or meters it again from
// its file, which must still have pl's digest.
func (l *loader) codeOf(pl *Plugin) (meterResult, error) {
	if _, ok := l.cachedMeterRecord(pl.SHA256); ok {
		if mr, err := l.metered(nil, pl.SHA256); err == nil && mr.Code != nil {
			return mr, nil
		}
	}
	data, err := l.fileOf(pl)
	if err != nil {
		return meterResult{}, err
	}
	return l.metered(data, pl.SHA256)
}

// fileOf reads pl's file, which must still have the digest it was loaded
// (and checked, and listed) with.
func (l *loader) fileOf(pl *Plugin) ([]byte, error) {
	data, err := readPluginFile(pl.File)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != pl.SHA256 {
		return nil, fmt.Errorf("the plugin file changed since it was loaded (sha256 %s, now %s); it is loaded again when the change is seen", pl.SHA256, got)
	}
	return data, nil
}

// prepare takes the digest of the plugin file at path (digestcache.go) and
// checks its pin, in one of compileSlots. It streams the file: a plugin
// whose descriptor and metered code are cached is never held in memory
// whole (see fileOf).
func (l *loader) prepare(ctx context.Context, path string) (*Plugin, error) {
	release, err := takeSlot(ctx, compileSlots)
	if err != nil {
		return nil, err
	}
	defer release()
	digest, err := l.digestOf(path)
	if err != nil {
		return nil, err
	}
	pl := &Plugin{File: path, SHA256: digest}
	if err := l.checkPulledFile(path); err != nil {
		return nil, err
	}
	if err := l.checkFilePin(path, pl.SHA256); err != nil {
		return nil, err // before any of the file's code runs
	}
	pl.calls, pl.stopCalls = context.WithCancelCause(context.Background())
	return pl, nil
}

// meterInSlot meters data (or reads its metered code from the cache) in one
// of compileSlots.
func (l *loader) meterInSlot(ctx context.Context, data []byte, digest string) (meterResult, error) {
	release, err := takeSlot(ctx, compileSlots)
	if err != nil {
		return meterResult{}, err
	}
	defer release()
	return l.metered(data, digest)
}

// backgroundCompiles bounds the compiles running in the background to one
// fewer than the cores.
var backgroundCompiles = make(chan struct{}, max(runtime.GOMAXPROCS(0)-1, 1))

// compileSlots bounds the loads reading, metering or compiling at once, all
// hosts of the process together, to the cores (at least two).
var compileSlots = make(chan struct{}, max(runtime.GOMAXPROCS(0), 2))

// takeSlot waits for a slot of slots, or for ctx to end.
func takeSlot(ctx context.Context, slots chan struct{}) (release func(), err error) {
	if ctx.Err() != nil {
		return nil, fmt.Errorf("loading was stopped before the plugin compiled: %w", context.Cause(ctx))
	}
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("loading was stopped before the plugin compiled: %w", context.Cause(ctx))
	}
}

// compileInSlot compiles in one of compileSlots.
func (l *loader) compileInSlot(ctx context.Context, code []byte, metered bool, memoryMiB int) (*extism.CompiledPlugin, error) {
	release, err := takeSlot(ctx, compileSlots)
	if err != nil {
		return nil, err
	}
	defer release()
	return l.compile(ctx, code, metered, memoryMiB)
}

// describe asks the plugin loaded from path for its descriptor, within
// describeTimeout (or the loader's shorter describeLimit) and ctx, and says
// which of them ended it.
func (l *loader) describe(ctx context.Context, path string, c *extism.CompiledPlugin) (abi.Descriptor, error) {
	limit := describeTimeout
	if l.describeLimit > 0 {
		limit = min(l.describeLimit, limit)
	}
	if l.describing != nil {
		l.describing(path)
	}
	dctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	d, err := describe(dctx, c)
	switch {
	case err == nil:
		return d, nil
	case ctx.Err() != nil:
		return d, fmt.Errorf("loading was stopped before the plugin described itself: %w", context.Cause(ctx))
	case dctx.Err() != nil:
		return d, fmt.Errorf("the plugin did not describe itself within %v, the host's limit: its %s export, or its initialisation, is stuck or too slow", limit, abi.ExportDescribe)
	}
	return d, err
}

// loadFailure is a load error whose text is bounded and escaped.
type loadFailure struct {
	msg string
	err error
}

func (e *loadFailure) Error() string { return e.msg }
func (e *loadFailure) Unwrap() error { return e.err }

// configure checks the descriptor against the host's rules and the
// operator's pins, and sets the plugin's limits, policy, schemas and pool.
func (l *loader) configure(ctx context.Context, pl *Plugin, desc abi.Descriptor) error {
	pl.Desc = desc
	pc := l.cfg.Plugins[desc.Name]
	if err := l.check(ctx, pl, pc); err != nil {
		return err
	}
	if err := l.checkPulledName(pl.File, desc.Name); err != nil {
		return err
	}
	if pc.SHA256 != "" && !strings.EqualFold(pc.SHA256, pl.SHA256) {
		return pinMismatch(desc.Name, pc.SHA256, pl.SHA256)
	}
	if pc.SHA256 == "" && l.cfg.RequireSHA256 {
		return fmt.Errorf("plugin %q has no sha256 pin, and require_sha256 is on: pin it with plugins.%s.sha256: %s", desc.Name, desc.Name, pl.SHA256)
	}
	pl.Limits = pc.Limits.Or(l.cfg.Limits.Or(defaultLimits))
	pl.budget, pl.logger = l.budget, l.logger
	pl.footprint.Store(initialFootprint)
	pcfg := l.cfg.Pool.Or(defaultPool)
	pl.pool = newPool(pcfg, pl.newInstance, l.logger)
	pl.bring = l.bringer(pl)
	if l.cacheDir != "" { // without the caches, loading again is a full compile
		pl.unloadAfter = pcfg.UnloadAfter
	}
	return nil
}

// descriptorPath is where the descriptor of the module with the given
// digest is cached, for this ABI version; "" without a cache.
func (l *loader) descriptorPath(digest string) string {
	if l.cacheDir == "" {
		return ""
	}
	return filepath.Join(l.cacheDir, "descriptors", fmt.Sprintf("abi%d-%s.json", abi.Version, digest))
}

// cachedDescriptor returns the cached descriptor of the module with digest.
// It is what that very module answered before, and is checked again like a
// fresh one.
func (l *loader) cachedDescriptor(digest string) (abi.Descriptor, bool) {
	path := l.descriptorPath(digest)
	if path == "" {
		return abi.Descriptor{}, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return abi.Descriptor{}, false
	}
	d, err := decodeDescriptor(b)
	return d, err == nil
}

func (l *loader) storeDescriptor(digest string, d abi.Descriptor) {
	if path := l.descriptorPath(digest); path != "" {
		if b, err := json.Marshal(d); err == nil {
			writeCacheFile(path, b)
		}
	}
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
	if err := checkPluginSize(st.Size()); err != nil {
		return nil, err
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil && st.Size() > 0 {
		return nil, err
	}
	if err := checkWasmHead(data); err != nil {
		return nil, err
	}
	return data, nil
}

// checkPluginSize refuses a plugin file above maxPluginBytes.
func checkPluginSize(n int64) error {
	if n > maxPluginBytes {
		return fmt.Errorf("file is %d bytes, above the limit of %d", n, maxPluginBytes)
	}
	return nil
}

// checkWasmHead refuses bytes that do not begin a WebAssembly module: its
// magic number, and a version after it.
func checkWasmHead(b []byte) error {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return errors.New("not a WebAssembly module (bad magic number)")
	}
	return nil
}
