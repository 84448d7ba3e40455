package host

import (
	"context"
	"testing"
	"time"
)

// TestCloseStopsCallsPastGrace: closing a plugin (unload, replace, host
// shutdown) waits for calls in flight only until its context ends; then it
// stops them, waits for them to return, and only then frees the compiled
// code. The stopped call is a tool error that says why, and Close returns
// promptly even though the call's own time limit is a minute away.
func TestCloseStopsCallsPastGrace(t *testing.T) {
	hh := newHarness(t, harnessOptions{
		guests:   []string{"loop"},
		limits:   map[string]Limits{"hostile-loop": {Timeout: time.Minute}},
		noGitHub: true,
	})
	pl := hh.plugins["hostile-loop"]
	done := make(chan toolOutcome, 1)
	go func() { done <- hh.call(t, "alice", "hostile_loop", map[string]any{"mode": "spin"}) }()
	hh.waitForLog(t, "hostile loop started: spin", 10*time.Second)

	hh.host.reg.remove(pl.File) // as Unload does, so that the harness does not close it again
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	closed := make(chan error, 1)
	go func() { closed <- pl.Close(ctx) }()

	var res toolOutcome
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the running call was not stopped after the grace period")
	}
	res.wantToolError(t, "unloaded or the host shut down")
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not return after its call was stopped")
	}
	// A call that arrives after Close started is refused without running.
	hh.call(t, "alice", "hostile_loop", map[string]any{"mode": "spin"}).wantToolError(t, "was unloaded")
}
