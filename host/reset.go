package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/host/meter"
	"github.com/wasmcp/wasmcp/hostfuncs"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// A resettable instance is brought back, after every call, to the state it
// had right after its runtime initialised, byte for byte: both linear
// memories (the guest's and the Extism kernel's, see linearMemory), every
// global of both modules (exported for the purpose by the meter, see
// guestMeter), and go-sdk's per-instance state that a guest can set (its
// Extism vars, the status and headers of Extism's own HTTP function). Only
// then may the pool hand it to another user. A module whose state does not
// all live there (it imports memories, tables or globals, changes its
// tables, or drops segments: see meter.Inspect) is never reset; it keeps one
// instance per user, as before. See RATIONALE.md, "Why reset instances
// instead of keeping one per user?".

// maxGlobals bounds the search for the exported globals of a module.
const maxGlobals = 1 << 12

// resetState is an instance's reset point.
type resetState struct {
	mems    []*linearMemory
	globals []savedGlobal
	pages   uint32 // the guest's virtual memory size
}

type savedGlobal struct {
	g api.MutableGlobal
	v uint64
}

// errNoReset says an instance cannot be reset; the pool keeps it per user.
var errNoReset = errors.New("the instance cannot be reset")

// snapshotInstance makes inst's current state its reset point. It is called
// once, right after the instance's runtime initialised, before any user's
// call.
func snapshotInstance(inst *instance) error {
	rec := inst.mems
	if rec == nil || rec.err != nil || len(rec.mems) != 2 {
		return fmt.Errorf("%w: %d linear memories of ours, want the kernel's and the guest's", errNoReset, len(rec.mems))
	}
	globals, err := instanceGlobals(inst.Plugin)
	if err != nil {
		return err
	}
	st := &resetState{mems: rec.mems, globals: globals}
	gm := inst.guestMem
	if gm == nil || inst.memory == nil {
		return fmt.Errorf("%w: the guest's memory is not one of ours", errNoReset)
	}
	for _, m := range st.mems {
		if err := m.snapshot(); err != nil {
			return err
		}
	}
	// The guest's real memory grows to its cap now, once: every instance
	// of the plugin then has the same real size whatever its calls did
	// (see vmem.go), and the pages above the snapshot read as zeros until
	// the guest grows into them.
	gm.grows = true
	st.pages = inst.vmem.pages
	if err := growTo(inst.memory, uint64(len(gm.buf))); err != nil {
		return err
	}
	inst.reset = st
	return nil
}

// instanceGlobals returns the globals the meter exported from p's guest
// and kernel modules, in that order, with their values now.
func instanceGlobals(p *extism.Plugin) ([]savedGlobal, error) {
	var out []savedGlobal
	for _, m := range []api.Module{guestModule(p), kernelModule(p)} {
		if m == nil {
			return nil, fmt.Errorf("%w: go-sdk's modules cannot be read", errNoReset)
		}
		gs, err := exportedGlobals(m)
		if err != nil {
			return nil, err
		}
		out = append(out, gs...)
	}
	return out, nil
}

// growTo grows mem to size bytes; it must not be larger already.
func growTo(mem api.Memory, size uint64) error {
	have := uint64(mem.Size())
	if have > size || size%pageSize != 0 {
		return fmt.Errorf("%w: a memory of %d bytes cannot become %d", errNoReset, have, size)
	}
	if have < size {
		if _, ok := mem.Grow(uint32((size - have) / pageSize)); !ok {
			return fmt.Errorf("growing a memory to %d bytes failed", size)
		}
	}
	return nil
}

// exportedGlobals returns the mutable globals the meter exported from m,
// with their values now. The meter numbers defined globals contiguously
// from the first index after the imported ones (which a resettable module
// has none of).
func exportedGlobals(m api.Module) ([]savedGlobal, error) {
	var out []savedGlobal
	found := false
	for i := uint32(0); i < maxGlobals; i++ {
		g := m.ExportedGlobal(meter.GlobalExportName(i))
		if g == nil {
			if found {
				return out, nil
			}
			continue
		}
		found = true
		if mg, ok := g.(api.MutableGlobal); ok {
			out = append(out, savedGlobal{mg, mg.Get()})
		}
	}
	if !found {
		return nil, fmt.Errorf("%w: %s exports no metered globals", errNoReset, m.Name())
	}
	return out, nil
}

// resetInstance brings inst back to its reset point, and reports whether it
// did; an instance it could not reset must be closed.
func resetInstance(inst *instance) bool {
	st := inst.reset
	if st == nil || inst.closed.Load() {
		return false
	}
	for _, m := range st.mems {
		if !m.reset() {
			return false // it grew, so its length changed: discard it
		}
	}
	for _, g := range st.globals {
		g.g.Set(g.v)
	}
	inst.vmem.mu.Lock()
	inst.vmem.pages = st.pages
	inst.vmem.mu.Unlock()
	p := inst.Plugin
	clear(p.Var)
	p.LastStatusCode = 0
	clear(p.LastResponseHeaders)
	return true
}

