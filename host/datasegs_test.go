package host

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero/api"
)

// dataSegments returns how many data segments the instance of m keeps, or
// -1 when it cannot be read.
func dataSegments(m api.Module) int {
	f, ok := dataInstancesOf(m)
	if !ok {
		return -1
	}
	return f.Len()
}

// TestResettableInstancesDropDataSegments: an instance made to be reset
// keeps none of wazero's per-instance data segments (tens of thousands for
// a stock-Go plugin), a plain one keeps them all, and the instance without
// them serves calls, resets and serves again.
func TestResettableInstancesDropDataSegments(t *testing.T) {
	hh := newHarness(t, harnessOptions{})
	pl := hh.plugins["github"]
	if !pl.Resettable {
		t.Skip("the github plugin is not resettable here")
	}
	plain, err := newInstanceOf(context.Background(), compiledOf(t, pl))
	if err != nil {
		t.Fatal(err)
	}
	defer closeInstance(plain)
	if n := dataSegments(guestModule(plain.Plugin)); n < 1000 {
		t.Fatalf("a plain instance keeps %d data segments; this test expects a stock-Go plugin's thousands", n)
	}
	inst, err := pl.newInstance(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := dataSegments(guestModule(inst.Plugin)); n != 0 {
		t.Errorf("a resettable instance keeps %d data segments, want none", n)
	}
	closeInstance(inst)
	for _, u := range []string{"alice", "bob", "alice"} {
		hh.goodCall(t, u)
	}
	if st := pl.Stats(); st.Resets < 2 {
		t.Errorf("pool %+v: the calls were not served by reset instances", st)
	}
	if dropDataSegments(nil) {
		t.Error("dropDataSegments(nil) reported a drop")
	}
}
