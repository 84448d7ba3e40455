package host

// The hostile-plugin suite: each test guest (testdata/guests/NAME) does one
// bad thing, and the host must answer with a tool error (or, for guests that
// only look around, a result showing they found nothing), never crash or
// hang, keep serving other calls, discard any instance whose call failed,
// and never let a token or user token reach a result, a log line, the API
// of another host, or the guest's memory (harness.finish checks the last
// three after every test).

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// wantDiscarded fails the test unless plugin name discarded n more
// instances than before, and the last call's instance is closed.
func (hh *harness) wantDiscarded(t testing.TB, name string, before PoolStats, n int64) {
	t.Helper()
	after := hh.stats(t, name)
	if got := after.Discarded - before.Discarded; got != n {
		t.Errorf("%s: %d instances discarded, want %d (stats %+v)", name, got, n, after)
	}
	if n > 0 {
		if inst := hh.lastInstance(name); inst == nil || !moduleClosed(inst) {
			t.Errorf("%s: the instance of the failed call is still open", name)
		}
	}
}

// waitForLog waits until the host log contains s, looking again after each
// write to it; within bounds the wait, which only a failure reaches.
func (hh *harness) waitForLog(t testing.TB, s string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		logs, written := hh.logs.next()
		if strings.Contains(logs, s) {
			return
		}
		select {
		case <-written:
		case <-deadline:
			t.Fatalf("no log line %q within %v", s, within)
		}
	}
}

// TestHostileLoop: a guest that spins or sleeps forever is stopped at its
// deadline (2 s here), with a tool error and outcome=timeout, and its
// instance is discarded.
func TestHostileLoop(t *testing.T) {
	hh := newHarness(t, harnessOptions{
		guests: []string{"loop"},
		limits: map[string]Limits{"hostile-loop": {Timeout: 2 * time.Second}},
	})
	for _, mode := range []string{"spin", "sleep"} {
		t.Run(mode, func(t *testing.T) {
			before := hh.stats(t, "hostile-loop")
			res := hh.call(t, "alice", "hostile_loop", map[string]any{"mode": mode})
			res.wantToolError(t, "ran past its time limit")
			if !strings.Contains(hh.logs.String(), "tool=hostile_loop plugin=hostile-loop provider=github userId=alice outcome=timeout") {
				t.Error("the call's log line does not say outcome=timeout")
			}
			if res.took < 2*time.Second {
				t.Errorf("the looping call ended after %v, before its 2s timeout", res.took)
			}
			hh.wantDiscarded(t, "hostile-loop", before, 1)
			hh.goodCall(t, "alice")
		})
	}
}

// TestHostileLoopDoesNotFreeze: while a guest spins or sleeps, the host is
// not frozen: a garbage collection completes and other users' calls are
// served, all before the looping call ends (its deadline is a minute away;
// it ends only when cancelled, after them).
func TestHostileLoopDoesNotFreeze(t *testing.T) {
	hh := newHarness(t, harnessOptions{
		guests: []string{"loop"},
		limits: map[string]Limits{"hostile-loop": {Timeout: time.Minute}},
	})
	for _, mode := range []string{"spin", "sleep"} {
		t.Run(mode, func(t *testing.T) {
			id := hh.nextID()
			done := make(chan toolOutcome, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				done <- hh.callCtx(ctx, id, "alice", "hostile_loop", map[string]any{"mode": mode})
			}()
			hh.waitForLog(t, "hostile loop started: "+mode, 30*time.Second)

			runtime.GC()
			users := []string{"alice", "bob"}
			good := make([]toolOutcome, len(users))
			var wg sync.WaitGroup
			for i, u := range users {
				wg.Add(1)
				go func() {
					defer wg.Done()
					good[i] = hh.call(t, u, "get_github_user", nil)
				}()
			}
			wg.Wait()
			for i, u := range users {
				if res := good[i].wantOK(t); res["login"] != u {
					t.Errorf("get_github_user as %s answered login %v", u, res["login"])
				}
			}
			select {
			case res := <-done:
				t.Fatalf("the looping call ended before the calls made while it looped: %+v", res)
			default:
			}
			hh.cancelRequest(id)
			(<-done).wantToolError(t, "cancelled")
		})
	}
}

