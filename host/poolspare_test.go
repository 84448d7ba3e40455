package host

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// waitersOf returns how many calls wait for a clean instance of p.
func waitersOf(p *pool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.waiters)
}

// TestPoolWaitsBeforeItGrows: a call that finds no clean instance while
// another is out waits for that one to come back (GrowAfter is an hour
// here) instead of making its own; with GrowAfter off it makes one at once.
func TestPoolWaitsBeforeItGrows(t *testing.T) {
	hh := newHarness(t, harnessOptions{pool: PoolConfig{Warm: -1, GrowAfter: time.Hour}})
	p := hh.plugins["github"].pool
	ctx := context.Background()
	first, err := p.get(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *instance, 1)
	go func() {
		inst, err := p.get(ctx, "bob")
		if err != nil {
			t.Error(err)
		}
		got <- inst
	}()
	for waitersOf(p) == 0 {
		runtime.Gosched() // until bob's call waits
	}
	p.put("alice", first, true)
	if inst := <-got; inst != first {
		t.Error("bob's call did not get alice's instance, reset")
	}
	if s := p.snapshot(); s.Created != 1 || s.Waited != 1 || s.Resets != 1 {
		t.Errorf("stats %+v: want one instance made, for alice, then handed to bob", s)
	}

	hh = newHarness(t, harnessOptions{pool: PoolConfig{Warm: -1, GrowAfter: -1}})
	p = hh.plugins["github"].pool
	if first, err = p.get(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	second, err := p.get(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if second == first || p.snapshot().Created != 2 {
		t.Errorf("with grow_after off, bob's call waited for alice's instance: stats %+v", p.snapshot())
	}
	p.put("alice", first, true)
	p.put("bob", second, true)
}

// TestPoolTrimsSpareInstances: clean instances beyond the warm set that no
// call took for SpareTTL are closed, the longest unused first; the warm
// set stays.
func TestPoolTrimsSpareInstances(t *testing.T) {
	hh := newHarness(t, harnessOptions{pool: PoolConfig{Warm: 1, GrowAfter: -1, SpareTTL: time.Hour}})
	p := hh.plugins["github"].pool
	p.warm()
	ctx := context.Background()
	var insts []*instance
	for _, u := range []string{"a", "b", "c", "d"} {
		inst, err := p.get(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		insts = append(insts, inst)
	}
	// With Warm calls or more running, the warm set is not refilled: the
	// calls' wait decides when the pool grows.
	p.fillers.Wait()
	p.mu.Lock()
	warm := len(p.fresh)
	p.mu.Unlock()
	if warm != 0 {
		t.Fatalf("%d clean instances while 4 calls run: the warm set was refilled under load", warm)
	}
	for i, inst := range insts {
		p.put("x", inst, true) // reset, and kept as a spare
		if i == 1 {
			p.mu.Lock()
			p.trimLocked(time.Now()) // within SpareTTL: nothing goes
			p.mu.Unlock()
		}
	}
	p.mu.Lock()
	if len(p.fresh) != 4 || p.trimTimer == nil {
		t.Errorf("%d clean instances, trim armed %v: want the 4 reset kept, a trim armed", len(p.fresh), p.trimTimer != nil)
	}
	newest := p.fresh[len(p.fresh)-1]
	p.trimLocked(time.Now().Add(time.Hour))
	left := len(p.fresh)
	var kept *instance
	if left > 0 {
		kept = p.fresh[0]
	}
	armed := p.trimTimer != nil
	p.mu.Unlock()
	if left != 1 || kept != newest || armed {
		t.Errorf("after SpareTTL: %d clean instances (the newest kept: %v), trim armed %v; want the warm one, the newest, and no trim armed", left, kept == newest, armed)
	}
	if s := p.snapshot(); s.Trimmed != 3 || s.Warm != 1 {
		t.Errorf("stats %+v: want 3 trimmed, 1 warm", s)
	}
	for _, inst := range insts {
		for inst != newest && !moduleClosed(inst.Plugin) {
			runtime.Gosched() // closed in the background
		}
	}
}

// TestPoolDoesNotGrowWhileComputing: with two instances per core out on
// calls and none of them waiting on the network, a call that finds no clean
// instance waits past GrowAfter for one to come back instead of making one;
// when the instances out wait on the network, it makes one after GrowAfter.
func TestPoolDoesNotGrowWhileComputing(t *testing.T) {
	n := 2 * runtime.GOMAXPROCS(0)
	for _, onNetwork := range []bool{false, true} {
		hh := newHarness(t, harnessOptions{pool: PoolConfig{Warm: -1, GrowAfter: time.Millisecond, MaxIdle: n + 1}, global: Limits{MemoryMiB: 16}})
		p := hh.plugins["github"].pool
		heldBack := make(chan struct{}, 1)
		p.heldBack = func() {
			select {
			case heldBack <- struct{}{}:
			default:
			}
		}
		ctx := context.Background()
		var out []*instance
		for i := range n {
			inst, err := p.get(ctx, "u")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, inst)
			if onNetwork {
				p.onNetwork.Add(1) // as a call in a request does (hostfuncs.Call.Waiting)
			}
			if s := p.snapshot(); s.Created != int64(i+1) {
				t.Fatalf("stats %+v: with %d instances out, a call did not make one", s, i)
			}
		}
		got := make(chan *instance, 1)
		go func() {
			inst, err := p.get(ctx, "v")
			if err != nil {
				t.Error(err)
			}
			got <- inst
		}()
		if onNetwork {
			inst := <-got
			if inst == nil || p.snapshot().Created != int64(n+1) {
				t.Fatalf("stats %+v: with the instances out on the network, the call did not make one", p.snapshot())
			}
			out = append(out, inst)
			p.onNetwork.Add(int64(-n))
		} else {
			<-heldBack // the call waits on, past GrowAfter
			p.put("u", out[0], true)
			if inst := <-got; inst != out[0] || p.snapshot().Created != int64(n) {
				t.Errorf("stats %+v: with the instances out computing, the call made one", p.snapshot())
			}
		}
		for _, inst := range out {
			p.put("u", inst, true)
		}
	}
}
