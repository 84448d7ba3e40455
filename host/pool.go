package host

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// pool hands out instances of one compiled plugin so that no guest state
// crosses from one user's call into another's:
//
//   - a resettable instance (see reset.go) is reset after each call to the
//     state it had before its first, byte for byte, and then serves any
//     user: memory follows the calls in flight, not the users;
//   - any other instance that served user U goes back to U's idle list, and
//     only a later call of U may take it;
//   - a user with no idle instance takes a clean one: reset, or fresh from a
//     few kept warm ahead of demand (refilled in the background); failing
//     that, it waits for one to come back or for a turn to make one (see
//     poolwait.go), made as the warm ones are and kept after its call;
//   - an instance whose call trapped, timed out or hit a limit is closed.
//
// See RATIONALE.md, "Why per-user instances?".
type pool struct {
	// newInstance makes an instance, for a call or for the warm set: a
	// resettable one is made in no call's context (see newResettable).
	newInstance func(context.Context) (*instance, error)
	cfg         PoolConfig
	logger      *slog.Logger

	mu        sync.Mutex
	fresh     []*instance
	waiters   []chan *instance          // calls waiting for a clean instance (see await)
	makers    chan struct{}             // a token per instance being made for a call
	idle      map[string][]idleInstance // by user key
	nIdle     int
	refilling bool
	closed    bool
	trimTimer *time.Timer // the next trimLocked (poolspare.go)
	out       int         // instances out on calls
	// onNetwork counts the requests the calls on those instances are
	// waiting on (hostfuncs.Call.Waiting); see poolwait.go.
	onNetwork atomic.Int64
	// heldBack, when set (by tests), is called each time a call waits on
	// because the instances out are computing.
	heldBack func()

	// fillers tracks the refill goroutine, and stop ends its context, so
	// that close can stop it and wait for it: the plugin's runtime must not
	// be closed under a guest that is still initialising.
	fillers sync.WaitGroup
	ctx     context.Context
	stop    context.CancelFunc

	stats poolStats
}

type idleInstance struct {
	p    *instance
	used time.Time
}

// poolStats counts how calls got their instance.
type poolStats struct {
	reused, fresh, created, discarded, resets, waited, trimmed atomic.Int64
}

// PoolStats is a snapshot of a pool's counters.
type PoolStats struct {
	// Reused counts calls served by an idle instance of the same user.
	Reused int64 `json:"reused"`
	// Fresh counts calls served by a warm, never used instance.
	Fresh int64 `json:"fresh"`
	// Created counts instances created on the call's own path.
	Created int64 `json:"created"`
	// Discarded counts instances closed after a failed call, or that
	// could not be reset.
	Discarded int64 `json:"discarded"`
	// Resets counts instances reset after a call, to serve any user next.
	Resets int64 `json:"resets"`
	// Waited counts calls that found no clean instance and were handed
	// one as it was reset or made (see pool.await).
	Waited int64 `json:"waited"`
	// Trimmed counts spare clean instances closed after PoolConfig.SpareTTL
	// with no call (see poolspare.go).
	Trimmed int64 `json:"trimmed"`
	// Idle is the number of idle per-user instances now.
	Idle int `json:"idle"`
	// Warm is the number of fresh instances ready now.
	Warm int `json:"warm"`
}

func newPool(cfg PoolConfig, newInstance func(context.Context) (*instance, error), logger *slog.Logger) *pool {
	ctx, stop := context.WithCancel(context.Background())
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &pool{newInstance: newInstance, makers: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))), cfg: cfg, idle: map[string][]idleInstance{}, ctx: ctx, stop: stop, logger: logger}
}

