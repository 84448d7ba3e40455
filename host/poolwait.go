package host

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

// A call that finds no clean instance waits for whichever comes first: an
// instance of the plugin reset after another call (or made by the warm
// set), handed over as it comes back; or a turn to make one itself. At most
// GOMAXPROCS instances are made for calls at once. A new instance costs
// more CPU than a warm call (about 2 ms from the plugin's template, tens of
// milliseconds for the first, which initialises the guest and warms it up;
// see template.go), and memory for as long as it lives: under a burst of
// calls, making one per call would have every call wait for the others'
// instances, on every core, while the instances already made are freed
// many times over. The wait ends with the call's context.
//
// Nor does a call make one while the instances out are computing, at least
// two per core, rather than waiting on the network: another instance would
// only share the same cores, and hold its memory. Such a call waits for an
// instance to come back, GrowAfter at a time, up to maxSaturatedWait, past
// which it makes one all the same (the instances out may be spinning until
// their deadline). A call whose instances wait on the API (a slow
// upstream) is not held back: there, more instances are more calls served.
// See RATIONALE.md, "Why does the pool not grow while the cores are busy?".

// maxSaturatedWait bounds how long a call waits for an instance to come
// back while the instances out are computing.
const maxSaturatedWait = 250 * time.Millisecond

// await waits on w, the channel a clean instance is handed over on (see
// giveLocked), or for a turn to make one; while busy (other instances are
// out on calls), only for a handed instance during GrowAfter first (see
// poolspare.go), and longer while they compute (see saturated).
func (p *pool) await(ctx context.Context, w chan *instance, busy bool) (*instance, error) {
	if d := p.cfg.GrowAfter; busy && d > 0 {
		deadline := time.Now().Add(maxSaturatedWait)
		t := time.NewTimer(d)
		for waiting := true; waiting; {
			select {
			case inst := <-w:
				t.Stop()
				return p.handed(inst), nil
			case <-t.C:
				if waiting = p.saturated() && time.Now().Before(deadline); waiting {
					if p.heldBack != nil {
						p.heldBack()
					}
					t.Reset(d)
				}
			case <-ctx.Done():
				t.Stop()
				waiting = false
			}
		}
	}
	making := false
	select {
	case inst := <-w:
		return p.handed(inst), nil
	case p.makers <- struct{}{}:
		making = true
	case <-ctx.Done():
	}
	if inst := p.unwait(w); inst != nil {
		if making {
			<-p.makers
		}
		return p.handed(inst), nil // handed over while the wait ended
	}
	if !making {
		return nil, fmt.Errorf("no instance of the plugin came free: %w", context.Cause(ctx))
	}
	defer func() { <-p.makers }()
	p.stats.created.Add(1)
	inst, err := p.newInstance(ctx)
	if inst != nil {
		inst.used = true
	}
	return inst, err
}

// saturated reports whether at least two instances per core are out on
// calls and not waiting on the network.
func (p *pool) saturated() bool {
	p.mu.Lock()
	out := int64(p.out)
	p.mu.Unlock()
	return out-p.onNetwork.Load() >= int64(2*runtime.GOMAXPROCS(0))
}

// handed counts and marks an instance a waiting call was handed.
func (p *pool) handed(inst *instance) *instance {
	p.stats.waited.Add(1)
	if inst.used {
		p.stats.reused.Add(1)
	} else {
		p.stats.fresh.Add(1)
	}
	inst.used = true
	return inst
}

// unwait stops w's wait, and returns the instance handed over on it before
// it stopped, if one was.
func (p *pool) unwait(w chan *instance) *instance {
	p.mu.Lock()
	for i, x := range p.waiters {
		if x == w {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			break
		}
	}
	p.mu.Unlock()
	select {
	case inst := <-w:
		return inst
	default:
		return nil
	}
}

// giveLocked hands a clean instance to the call that has waited longest,
// or keeps it among the fresh ones. p.mu is held.
func (p *pool) giveLocked(inst *instance) {
	if len(p.waiters) > 0 {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		w <- inst // buffered, and only ever sent one instance
		return
	}
	p.keepLocked(inst, time.Now())
}
