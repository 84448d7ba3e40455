package host

import (
	"strings"
	"testing"
	"time"
)

// TestMemoryBudget: with pool.max_bytes below two instances, a call that
// needs a second instance (of any plugin: the budget is the host's) while
// the first is busy waits, says so in the log, and is refused at its
// deadline with a message naming the limit; once the first instance is
// gone, calls run again.
func TestMemoryBudget(t *testing.T) {
	hh := newHarness(t, harnessOptions{
		guests: []string{"loop"},
		limits: map[string]Limits{"hostile-loop": {Timeout: time.Minute}, "github": {Timeout: time.Second}},
		pool:   PoolConfig{MaxBytes: 1},
	})
	if err := hh.plugins["github"].Ready(t.Context()); err != nil { // its load is not the call's to pay here
		t.Fatal(err)
	}
	spinning := make(chan toolOutcome, 1)
	go func() { spinning <- hh.call(t, "alice", "hostile_loop", map[string]any{"mode": "spin"}) }()
	hh.waitForLog(t, "hostile loop started: spin", 10*time.Second)

	// The first instance may run although it is larger than the budget;
	// the second may not while it lives.
	res := hh.call(t, "bob", "get_github_user", nil)
	res.wantToolError(t, "pool.max_bytes: 1")
	if logs := hh.logs.String(); !strings.Contains(logs, "call queued: the memory budget is spent") ||
		!strings.Contains(logs, "call refused: the memory budget stayed spent until its deadline") {
		t.Errorf("the log does not say the call was queued and refused:\n%s", logs)
	}
	hh.host.StopCalls()
	(<-spinning).wantToolError(t, "unloaded or the host shut down")
	b := hh.host.loader.budget
	b.mu.Lock()
	if b.used != 0 {
		t.Errorf("%d bytes of the budget still held after the only instance was discarded", b.used)
	}
	b.mu.Unlock()
	if b.queued.Load() != 1 || b.refused.Load() != 1 {
		t.Errorf("budget counters: queued %d, refused %d; want 1 and 1", b.queued.Load(), b.refused.Load())
	}
}
