package host

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
)

// memBudget is the host's memory budget for guest instances (pool.max_bytes):
// every instance holds its footprint, its linear memories as they stand after
// initialisation, from its creation to its close. A call that needs a new
// instance past the budget waits for another to close, until its own
// deadline, and is then refused; both are logged. Instances idle in a pool
// count too, so a budget smaller than the warm and idle sets makes them
// smaller in effect. A nil budget is no limit.
type memBudget struct {
	max    int64
	logger *slog.Logger

	mu      sync.Mutex
	used    int64
	changed chan struct{} // closed and replaced whenever used drops

	queued, refused atomic.Int64
}

func newMemBudget(max int64, logger *slog.Logger) *memBudget {
	if max <= 0 {
		return nil
	}
	return &memBudget{max: max, logger: logger, changed: make(chan struct{})}
}

// errBudget is the cause of a refusal for want of budget.
type errBudget struct{ need, max int64 }

func (e *errBudget) Error() string {
	return fmt.Sprintf("the host's memory budget for plugin instances (pool.max_bytes: %d) is in use by other calls, and this call would need %d more bytes; try again shortly", e.max, e.need)
}

// acquire reserves n bytes, waiting while the budget is spent, and returns
// the function that gives them back.
func (b *memBudget) acquire(ctx context.Context, plugin string, n int64) (func(), error) {
	if b == nil {
		return func() {}, nil
	}
	logged := false
	for {
		b.mu.Lock()
		if b.used+n <= b.max || (b.used == 0 && n > b.max) {
			// An instance larger than the whole budget may still run alone.
			b.used += n
			b.mu.Unlock()
			var once sync.Once
			return func() { once.Do(func() { b.release(n) }) }, nil
		}
		wait := b.changed
		used := b.used
		b.mu.Unlock()
		if !logged {
			logged = true
			b.queued.Add(1)
			b.logger.Warn("call queued: the memory budget is spent", "plugin", plugin, "need_bytes", n, "used_bytes", used, "max_bytes", b.max)
		}
		select {
		case <-wait:
		case <-ctx.Done():
			b.refused.Add(1)
			b.logger.Warn("call refused: the memory budget stayed spent until its deadline", "plugin", plugin, "need_bytes", n, "max_bytes", b.max)
			return nil, &errBudget{need: n, max: b.max}
		}
	}
}

func (b *memBudget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}
