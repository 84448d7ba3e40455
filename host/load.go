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
)

// load reads, checks and describes the plugin at path, and compiles it.
//
// A plugin whose descriptor is in the on-disk cache (by the digest of its
// file) is returned at once, described and checked, and compiles in the
// background: tools/list need not wait for compilation, and a call waits
// only for its own plugin (Plugin.wait). Otherwise load compiles, asks a
// first instance for the descriptor and caches it. Either way every check
// runs before the plugin is returned: pins, names, hosts, schemas.
func (l *loader) load(ctx context.Context, path string) (*Plugin, error) {
	data, err := readPluginFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	pl := &Plugin{File: path, SHA256: hex.EncodeToString(sum[:]), ready: make(chan struct{})}
	if err := l.checkFilePin(path, pl.SHA256); err != nil {
		return nil, err // before any of the file's code runs
	}
	pl.calls, pl.stopCalls = context.WithCancelCause(context.Background())

	mr, err := l.metered(data, pl.SHA256)
	if err != nil {
		return nil, err
	}
	code, metered := mr.Code, mr.Metered
	pl.Metered = metered
	// Resets need both memories outside the Go heap and go-sdk's modules.
	pl.Resettable = mr.Resettable && mainModuleErr == nil && kernelModuleErr == nil && !l.cfg.Pool.PerUser
	if desc, ok := l.cachedDescriptor(pl.SHA256); ok {
		if err := l.configure(pl, desc); err != nil {
			return nil, err
		}
		go func() {
			// Background compiles leave a core to the server, which
			// answers tools/list meanwhile.
			backgroundCompiles <- struct{}{}
			defer func() { <-backgroundCompiles }()
			compiled, err := l.compile(context.Background(), code, metered, pl.Limits.MemoryMiB)
			pl.setCompiled(compiled, err)
		}()
		return pl, nil
	}

	limits := l.cfg.Limits.Or(defaultLimits)
	compiled, err := l.compile(ctx, code, metered, limits.MemoryMiB)
	if err != nil {
		return nil, err
	}
	desc, err := describe(ctx, compiled)
	if err == nil {
		err = l.configure(pl, desc)
	}
	if err != nil {
		compiled.Close(ctx)
		return nil, err
	}
	if pl.Limits.MemoryMiB != limits.MemoryMiB {
		// The memory cap is a compile-time setting: compile again with the
		// plugin's own (a cache hit, when the cache is on).
		compiled.Close(ctx)
		if compiled, err = l.compile(ctx, code, metered, pl.Limits.MemoryMiB); err != nil {
			return nil, err
		}
	}
	pl.setCompiled(compiled, nil)
	l.storeDescriptor(pl.SHA256, desc)
	return pl, nil
}

// backgroundCompiles bounds the compiles running in the background to one
// fewer than the cores.
var backgroundCompiles = make(chan struct{}, max(runtime.GOMAXPROCS(0)-1, 1))

// configure checks the descriptor against the operator's pins and the
// host's rules, and sets the plugin's limits, policy, schemas and pool.
func (l *loader) configure(pl *Plugin, desc abi.Descriptor) error {
	pc := l.cfg.Plugins[desc.Name]
	if pc.SHA256 != "" && !strings.EqualFold(pc.SHA256, pl.SHA256) {
		return pinMismatch(desc.Name, pc.SHA256, pl.SHA256)
	}
	if pc.SHA256 == "" && l.cfg.RequireSHA256 {
		return fmt.Errorf("plugin %q has no sha256 pin, and require_sha256 is on: pin it with plugins.%s.sha256: %s", desc.Name, desc.Name, pl.SHA256)
	}
	pl.Desc = desc
	pl.Limits = pc.Limits.Or(l.cfg.Limits.Or(defaultLimits))
	if err := l.check(pl, pc); err != nil {
		return err
	}
	pl.budget, pl.logger = l.budget, l.logger
	pl.footprint.Store(initialFootprint)
	pl.pool = newPool(l.cfg.Pool.Or(defaultPool), pl.newInstance, pl.newCleanInstance, l.logger)
	return nil
}

// setCompiled makes the plugin ready, or failed for good with err.
func (pl *Plugin) setCompiled(c *extism.CompiledPlugin, err error) {
	if err != nil {
		pl.readyErr = fmt.Errorf("compiling the plugin failed: %w", err)
	} else {
		pl.compiled = c
	}
	close(pl.ready)
}

// Ready blocks until the plugin has compiled, or ctx ends; the error says
// why it never will, or that ctx ended first.
func (pl *Plugin) Ready(ctx context.Context) error { return pl.wait(ctx) }

// wait blocks until the plugin has compiled or ctx ends.
func (pl *Plugin) wait(ctx context.Context) error {
	select {
	case <-pl.ready:
		return pl.readyErr
	case <-ctx.Done():
		return fmt.Errorf("the plugin was still compiling: %w", ctx.Err())
	}
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
	var d abi.Descriptor
	if json.Unmarshal(b, &d) != nil || d.ABIVersion != abi.Version {
		return abi.Descriptor{}, false
	}
	return d, true
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
