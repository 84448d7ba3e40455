package e2e

// The calls section: the host caps the calls in flight, all users together
// and per user, and each user's rate, over stdio and HTTP alike; a refused
// call is a tool error the model can read, and a log line.

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// heldGitHub answers /user only once release is called, and says on started
// when a request arrives.
func heldGitHub(t *testing.T) (f *fake, started <-chan struct{}, release func()) {
	ch := make(chan struct{}, 16)
	held := make(chan struct{})
	var once sync.Once
	f = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		ch <- struct{}{}
		select {
		case <-held:
		case <-r.Context().Done():
			return
		}
		writeJSON(w, 200, map[string]any{"login": "heldcat", "id": 3})
	})
	release = func() { once.Do(func() { close(held) }) }
	t.Cleanup(release)
	return f, ch, release
}

// transports starts a host with the options opts gives, over each
// transport, and hands its client session and stderr to run.
func transports(t *testing.T, opts func(t *testing.T) hostOpts, run func(t *testing.T, s *mcp.ClientSession, stderr *syncBuffer)) {
	t.Run("stdio", func(t *testing.T) {
		r := startHost(t, opts(t))
		run(t, r.session, r.stderr)
	})
	t.Run("http", func(t *testing.T) {
		h := startHTTPHost(t, opts(t))
		s, err := connectHTTP(t, h.url, "", "")
		if err != nil {
			t.Fatal(err)
		}
		run(t, s, h.stderr)
	})
}

// callAs calls get_github_user as user in the background.
func callAs(s *mcp.ClientSession, user string) <-chan callResult {
	done := make(chan callResult, 1)
	go func() {
		res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: "get_github_user", Meta: meta(user, "temp-token-of-"+user, "github")})
		done <- callResult{res, err}
	}()
	return done
}

// wantRefused fails the test unless got is a tool error with the outcome,
// and returns its error object.
func wantRefused(t *testing.T, got callResult, outcome string) map[string]any {
	t.Helper()
	if got.err != nil {
		t.Fatalf("refused call: protocol error %v, want a tool error", got.err)
	}
	if !got.res.IsError {
		t.Fatalf("call admitted (%s), want %s", text(got.res), outcome)
	}
	obj := structured(t, got.res)
	if obj["error"] != outcome || obj["retryable"] != true || !strings.Contains(text(got.res), "call get_github_user again") {
		t.Fatalf("refusal %s, want %s", text(got.res), outcome)
	}
	return obj
}

func TestCallsInFlightCaps(t *testing.T) {
	var started <-chan struct{}
	var release func()
	opts := func(t *testing.T) hostOpts {
		var gh *fake
		gh, started, release = heldGitHub(t)
		return hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL},
			extraYAML: "calls:\n  max_in_flight: 2\n  per_user_in_flight: 1\n  per_user_rate: -1\n"}
	}
	transports(t, opts, func(t *testing.T, s *mcp.ClientSession, stderr *syncBuffer) {
		alice := callAs(s, "alice")
		waitStarted(t, started)
		wantRefused(t, <-callAs(s, "alice"), "user_busy")
		bob := callAs(s, "bob")
		waitStarted(t, started)
		wantRefused(t, <-callAs(s, "carol"), "host_busy")
		release()
		for _, done := range []<-chan callResult{alice, bob} {
			got := <-done
			if got.err != nil || got.res.IsError || structured(t, got.res)["login"] != "heldcat" {
				t.Fatalf("an admitted call: err=%v result=%v", got.err, got.res)
			}
		}
		stderr.waitFor(t, "log lines of the refusals", func(logs string) bool {
			return logLine(logs, `msg="tool call"`, "userId=alice", "outcome=user_busy", "limit=calls.per_user_in_flight") &&
				logLine(logs, `msg="tool call"`, "userId=carol", "outcome=host_busy", "refused_total=2")
		})
		if strings.Contains(stderr.String(), "temp-token-of-") {
			t.Error("a userToken is in the logs")
		}
	})
}

func TestCallsPerUserRate(t *testing.T) {
	gh := fakeGitHub(t)
	// One call per 1,000 s: the bucket never refills during the test.
	o := hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL},
		extraYAML: "calls:\n  per_user_rate: 0.001\n  per_user_burst: 2\n"}
	transports(t, func(*testing.T) hostOpts { return o }, func(t *testing.T, s *mcp.ClientSession, stderr *syncBuffer) {
		for range 2 {
			if got := <-callAs(s, "alice"); got.err != nil || got.res.IsError {
				t.Fatalf("a call within the burst: err=%v result=%v", got.err, got.res)
			}
		}
		obj := wantRefused(t, <-callAs(s, "alice"), "rate_limited")
		if ms, _ := obj["retry_after_ms"].(float64); ms < 900_000 || !strings.Contains(obj["message"].(string), "0.001 calls a second, in bursts of up to 2") {
			t.Errorf("refusal %v, want a retry after about 1,000 s", obj)
		}
		if got := <-callAs(s, "bob"); got.err != nil || got.res.IsError {
			t.Fatalf("another user's call: err=%v result=%v", got.err, got.res)
		}
		stderr.waitFor(t, "log line of the refusal", func(logs string) bool {
			return logLine(logs, `msg="tool call"`, "userId=alice", "outcome=rate_limited", "limit=calls.per_user_rate")
		})
	})
}