// TestHostileCancel: notifications/cancelled for a running call stops the
// guest's loop, the call answers "cancelled", and the instance is closed and
// discarded. The loop has no other way to end before its deadline, a minute
// away, which would answer otherwise.
func TestHostileCancel(t *testing.T) {
	hh := newHarness(t, harnessOptions{
		guests: []string{"loop"},
		limits: map[string]Limits{"hostile-loop": {Timeout: time.Minute}},
	})
	before := hh.stats(t, "hostile-loop")
	id := hh.nextID()
	done := make(chan toolOutcome, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- hh.callCtx(ctx, id, "alice", "hostile_loop", map[string]any{"mode": "spin"})
	}()
	hh.waitForLog(t, "hostile loop started: spin", 10*time.Second)
	hh.cancelRequest(id)
	res := <-done
	res.wantToolError(t, "cancelled")
	if !strings.Contains(hh.logs.String(), "tool=hostile_loop plugin=hostile-loop provider=github userId=alice outcome=cancelled") {
		t.Error("the call's log line does not say outcome=cancelled")
	}
	hh.wantDiscarded(t, "hostile-loop", before, 1)
	hh.goodCall(t, "alice")
}

// TestHostileMembomb: a guest allocating until failure, on its Go heap or
// in the kernel's memory, hits the 16 MiB cap of each memory. On the heap
// the guest's runtime dies: a tool error, and the instance is discarded.
// In the kernel's memory the guest's allocations fail and it answers (the
// kit hands its output to the host from its own memory, not through the
// kernel). Its instance, made on the call's path (no warm set here), serves
// that call only.
func TestHostileMembomb(t *testing.T) {
	hh := newHarness(t, harnessOptions{
		guests: []string{"membomb"},
		limits: map[string]Limits{"hostile-membomb": {MemoryMiB: 16}},
	})
	t.Run("heap", func(t *testing.T) {
		before := hh.stats(t, "hostile-membomb")
		res := hh.call(t, "alice", "hostile_membomb", map[string]any{"where": "heap"})
		res.wantToolError(t, "failed while running hostile_membomb: fatal error: out of memory (wasm error: unreachable)")
		hh.wantDiscarded(t, "hostile-membomb", before, 1)
		hh.goodCall(t, "alice")
	})
	t.Run("kernel", func(t *testing.T) {
		before := hh.stats(t, "hostile-membomb")
		res := hh.call(t, "alice", "hostile_membomb", map[string]any{"where": "kernel"}).wantOK(t)
		if n, _ := res["kernel_bytes"].(float64); n < 8<<20 || n > 16<<20 {
			t.Errorf("the guest filled %v bytes of kernel memory, want most of its 16 MiB", res["kernel_bytes"])
		}
		if s := hh.stats(t, "hostile-membomb"); s.Resets != before.Resets || s.Reused != before.Reused {
			t.Errorf("stats %+v: the instance of the bomb was kept for another call", s)
		}
		hh.goodCall(t, "alice")
	})
}

// TestHostileBigOutput: a result above the output limit (256 KiB here) is
// refused by size; building a 50 MiB one kills the guest first, out of its
// 32 MiB of memory. Both are tool errors and discard the instance.
func TestHostileBigOutput(t *testing.T) {
	hh := newHarness(t, harnessOptions{
		guests: []string{"bigoutput"},
		limits: map[string]Limits{"hostile-bigoutput": {MaxOutputBytes: 256 << 10, MemoryMiB: 32}},
	})
	t.Run("above limit", func(t *testing.T) {
		before := hh.stats(t, "hostile-bigoutput")
		hh.call(t, "alice", "hostile_bigoutput", map[string]any{"bytes": 300 << 10}).
			wantToolError(t, "above its output limit of 262144")
		hh.wantDiscarded(t, "hostile-bigoutput", before, 1)
		hh.goodCall(t, "alice")
	})
	t.Run("50 MiB", func(t *testing.T) {
		before := hh.stats(t, "hostile-bigoutput")
		res := hh.call(t, "alice", "hostile_bigoutput", nil)
		res.wantToolError(t, `plugin "hostile-bigoutput" failed`)
		t.Logf("answer after %v: %s", res.took, clipText(res.text, 300))
		if len(res.raw) > 64<<10 {
			t.Errorf("the answer is %d bytes", len(res.raw))
		}
		hh.wantDiscarded(t, "hostile-bigoutput", before, 1)
		hh.goodCall(t, "alice")
	})
	t.Run("under limit", func(t *testing.T) {
		res := hh.call(t, "alice", "hostile_bigoutput", map[string]any{"bytes": 1000}).wantOK(t)
		if d, _ := res["data"].(string); len(d) != 1000 {
			t.Errorf("data is %d bytes, want 1000", len(d))
		}
	})
}

