package host

// Per-user isolation: no guest state, token or API data of one user ever
// reaches another user's call, one call at a time (the leaky guest) and
// under load (many users, many calls in flight).

import (
	"fmt"
	extism "github.com/extism/go-sdk"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHostileLeakyReset: a guest that keeps the last caller's data in a
// global would hand it to the next call on the same instance. Instances are
// reset after every call, so no call ever finds anything but what the
// warm-up's rehearsal left in the snapshot, the same user's data included,
// while the instances are shared by all users.
func TestHostileLeakyReset(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"leaky"}, pool: PoolConfig{Warm: 1}})
	if !hh.plugins["hostile-leaky"].Resettable {
		t.Fatal("the leaky guest is not resettable")
	}
	// Before each reset the scan finds the call's data in both memories, so
	// the scans after it are not vacuous.
	var mu sync.Mutex
	var data string
	var before []int
	scan := hh.host.afterCall
	hh.host.afterCall = func(pl *Plugin, inst *extism.Plugin) {
		scan(pl, inst)
		mu.Lock()
		defer mu.Unlock()
		before = append(before, len(scanInstance(inst, data)))
	}
	for i, user := range []string{"alice", "bob", "alice", "bob", "bob"} {
		mu.Lock()
		data = fmt.Sprintf("%s-secret-%d", user, i)
		mu.Unlock()
		res := hh.call(t, user, "hostile_leaky", map[string]any{"data": data}).wantOK(t)
		if p, _ := res["profile"].(string); !strings.Contains(p, `"login":"`+user+`"`) {
			t.Errorf("%s got the profile %s", user, p)
		}
		// Each call finds only what the warm-up's rehearsal left in the
		// snapshot (no data, the rehearsed body "{}", one call), the same
		// for every user.
		if prev, _ := res["previous"].(map[string]any); prev["data"] != "" || prev["profile"] != "{}" || res["calls"] != 2.0 {
			t.Errorf("call %d of %s found what an earlier call left: %v (calls %v)", i, user, prev, res["calls"])
		}
		mu.Lock()
		if before[i] != 2 {
			t.Errorf("call %d: the scan before the reset found the data in %d memories, want both", i, before[i])
		}
		mu.Unlock()
		if found := scanInstance(hh.lastInstance("hostile-leaky"), data); len(found) > 0 {
			t.Errorf("call %d: after the reset the instance still holds its data: %v", i, found)
		}
	}
	s := hh.stats(t, "hostile-leaky")
	if s.Resets != 5 || s.Reused < 3 || s.Idle != 0 {
		t.Errorf("stats %+v: want 5 resets, instances shared across users, no per-user idle instance", s)
	}
}

// TestHostileLeaky: with pool.per_user, a guest that keeps the last
// caller's data in a global hands it to the next call on the same instance.
// Instances are then per user, so a user gets back only their own data
// (documented: a plugin's memory is that user's working set), never another
// user's.
func TestHostileLeaky(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"leaky"}, pool: PoolConfig{Warm: 2, PerUser: true}, keepMemories: true})
	previous := func(user, data string) map[string]any {
		t.Helper()
		res := hh.call(t, user, "hostile_leaky", map[string]any{"data": data}).wantOK(t)
		if p, _ := res["profile"].(string); !strings.Contains(p, `"login":"`+user+`"`) {
			t.Errorf("%s got the profile %s", user, p)
		}
		prev, _ := res["previous"].(map[string]any)
		return prev
	}
	if p := previous("alice", "alice-secret-1"); p["data"] != "" {
		t.Errorf("alice's first call found %v", p)
	}
	// The memory scan sees what a guest keeps: alice's data is in her
	// instance's memory (as the global), and in the kernel's (as input).
	if found := hh.scanLast("hostile-leaky", "alice-secret-1"); len(found) != 2 {
		t.Errorf("scanning alice's instance for her data found %v, want it in both memories", found)
	}
	for i := range 3 {
		p := previous("bob", fmt.Sprintf("bob-secret-%d", i))
		if d, _ := p["data"].(string); strings.Contains(d, "alice") || strings.Contains(fmt.Sprint(p["profile"]), "alice") {
			t.Errorf("bob got alice's data: %v", p)
		}
		if i > 0 && p["data"] != fmt.Sprintf("bob-secret-%d", i-1) {
			t.Errorf("bob's call %d found %v, want his own previous data (same instance)", i, p)
		}
	}
	if p := previous("alice", "alice-secret-2"); p["data"] != "alice-secret-1" {
		t.Errorf("alice's second call found %v, want her own previous data", p)
	}
	s := hh.stats(t, "hostile-leaky")
	if s.Reused != 3 || s.Fresh+s.Created != 2 {
		t.Errorf("stats %+v: want 2 new instances (one per user) and 3 reuses", s)
	}
}

