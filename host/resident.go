package host

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	extism "github.com/extism/go-sdk"

	"github.com/wasmcp/wasmcp/internal/safetext"
)

// A plugin's compiled code is in memory only while calls need it. A
// resident stock-Go plugin holds about 35 MB whether or not anyone calls
// it: 15–21 MB of machine code, 3–8 MB of decoded module (less once its
// data is given up, see datasegs.go) and its warm instances.
//
//   - A plugin described from the cache is listed at once and compiled at
//     its first call (or at start with PoolConfig.Preload), from the
//     compilation cache: about 100 ms for the github plugin, paid once.
//   - A plugin with no call for PoolConfig.UnloadAfter gives back its
//     instances and its compiled code; its next call loads them again the
//     same way. Only with an on-disk cache: without one, loading again is
//     a full compile.
//   - Unloading waits for a moment with no call in flight, no instance out
//     and no warm instance being made (pool.drain), checked under pl.mu,
//     which every call's acquire takes: no code is freed under a guest.
//
// See RATIONALE.md, "Why is a plugin's code loaded at its first call and
// unloaded when idle?".

// defaultUnloadAfter is PoolConfig.UnloadAfter's default.
const defaultUnloadAfter = 10 * time.Minute

// resident is one load of a plugin's compiled code.
type resident struct {
	ready    chan struct{} // closed once compiled or err is set
	compiled *extism.CompiledPlugin
	err      error
	// loadedAt is when the code came in, for the log line that says it is
	// unloaded.
	loadedAt time.Time
	// templates is the reset point the code's instances start from.
	templates templates
	// instMu is held for reading by every instantiation of the code, and
	// for writing while its module's data is given up (datasegs.go);
	// stripped says it was, tried that it was tried.
	instMu          sync.RWMutex
	stripped, tried bool
}

// errStripped refuses an instance made the long way from code whose
// module's data was given up for its template.
var errStripped = errors.New("a new instance of the plugin could not be made from its snapshot")

// instantiate makes an instance of the code. Once the module's data is
// given up, only an instance that takes the template's state at once
// (fromTemplate) may be made.
func (r *resident) instantiate(ctx context.Context, fromTemplate bool) (*instance, error) {
	r.instMu.RLock()
	defer r.instMu.RUnlock()
	if r.stripped && !fromTemplate {
		return nil, errStripped
	}
	return newInstanceOf(ctx, r.compiled)
}

// stripData gives up the module's data, once an instance has been made
// from the template (see dropModuleData).
func (r *resident) stripData() {
	r.instMu.Lock()
	defer r.instMu.Unlock()
	if !r.tried {
		r.tried = true
		r.stripped = dropModuleData(r.compiled)
	}
}

// residentOf returns a resident whose code is compiled already.
func residentOf(c *extism.CompiledPlugin) *resident {
	r := &resident{ready: make(chan struct{}), compiled: c, loadedAt: time.Now()}
	close(r.ready)
	return r
}

// code returns the plugin's compiled code, loading it if it is not in
// memory, once it is ready or ctx ends. The code stays loaded while the
// caller is on a call (acquire) or refilling the pool (see tryUnload).
func (pl *Plugin) code(ctx context.Context) (*extism.CompiledPlugin, error) {
	r, err := pl.loaded(ctx)
	if err != nil {
		return nil, err
	}
	return r.compiled, nil
}

// loaded is code, returning the load the code belongs to.
func (pl *Plugin) loaded(ctx context.Context) (*resident, error) {
	pl.mu.Lock()
	if pl.res == nil && pl.closing {
		pl.mu.Unlock()
		return nil, errPluginClosed
	}
	if pl.res == nil {
		pl.res = &resident{ready: make(chan struct{})}
		go pl.bringIn(pl.res)
	}
	r := pl.res
	pl.mu.Unlock()
	select {
	case <-r.ready:
		if r.err != nil {
			return nil, r.err
		}
		return r, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("the plugin was still compiling: %w", ctx.Err())
	}
}

