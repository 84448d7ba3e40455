package host

import (
	"slices"
	"time"
)

// Memory follows the work: the pool keeps the clean instances the calls in
// flight need, and no more once a burst is over.
//
//   - Spare instances, the clean ones beyond the warm set, that no call has
//     taken for PoolConfig.SpareTTL are closed (trimLocked), from the one
//     that came back first: calls take the most recent (get is LIFO), so
//     the oldest are the ones the load no longer reaches.
//   - A call that finds no clean instance while others are out on calls
//     waits up to PoolConfig.GrowAfter for one of them to come back before
//     it may make a new one (see await): an instance is busy for a fraction
//     of a millisecond to a few milliseconds of a fast call, and a new one
//     costs tens of milliseconds of CPU and megabytes, so a burst of fast
//     calls is served by the instances there are, and the pool grows only
//     when calls hold their instances longer (waiting on a slow API), which
//     is when more instances serve more calls.
//
// See RATIONALE.md, "Why does the pool trim spare instances and wait
// before it grows?".

// defaultSpareTTL and defaultGrowAfter are PoolConfig's defaults.
const (
	defaultSpareTTL  = 30 * time.Second
	defaultGrowAfter = 20 * time.Millisecond
)

// keepLocked adds a clean instance to the fresh ones, to be taken next,
// and arms the trim if it is a spare. p.mu is held.
func (p *pool) keepLocked(inst *instance, now time.Time) {
	inst.sparedAt = now
	p.fresh = append(p.fresh, inst)
	p.armTrimLocked(now)
}

// trimLocked closes the spare instances that have waited SpareTTL or more,
// and arms the next trim. p.mu is held.
func (p *pool) trimLocked(now time.Time) {
	n := 0
	for n < len(p.fresh)-p.cfg.Warm && now.Sub(p.fresh[n].sparedAt) >= p.cfg.SpareTTL {
		go closeInstance(p.fresh[n])
		n++
	}
	if n > 0 {
		p.fresh = slices.Delete(p.fresh, 0, n)
		p.stats.trimmed.Add(int64(n))
	}
	p.stopTrimLocked()
	p.armTrimLocked(now)
}

// armTrimLocked schedules trimLocked for when the oldest spare instance
// will have waited SpareTTL, unless one is scheduled already or there is
// no spare. p.mu is held.
func (p *pool) armTrimLocked(now time.Time) {
	if p.trimTimer != nil || p.closed || len(p.fresh) <= p.cfg.Warm {
		return
	}
	due := p.cfg.SpareTTL - now.Sub(p.fresh[0].sparedAt)
	p.trimTimer = time.AfterFunc(max(due, 0), func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.trimTimer = nil
		p.trimLocked(time.Now())
	})
}

// stopTrimLocked cancels a scheduled trim. p.mu is held.
func (p *pool) stopTrimLocked() {
	if p.trimTimer != nil {
		p.trimTimer.Stop()
		p.trimTimer = nil
	}
}

// drain takes every clean and idle instance out of the pool, for the
// plugin's code to be unloaded (resident.go), and returns them to be
// closed; false, taking none, while an instance is out on a call, a call
// waits for one, or a warm one is being made. The pool stays usable: the
// next call fills it again from the code then loaded.
func (p *pool) drain() ([]*instance, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.out > 0 || len(p.waiters) > 0 || p.refilling || len(p.makers) > 0 {
		return nil, false
	}
	p.stopTrimLocked()
	insts := p.fresh
	for _, list := range p.idle {
		for _, ii := range list {
			insts = append(insts, ii.p)
		}
	}
	p.fresh, p.idle, p.nIdle = nil, map[string][]idleInstance{}, 0
	return insts, true
}
