package host

import (
	"bytes"
	"sync"
	"testing"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"
)

// instanceState is everything of an instance that a call can change: both
// linear memories, byte for byte, and every global of both modules.
type instanceState struct {
	guestMem, kernelMem []byte
	globals             []uint64
	pages               uint32 // the size the guest sees (see vmem.go)
}

func captureState(t *testing.T, inst *instance) instanceState {
	t.Helper()
	p := inst.Plugin
	g, k := guestModule(p), kernelModule(p)
	if g == nil || k == nil {
		t.Fatal("no guest or kernel module")
	}
	st := instanceState{guestMem: readAll(t, g.Memory()), kernelMem: readAll(t, k.Memory()), pages: inst.vmem.pages}
	for _, m := range []api.Module{g, k} {
		gs, err := exportedGlobals(m)
		if err != nil {
			t.Fatalf("globals of %s: %v", m.Name(), err)
		}
		for _, sg := range gs {
			st.globals = append(st.globals, sg.v)
		}
	}
	return st
}

// readAll copies the whole of mem.
func readAll(t *testing.T, mem api.Memory) []byte {
	t.Helper()
	b, ok := mem.Read(0, mem.Size())
	if !ok || len(b) == 0 {
		t.Fatal("cannot read a memory")
	}
	return bytes.Clone(b)
}

func sameState(t *testing.T, what string, a, b instanceState) {
	t.Helper()
	for _, m := range []struct {
		name string
		x, y []byte
	}{{"guest memory", a.guestMem, b.guestMem}, {"kernel memory", a.kernelMem, b.kernelMem}} {
		if len(m.x) != len(m.y) {
			t.Errorf("%s: the %s is %d bytes, was %d", what, m.name, len(m.y), len(m.x))
			continue
		}
		if i := firstDiff(m.x, m.y); i >= 0 {
			t.Errorf("%s: the %s differs from its snapshot at byte %d", what, m.name, i)
		}
	}
	if a.pages == 0 || a.pages != b.pages {
		t.Errorf("%s: the guest sees %d pages of memory, was %d", what, b.pages, a.pages)
	}
	if len(a.globals) == 0 || len(a.globals) != len(b.globals) {
		t.Fatalf("%s: %d globals, was %d", what, len(b.globals), len(a.globals))
	}
	for i := range a.globals {
		if a.globals[i] != b.globals[i] {
			t.Errorf("%s: global %d is %#x, was %#x", what, i, b.globals[i], a.globals[i])
		}
	}
}

// firstDiff is the index of the first byte where a and b differ, or -1. The
// memories are compared whole first (bytes.Equal is not instrumented by
// -race), and byte by byte only to name where they differ.
func firstDiff(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestResetRestoresState proves the instance model's isolation: an instance
// that served one user's call is, after its reset, byte for byte what it was
// before any call (both memories, all globals), and only then serves the
// next user. The calls in between change both memories (the scan finds the
// caller's login there), so the comparison is not vacuous.
func TestResetRestoresState(t *testing.T) {
	// A small cap: the comparisons read every byte of the guest's memory,
	// its reservation up to the cap included.
	hh := newHarness(t, harnessOptions{pool: PoolConfig{Warm: -1, MaxIdle: 1}, global: Limits{MemoryMiB: 16}})
	pl := hh.plugins["github"]
	if !pl.Resettable {
		t.Fatal("the github plugin is not resettable")
	}
	inst, err := pl.pool.newWarm() // as the warm set makes them, with no user
	if err != nil {
		t.Fatal(err)
	}
	if inst.reset == nil {
		t.Fatal("the new instance has no reset point")
	}
	snap := captureState(t, inst)
	pl.pool.put("nobody", inst, true)
	sameState(t, "after a reset with no call", snap, captureState(t, inst))

	var mu sync.Mutex
	var user string
	var seen []int // for each call, the memories holding its login before the reset
	scan := hh.host.afterCall
	hh.host.afterCall = func(pl *Plugin, inst *extism.Plugin) {
		scan(pl, inst)
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, len(scanInstance(inst, `"login":"`+user+`"`)))
	}
	for i, u := range []string{"alice", "bob", "alice"} {
		mu.Lock()
		user = u
		mu.Unlock()
		hh.goodCall(t, user)
		mu.Lock()
		if seen[i] == 0 {
			t.Errorf("%s's call left no trace before its reset: the comparison would be vacuous", user)
		}
		mu.Unlock()
		if got := hh.lastInstance("github"); got != inst.Plugin {
			t.Fatalf("%s's call ran on another instance: the pool holds one", user)
		}
		// The harness's scan, in the call's afterCall, saw the call's data;
		// this one is after the reset.
		if found := scanInstance(inst.Plugin, `"login":"`+user+`"`); len(found) > 0 {
			t.Errorf("after the reset, %s's data is still in the instance: %v", user, found)
		}
		sameState(t, "after "+user+"'s call and its reset", snap, captureState(t, inst))
	}
	if s := pl.Stats(); s.Resets != 4 || s.Discarded != 0 || s.Created != 0 {
		t.Errorf("stats %+v: want 4 resets, no discard, no instance made on a call's path", s)
	}
}

// TestCallPathInstancesAreResettable: an instance made for a call that found
// no clean one is made as the warm set's are, in no user's context (its
// warm-up sends nothing to the API), so it is reset after that call and
// serves the next user's.
func TestCallPathInstancesAreResettable(t *testing.T) {
	hh := newHarness(t, harnessOptions{pool: PoolConfig{Warm: -1}})
	hh.goodCall(t, "alice")
	inst := hh.lastInstance("github")
	if moduleClosed(inst) {
		t.Error("the instance made on alice's call path was closed")
	}
	hh.goodCall(t, "bob")
	if hh.lastInstance("github") != inst {
		t.Error("bob's call did not reuse the instance made for alice's, reset")
	}
	if s := hh.stats(t, "github"); s.Created != 1 || s.Resets != 2 || s.Reused != 1 {
		t.Errorf("stats %+v: want one instance made on a call's path, reset after each call and reused once", s)
	}
	if n := len(hh.api.requests()); n != 2 {
		t.Errorf("the API received %d requests for two calls: a warm-up reached it", n)
	}
}