// initialFootprint is the budget a plugin's first instance is charged
// before it is measured: a stock-Go guest's memories after initialisation.
const initialFootprint = 8 << 20

// footprint is the bytes inst's linear memories hold now, the guest's by
// its virtual size (its real one is its reservation, see vmem.go); 0 when
// they are not ours to measure.
func (inst *instance) footprint() int64 {
	if inst.mems == nil {
		return 0
	}
	var n int64
	for _, m := range inst.mems.mems {
		if m == inst.guestMem {
			inst.vmem.mu.Lock()
			n += int64(inst.vmem.pages) * pageSize
			inst.vmem.mu.Unlock()
			continue
		}
		n += int64(m.size)
	}
	return n
}

// warmUpTimeout bounds the warm-up of a new resettable instance. A tool
// that does not answer empty arguments within it (a guest that spins) makes
// the plugin keep per-user instances from then on.
const warmUpTimeout = 3 * time.Second

// newResettable makes an instance ready to be reset: initialised, warmed up
// and snapshotted, all in a context that carries nothing of the call that
// asked for it (no user's hostfuncs.Call, so no token, no HTTP sent and no
// logs: warmUp rehearses), since its snapshot will serve every user. Only the caller's cancellation and
// deadline pass. A plugin whose warm-up fails keeps per-user instances.
func (pl *Plugin) newResettable(callCtx context.Context) (*instance, error) {
	ctx, cancel := detached(callCtx)
	defer cancel()
	r, err := pl.loaded(ctx)
	if err != nil {
		return nil, err
	}
	instantiate := func(fromTemplate bool) (*instance, error) {
		inst, err := r.instantiate(ctx, fromTemplate)
		if err != nil {
			return nil, err
		}
		dropDataSegments(guestModule(inst.Plugin)) // read by no instruction of a resettable module (datasegs.go)
		return inst, nil
	}
	if inst := pl.fromTemplate(r, func() (*instance, error) { return instantiate(true) }); inst != nil {
		return inst, nil // template.go
	}
	inst, err := instantiate(false)
	if err != nil {
		return nil, err
	}
	if err := initInstance(ctx, inst); err != nil {
		closeInstance(inst)
		return nil, err
	}
	wctx, wcancel := context.WithTimeout(ctx, warmUpTimeout)
	err = pl.warmUp(wctx, inst)
	wcancel()
	if err != nil && ctx.Err() == nil {
		pl.warmUpFailed.Store(true)
		// The error may hold the guest's own text: bounded and escaped.
		pl.logger.Warn("plugin instances are kept per user: a tool failed its warm-up with empty arguments", "plugin", pl.Name(), "err", safetext.Bounded(err.Error(), maxGuestError))
	}
	if err != nil {
		closeInstance(inst)
		return r.instantiate(callCtx, false)
	}
	if err := snapshotInstance(inst); err != nil {
		if !errors.Is(err, errNoReset) {
			closeInstance(inst)
			return nil, err
		}
		pl.logger.Debug("instance kept per user: it cannot be reset", "plugin", pl.Name(), "why", err)
		return inst, nil
	}
	r.templates.offer(inst)
	return inst, nil
}

// detached returns a context with none of parent's values, ended when parent
// ends.
func detached(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	if d, ok := parent.Deadline(); ok {
		var cancelDeadline context.CancelFunc
		ctx, cancelDeadline = context.WithDeadline(ctx, d)
		prev := cancel
		cancel = func() { cancelDeadline(); prev() }
	}
	stop := context.AfterFunc(parent, cancel)
	return ctx, func() { stop(); cancel() }
}

// warmUp calls each tool of the plugin once with empty arguments, before
// the instance's snapshot, so that every later call starts from a guest whose
// lazy initialisations (encoding/json's per-type caches, first allocations of
// each size) are done: a reset would otherwise undo them after every call,
// and they cost a stock-Go guest more than the call itself. The calls carry
// no user data: each runs under a rehearsal (hostfuncs.NewRehearsal), which
// checks the guest's HTTP requests as a real call does and answers them
// with an empty JSON object without sending anything, so that the guest
// walks the path of a successful request too; their logs are dropped and
// their results thrown away. See RATIONALE.md, "Why rehearse a call before
// the snapshot?".
func (pl *Plugin) warmUp(ctx context.Context, inst *instance) error {
	for _, t := range pl.Desc.Tools {
		input, err := json.Marshal(abi.CallRequest{Tool: t.Name, Arguments: map[string]any{}})
		if err != nil {
			return err
		}
		rc := hostfuncs.WithCall(ctx, hostfuncs.NewRehearsal(pl.Name(), pl.Desc.Provider, pl.Policy, inst.memory))
		if _, _, err := inst.CallWithContext(rc, abi.ExportCall, input); err != nil || inst.closed.Load() || ctx.Err() != nil {
			return fmt.Errorf("warming up %s: %v", t.Name, errors.Join(err, ctx.Err()))
		}
	}
	return nil
}