// get returns an instance that only user has used, or a clean one: never
// used, or reset since its last call.
// An instance whose module closed while it waited (a guest that exited at
// the end of its last call, or of its warm-up) is closed and skipped.
func (p *pool) get(ctx context.Context, user string) (*instance, error) {
	p.mu.Lock()
	p.expireLocked(time.Now())
	for list := p.idle[user]; len(list) > 0; list = p.idle[user] {
		inst := list[len(list)-1].p
		if len(list) == 1 {
			delete(p.idle, user)
		} else {
			p.idle[user] = list[:len(list)-1]
		}
		p.nIdle--
		if p.discardClosed(inst) {
			continue
		}
		p.out++
		p.mu.Unlock()
		p.stats.reused.Add(1)
		return inst, nil
	}
	for n := len(p.fresh); n > 0; n = len(p.fresh) {
		inst := p.fresh[n-1]
		p.fresh = p.fresh[:n-1]
		if p.discardClosed(inst) {
			continue
		}
		p.out++
		p.refillLocked()
		p.mu.Unlock()
		if inst.used {
			p.stats.reused.Add(1) // reset since its last call
		} else {
			p.stats.fresh.Add(1)
		}
		inst.used = true
		return inst, nil
	}
	w := make(chan *instance, 1)
	p.waiters = append(p.waiters, w)
	p.refillLocked()
	busy := p.out > 0
	p.mu.Unlock()
	inst, err := p.await(ctx, w, busy)
	if inst != nil {
		p.mu.Lock()
		p.out++
		p.mu.Unlock()
	}
	return inst, err
}

// discardClosed closes inst and counts it discarded if its module has
// closed (see instance), reporting whether it did.
func (p *pool) discardClosed(inst *instance) bool {
	if !inst.closed.Load() {
		return false
	}
	p.stats.discarded.Add(1)
	go closeInstance(inst)
	return true
}

// put returns inst after a call of user. An unhealthy instance (its call
// failed in any way the guest did not report itself) is closed.
func (p *pool) put(user string, inst *instance, healthy bool) {
	p.mu.Lock()
	p.out--
	p.mu.Unlock()
	if !healthy || inst.closed.Load() {
		p.stats.discarded.Add(1)
		closeInstance(inst)
		return
	}
	if inst.reset != nil {
		p.putReset(inst)
		return
	}
	now := time.Now()
	p.mu.Lock()
	if p.closed || p.cfg.MaxIdle == 0 {
		p.mu.Unlock()
		closeInstance(inst)
		return
	}
	p.expireLocked(now)
	if p.nIdle >= p.cfg.MaxIdle {
		p.evictOldestLocked()
	}
	p.idle[user] = append(p.idle[user], idleInstance{inst, now})
	p.nIdle++
	p.mu.Unlock()
}

// putReset resets inst and keeps it for any user's next call, among at most
// MaxIdle (and Warm) clean instances; one that cannot be reset is closed.
func (p *pool) putReset(inst *instance) {
	if !resetInstance(inst) {
		p.stats.discarded.Add(1)
		p.logger.Debug("instance not reset: its memory grew past its reset point")
		closeInstance(inst)
		return
	}
	p.stats.resets.Add(1)
	p.mu.Lock()
	if p.closed || (len(p.waiters) == 0 && len(p.fresh) >= max(p.cfg.MaxIdle, p.cfg.Warm)) {
		p.mu.Unlock()
		closeInstance(inst)
		return
	}
	p.giveLocked(inst)
	p.mu.Unlock()
}

// expireLocked closes idle instances unused for longer than IdleTTL.
func (p *pool) expireLocked(now time.Time) {
	if p.nIdle == 0 {
		return
	}
	for user, list := range p.idle {
		kept := list[:0]
		for _, ii := range list {
			if now.Sub(ii.used) > p.cfg.IdleTTL {
				go closeInstance(ii.p)
				p.nIdle--
				continue
			}
			kept = append(kept, ii)
		}
		if len(kept) == 0 {
			delete(p.idle, user)
		} else {
			p.idle[user] = kept
		}
	}
}