// TestConcurrentUserIsolation runs many calls from many users at once, each
// user with their own token from the fake backend, against a fake API that
// knows users only by token and answers with data naming the token's user.
// Half the calls go to the real github plugin, half to the leaky guest,
// which hands each call whatever the previous call on its instance left
// behind. Every call must succeed, with the caller's own data only: never
// another user's token, profile or leftovers, and the API must have seen
// each user's token exactly as often as that user called.
func TestConcurrentUserIsolation(t *testing.T) {
	users, calls, workers := 60, 1200, 40
	if testing.Short() {
		users, calls, workers = 50, 1000, 32
	}
	// Room for every user's idle instances: evictions would only make the
	// run slower (a new instance costs ~10x a warm call under -race).
	hh := newHarness(t, harnessOptions{
		guests: []string{"leaky"},
		users:  users,
		pool:   PoolConfig{Warm: 4, MaxIdle: 256},
	})
	ids := userIDs(users)

	type job struct {
		user string
		n    int
		tool string
	}
	jobs := make(chan job, calls)
	rng := rand.New(rand.NewPCG(1, 2))
	perUser := map[string]int{}
	for i := range calls {
		u := ids[rng.IntN(len(ids))]
		tool := "get_github_user"
		if i%2 == 1 {
			tool = "hostile_leaky"
		}
		perUser[u]++
		jobs <- job{u, i, tool}
	}
	close(jobs)

	var (
		inFlight, peak atomic.Int64
		failures       atomic.Int64
		crossed        atomic.Int64
		mu             sync.Mutex
		problems       []string
	)
	report := func(counter *atomic.Int64, format string, args ...any) {
		counter.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				n := inFlight.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				args := map[string]any(nil)
				if j.tool == "hostile_leaky" {
					args = map[string]any{"data": fmt.Sprintf("%s-%d", j.user, j.n)}
				}
				res := hh.call(t, j.user, j.tool, args)
				inFlight.Add(-1)
				checkIsolatedResult(j.user, j.tool, res, func(crossUser bool, format string, args ...any) {
					if crossUser {
						report(&crossed, format, args...)
					} else {
						report(&failures, format, args...)
					}
				})
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	for _, p := range problems {
		t.Error(p)
	}
	if failures.Load() != 0 || crossed.Load() != 0 {
		t.Errorf("%d failed calls, %d calls answered with another user's token or data", failures.Load(), crossed.Load())
	}
	if peak.Load() < 32 {
		t.Errorf("at most %d calls were in flight at once, want at least 32", peak.Load())
	}
	// The API saw each user's token exactly as often as the user called.
	seen := map[string]int{}
	for _, r := range hh.api.requests() {
		seen[hh.byToken[strings.TrimPrefix(r.Auth, "Bearer ")]]++
	}
	for _, u := range ids {
		if seen[u] != perUser[u] {
			t.Errorf("the API saw %s's token %d times; %s made %d calls", u, seen[u], u, perUser[u])
		}
	}
	gh, lk := hh.stats(t, "github"), hh.stats(t, "hostile-leaky")
	t.Logf("%d calls from %d users, %d workers, peak %d in flight, in %v (%.0f calls/s); github pool %+v; leaky pool %+v; %d instance memories scanned for secrets",
		calls, len(ids), workers, peak.Load(), elapsed.Round(time.Millisecond), float64(calls)/elapsed.Seconds(), gh, lk, hh.scanned.Load())
	if gh.Discarded != 0 || lk.Discarded != 0 {
		t.Errorf("healthy calls discarded instances: github %+v, leaky %+v", gh, lk)
	}
}

// checkIsolatedResult checks one call's answer: a success, naming the
// caller, carrying no secret, and (for the leaky guest) leftovers of the
// caller only. bad reports a problem; crossUser marks one that shows
// another user's data.
func checkIsolatedResult(user, tool string, res toolOutcome, bad func(crossUser bool, format string, args ...any)) {
	for _, m := range secretMarks {
		if strings.Contains(res.raw, m) {
			bad(true, "%s %s: a secret in the result: %s", user, tool, clipText(res.raw, 300))
		}
	}
	if res.rpcError != "" || res.isError {
		bad(false, "%s %s: %s%s", user, tool, res.rpcError, clipText(res.text, 300))
		return
	}
	s := res.structured
	if tool == "get_github_user" {
		if s["login"] != user {
			bad(true, "%s got the profile of %v", user, s["login"])
		}
		return
	}
	if p, _ := s["profile"].(string); !strings.Contains(p, `"login":"`+user+`"`) {
		bad(true, "%s got the leaky profile %s", user, p)
	}
	prev, _ := s["previous"].(map[string]any)
	if d, _ := prev["data"].(string); d != "" && !strings.HasPrefix(d, user+"-") {
		bad(true, "%s got leftover data %q of another user", user, d)
	}
	// "{}" is what the warm-up's rehearsal answered (see warmUp), in every
	// instance's snapshot.
	if p, _ := prev["profile"].(string); p != "" && p != "{}" && !strings.Contains(p, `"login":"`+user+`"`) {
		bad(true, "%s got a leftover profile of another user: %s", user, p)
	}
}