// TestHostilePanic: a panic in the handler (recovered by the kit, rc 1)
// and one in a goroutine (the Go runtime dies) are tool errors, and the
// instance is discarded either way.
func TestHostilePanic(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"panic"}})
	for where, want := range map[string]string{
		"handler":   "hostile panic in the handler",
		"goroutine": `plugin "hostile-panic" failed`,
		"huge":      "PPPP",
	} {
		t.Run(where, func(t *testing.T) {
			before := hh.stats(t, "hostile-panic")
			logged := len(hh.logs.String())
			res := hh.call(t, "alice", "hostile_panic", map[string]any{"where": where})
			res.wantToolError(t, want)
			t.Logf("answer (%d bytes): %s", len(res.text), clipText(res.text, 300))
			if len(res.text) > 8<<10 {
				t.Errorf("the tool error is %d bytes: the guest's error message is not bounded", len(res.text))
			}
			if n := len(hh.logs.String()) - logged; n > 64<<10 {
				t.Errorf("the call logged %d bytes", n)
			}
			hh.wantDiscarded(t, "hostile-panic", before, 1)
			hh.goodCall(t, "alice")
		})
	}
}

// TestHostileTrap: Wasm traps, a stack overflow, a nil dereference and
// exits (with status 3, and with status 0 in the middle of a call, which
// go-sdk reports as a success with no output) are tool errors, and the
// instance is closed and discarded.
func TestHostileTrap(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"trap"}})
	for _, mode := range []string{"unreachable", "errortrap", "oob", "recurse", "nil", "exit", "exit0"} {
		t.Run(mode, func(t *testing.T) {
			before := hh.stats(t, "hostile-trap")
			res := hh.call(t, "alice", "hostile_trap", map[string]any{"mode": mode})
			res.wantToolError(t, `plugin "hostile-trap"`)
			if mode == "errortrap" {
				// The error the guest set before it trapped is kept.
				res.wantToolError(t, "the widget is broken: code 42")
			}
			t.Logf("answer: %s", clipText(res.text, 300))
			hh.wantDiscarded(t, "hostile-trap", before, 1)
			// The user's next call of the same plugin gets a working
			// instance, not the broken one.
			hh.call(t, "alice", "hostile_trap", map[string]any{"mode": "none"}).wantOK(t)
			hh.goodCall(t, "alice")
		})
	}
}

// TestHostileExitAfterResult: a guest that writes a valid result and then
// exits with status 0 gets its result served (go-sdk reports the call as a
// success), but its closed instance is discarded, never kept for the user's
// next call, which works.
func TestHostileExitAfterResult(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"exitafter"}, noGitHub: true})
	for i := range 3 {
		before := hh.stats(t, "hostile-exitafter")
		res := hh.call(t, "alice", "hostile_exitafter", nil).wantOK(t)
		if res["answered"] != true {
			t.Fatalf("call %d answered %v", i, res)
		}
		hh.wantDiscarded(t, "hostile-exitafter", before, 1)
		if s := hh.stats(t, "hostile-exitafter"); s.Idle != 0 || s.Reused != 0 {
			t.Fatalf("call %d: a closed instance was kept or reused: %+v", i, s)
		}
	}
}

// TestCloseWhileWarming: closing the host while a pool is still creating
// and initialising its warm instances stops that work and waits for it, so
// the runtime is never closed under a guest still running its
// initialisation (a data race inside wazero, seen under -race).
func TestCloseWhileWarming(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"leaky"}, noGitHub: true, pool: PoolConfig{Warm: 16}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hh.plugins["hostile-leaky"].Ready(ctx); err != nil { // its first load fills the pool
		t.Fatal(err)
	}
	p := hh.plugins["hostile-leaky"].pool
	for { // wait until the filler is at work
		p.mu.Lock()
		n := len(p.fresh)
		p.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	closed := make(chan error, 1)
	go func() { closed <- hh.host.Close(ctx) }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute): // only a hang reaches it
		t.Fatal("Close hangs while the pool's filler is at work")
	}
	p.mu.Lock()
	refilling, fresh := p.refilling, len(p.fresh)
	p.mu.Unlock()
	if refilling || fresh != 0 {
		t.Errorf("after Close: refilling %v, %d warm instances; the filler outlived its runtime", refilling, fresh)
	}
}