// wait blocks until the plugin's code is in memory or ctx ends.
func (pl *Plugin) wait(ctx context.Context) error {
	_, err := pl.code(ctx)
	return err
}

// Ready blocks until the plugin has compiled, or ctx ends; the error says
// why it never will, or that ctx ended first.
func (pl *Plugin) Ready(ctx context.Context) error { return pl.wait(ctx) }

// Resident reports whether the plugin's compiled code is in memory now.
func (pl *Plugin) Resident() bool {
	pl.mu.Lock()
	r := pl.res
	pl.mu.Unlock()
	if r == nil {
		return false
	}
	select {
	case <-r.ready:
		return r.err == nil
	default:
		return false
	}
}

// bringIn loads r's code with pl.bring, in no call's context: every call
// that waits for it is served by it, and none of them may cancel it.
func (pl *Plugin) bringIn(r *resident) {
	start := time.Now()
	c, err := pl.bring(context.Background())
	if err != nil {
		r.err = fmt.Errorf("compiling the plugin failed: %w", err)
	} else {
		r.compiled, r.loadedAt = c, time.Now()
	}
	close(r.ready)
	if err != nil {
		// The error may quote the module (an import's name, a schema's
		// text): bounded and escaped.
		pl.logger.Error("plugin failed to compile", "plugin", pl.Name(), "err", safetext.Bounded(err.Error(), maxLoadErrorBytes))
		if pl.onCompileFailed != nil {
			pl.onCompileFailed()
		}
		return
	}
	pl.logger.Info("plugin code loaded", "plugin", pl.Name(), "ms", msSince(start))
	pl.settle()
}

// settle fills the warm set of code just loaded, starts counting its idle
// time, and gives the load's garbage back to the kernel.
func (pl *Plugin) settle() {
	pl.loads.Add(1)
	pl.lastCall.Store(time.Now().UnixNano()) // idle counts from the load, or the last call
	pl.pool.warm()
	pl.mu.Lock()
	pl.armUnloadLocked(pl.unloadAfter)
	pl.mu.Unlock()
	releaseLoadGarbage()
}

// armUnloadLocked schedules tryUnload in after, unless one is scheduled, the
// plugin does not unload, or it is closing. pl.mu is held.
func (pl *Plugin) armUnloadLocked(after time.Duration) {
	if pl.unloadAfter <= 0 || pl.closing || pl.unloadTimer != nil {
		return
	}
	pl.unloadTimer = time.AfterFunc(after, pl.tryUnload)
}

// tryUnload frees the plugin's instances and compiled code if no call has
// come for UnloadAfter and none is in flight, or schedules itself again.
func (pl *Plugin) tryUnload() {
	pl.mu.Lock()
	pl.unloadTimer = nil
	r := pl.res
	if r == nil || pl.closing {
		pl.mu.Unlock()
		return
	}
	select {
	case <-r.ready:
	default: // still loading: bringIn arms the timer once it is done
		pl.mu.Unlock()
		return
	}
	if r.err != nil {
		pl.mu.Unlock()
		return // nothing in memory; the failure stays until a reload
	}
	idle := time.Duration(time.Now().UnixNano() - pl.lastCall.Load())
	if pl.inflight.Load() > 0 || idle < pl.unloadAfter {
		pl.armUnloadLocked(max(pl.unloadAfter-idle, time.Second))
		pl.mu.Unlock()
		return
	}
	insts, ok := pl.pool.drain()
	if !ok { // an instance is still out or being made
		pl.armUnloadLocked(time.Second)
		pl.mu.Unlock()
		return
	}
	pl.res = nil
	pl.mu.Unlock()
	for _, inst := range insts {
		closeInstance(inst)
	}
	r.templates.drop()
	_ = r.compiled.Close(context.Background())
	pl.unloads.Add(1)
	pl.logger.Info("plugin code unloaded: no call for a while", "plugin", pl.Name(),
		"idle", idle.Round(time.Second).String(), "loaded_for", time.Since(r.loadedAt).Round(time.Second).String())
	releaseLoadGarbage()
}
