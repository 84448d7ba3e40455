package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// residentHarness returns a harness whose github plugin was described
// before (its descriptor is in the cache), so that it is listed without its
// code: a first harness describes it if no earlier test did.
func residentHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	first := newHarness(t, harnessOptions{})
	first.goodCall(t, "alice")
	return newHarness(t, o)
}

// untilResident waits for pl's code to be in memory, or not.
func untilResident(t *testing.T, pl *Plugin, want bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for pl.Resident() != want {
		if time.Now().After(deadline) {
			t.Fatalf("plugin %s: resident %v after 2 minutes, want %v", pl.Name(), !want, want)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPluginCodeLoadsAtFirstCallAndUnloadsWhenIdle: a plugin described
// from the cache is listed with no code in memory, compiles at its first
// call, gives back its instances and code once idle for UnloadAfter, and
// its next call loads it again and is served as before, by another user.
func TestPluginCodeLoadsAtFirstCallAndUnloadsWhenIdle(t *testing.T) {
	hh := residentHarness(t, harnessOptions{pool: PoolConfig{Warm: 2, UnloadAfter: time.Hour}})
	pl := hh.plugins["github"]
	if pl.Resident() {
		t.Fatal("the plugin's code is in memory before any call")
	}
	wantToolsListed(t, hh.host, sortedToolNames(hh.host)...)
	hh.goodCall(t, "alice")
	if !pl.Resident() {
		t.Fatal("the plugin's code is not in memory after a call")
	}

	// Not idle long enough: nothing is unloaded.
	pl.tryUnload()
	if !pl.Resident() || pl.unloads.Load() != 0 {
		t.Fatal("the plugin was unloaded before UnloadAfter")
	}

	untilWarm(t, pl, 2)
	pl.lastCall.Store(0) // as if the last call were long ago
	pl.tryUnload()
	if pl.Resident() || pl.unloads.Load() != 1 {
		t.Fatalf("resident %v, unloads %d after an idle period: want the code unloaded once", pl.Resident(), pl.unloads.Load())
	}
	if st := pl.Stats(); st.Warm != 0 || st.Idle != 0 {
		t.Errorf("after the unload the pool holds %d warm and %d idle instances, want none", st.Warm, st.Idle)
	}
	if !strings.Contains(hh.logs.String(), "plugin code unloaded") {
		t.Error("the host did not log the unload")
	}

	hh.goodCall(t, "bob")
	hh.goodCall(t, "alice")
	if !pl.Resident() {
		t.Fatal("the plugin's code is not in memory after a call that followed the unload")
	}
}

// untilWarm waits for pl's pool to have n warm instances, and its filler
// to be done: the unload must find no warm instance being made.
func untilWarm(t *testing.T, pl *Plugin, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	filling := func() bool {
		pl.pool.mu.Lock()
		defer pl.pool.mu.Unlock()
		return pl.pool.refilling || len(pl.pool.fresh) < n
	}
	for filling() {
		if time.Now().After(deadline) {
			t.Fatalf("plugin %s: %d warm instances after 2 minutes, want %d", pl.Name(), pl.Stats().Warm, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestUnloadWaitsForCallsInFlight: the code of a plugin with a call in
// flight is never freed, however long the plugin was idle before; once the
// call is over, it is.
func TestUnloadWaitsForCallsInFlight(t *testing.T) {
	arrived, proceed := make(chan struct{}), make(chan struct{})
	hh := residentHarness(t, harnessOptions{pool: PoolConfig{UnloadAfter: time.Hour}, api: func(hh *harness, w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/user" && hh.byToken[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] == "bob" {
			arrived <- struct{}{}
			<-proceed
		}
		return false
	}})
	pl := hh.plugins["github"]
	hh.goodCall(t, "alice") // only bob's calls block

	done := make(chan toolOutcome, 1)
	go func() { done <- hh.callCtx(context.Background(), hh.nextID(), "bob", "get_github_user", nil) }()
	<-arrived
	pl.lastCall.Store(0)
	pl.tryUnload()
	if !pl.Resident() || pl.unloads.Load() != 0 {
		t.Fatal("the plugin's code was unloaded under a call in flight")
	}
	close(proceed)
	res := (<-done).wantOK(t)
	if res["login"] != "bob" {
		t.Errorf("the call in flight answered login %v, want bob", res["login"])
	}

	pl.lastCall.Store(0)
	pl.tryUnload()
	if pl.Resident() || pl.unloads.Load() != 1 {
		t.Fatalf("resident %v, unloads %d once the call was over: want the code unloaded", pl.Resident(), pl.unloads.Load())
	}
}

// TestPreloadCompilesAtStart: with pool.preload, a plugin described from
// the cache compiles at start, with no call.
func TestPreloadCompilesAtStart(t *testing.T) {
	hh := residentHarness(t, harnessOptions{pool: PoolConfig{Preload: true}})
	hh.host.loader.started.open() // as the first tools/list does
	untilResident(t, hh.plugins["github"], true)
	hh.goodCall(t, "alice")
}

// TestLoadingAgainChecksTheFile: code loaded again for a plugin (after an
// unload) comes from the metered cache by the plugin's digest, or from its
// file, whose digest must still be the one it was loaded and listed with:
// another file in its place is refused, and none of its code runs.
func TestLoadingAgainChecksTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.wasm")
	first := []byte("\x00asm\x01\x00\x00\x00")
	if err := os.WriteFile(path, first, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(first)
	pl := &Plugin{File: path, SHA256: hex.EncodeToString(sum[:])}
	l := newLoader(Config{CacheDir: "off"}, nil, slog.New(slog.DiscardHandler))
	if err := os.WriteFile(path, []byte("\x00asm\x01\x00\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := l.codeOf(pl)
	if err == nil || !strings.Contains(err.Error(), "changed since it was loaded") {
		t.Fatalf("loading a changed file again: err = %v, want a refusal", err)
	}
}