// evictOldestLocked closes the least recently used idle instance.
func (p *pool) evictOldestLocked() {
	var (
		oldUser string
		oldIdx  = -1
		oldest  time.Time
	)
	for user, list := range p.idle {
		for i, ii := range list {
			if oldIdx < 0 || ii.used.Before(oldest) {
				oldUser, oldIdx, oldest = user, i, ii.used
			}
		}
	}
	if oldIdx < 0 {
		return
	}
	list := p.idle[oldUser]
	go closeInstance(list[oldIdx].p)
	list = append(list[:oldIdx], list[oldIdx+1:]...)
	if len(list) == 0 {
		delete(p.idle, oldUser)
	} else {
		p.idle[oldUser] = list
	}
	p.nIdle--
}

// refillLocked starts one background filler if the warm set is short.
func (p *pool) refillLocked() {
	if p.refilling || p.closed || len(p.fresh) >= p.cfg.Warm {
		return
	}
	p.refilling = true
	p.fillers.Add(1)
	go func() {
		defer p.fillers.Done()
		p.refill()
	}()
}

// refill makes warm instances until there are Warm, or until calls wait
// for one, or Warm calls or more are running: under load, the calls' wait,
// not the warm set, decides when the pool grows (see poolspare.go), or a
// burst would have the refill make an instance for every call that takes
// the last clean one.
func (p *pool) refill() {
	for {
		p.mu.Lock()
		if p.closed || len(p.fresh) >= p.cfg.Warm || len(p.waiters) > 0 || p.out >= p.cfg.Warm {
			p.refilling = false
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()

		inst, err := p.newWarm()
		p.mu.Lock()
		if err != nil || p.closed {
			p.refilling = false
			p.mu.Unlock()
			if inst != nil {
				closeInstance(inst)
			}
			return
		}
		p.giveLocked(inst)
		p.mu.Unlock()
	}
}

// newWarm creates an instance and runs the guest's runtime initialisation,
// so the call that takes it pays neither.
func (p *pool) newWarm() (*instance, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	inst, err := p.newInstance(ctx)
	if err != nil {
		return nil, err
	}
	if inst.reset != nil {
		return inst, nil // initialised and snapshotted already
	}
	if err := initInstance(ctx, inst); err != nil {
		closeInstance(inst)
		return nil, err
	}
	return inst, nil
}

// warm fills the warm set synchronously, for start-up.
func (p *pool) warm() {
	p.mu.Lock()
	if p.refilling || p.closed {
		p.mu.Unlock()
		return
	}
	p.refilling = true
	p.fillers.Add(1)
	p.mu.Unlock()
	defer p.fillers.Done()
	p.refill()
}

// snapshot returns the pool's counters.
func (p *pool) snapshot() PoolStats {
	p.mu.Lock()
	idle, warm := p.nIdle, len(p.fresh)
	p.mu.Unlock()
	return PoolStats{
		Reused:    p.stats.reused.Load(),
		Fresh:     p.stats.fresh.Load(),
		Created:   p.stats.created.Load(),
		Discarded: p.stats.discarded.Load(),
		Resets:    p.stats.resets.Load(),
		Waited:    p.stats.waited.Load(),
		Trimmed:   p.stats.trimmed.Load(),
		Idle:      idle,
		Warm:      warm,
	}
}

// close closes every pooled instance, once a refill in progress has stopped;
// instances out on calls are closed by put when they come back.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.stopTrimLocked()
	fresh := p.fresh
	idle := p.idle
	p.fresh, p.idle, p.nIdle = nil, map[string][]idleInstance{}, 0
	p.mu.Unlock()
	// A refill in progress stops at once (its guest is closed through its
	// context, which is safe while it runs) and closes what it made.
	p.stop()
	p.fillers.Wait()
	for _, inst := range fresh {
		closeInstance(inst)
	}
	for _, list := range idle {
		for _, ii := range list {
			closeInstance(ii.p)
		}
	}
}

func closeInstance(inst *instance) {
	if inst.Plugin == nil {
		return
	}
	_ = inst.Close(context.Background())
	liveInstances.Delete(inst.Plugin)
	if inst.mems != nil {
		inst.mems.unmap()
	}
	if inst.release != nil {
		inst.release()
	}
}
