package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// memBackend is a backend served in memory, as the Backend's HTTP client
// transport, so that a test can run in a synctest bubble, which allows no
// network. There, synctest.Wait returns once every goroutine is blocked: a
// caller that will join a flight has joined it, a request that will reach
// the backend has reached it. And time is the bubble's fake clock, which
// moves only when everything waits on it: durations are exact, whatever the
// machine's load.
type memBackend struct {
	handle func(n int, w http.ResponseWriter, r *http.Request)
	n      atomic.Int32
}

func newMemBackend(h func(n int, w http.ResponseWriter, r *http.Request)) *memBackend {
	return &memBackend{handle: h}
}

// RoundTrip serves r with the handler. The handler sees the request's own
// context: it ends when the client gives up, as a server's would when the
// connection closes.
func (m *memBackend) RoundTrip(r *http.Request) (*http.Response, error) {
	n := int(m.n.Add(1))
	rec := httptest.NewRecorder()
	m.handle(n, rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err // as http.Transport does for a request given up
	}
	return rec.Result(), nil
}

func (m *memBackend) count() int { return int(m.n.Load()) }

// newMemTestBackend is newTestBackend reaching m.
func newMemTestBackend(t *testing.T, m *memBackend, logs *logBuffer, mod ...func(*BackendConfig)) *Backend {
	t.Helper()
	return newTestBackend(t, "https://backend.example", logs, append([]func(*BackendConfig){func(c *BackendConfig) {
		c.Client = &http.Client{Transport: m}
	}}, mod...)...)
}

// gatedBackend answers each request with answer once release is closed (at
// the latest when the test ends), or gives up with the client.
func gatedBackend(t *testing.T, answer func(int, http.ResponseWriter, *http.Request)) (m *memBackend, release chan struct{}) {
	release = make(chan struct{})
	m = newMemBackend(func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
			answer(n, w, r)
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	return m, release
}

func TestExchangeShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, release := gatedBackend(t, tokenHandler)
		var logs logBuffer
		b := newMemTestBackend(t, srv, &logs)

		const n = 16
		var done sync.WaitGroup
		tokens := make([]string, n)
		errs := make([]*Error, n)
		for i := range n {
			done.Go(func() { tokens[i], errs[i] = b.Exchange(t.Context(), testCreds) })
		}
		// Every caller is blocked: one in the backend's handler, the others
		// waiting for its flight.
		synctest.Wait()
		close(release)
		done.Wait()

		if got := srv.count(); got != 1 {
			t.Fatalf("backend got %d requests for %d identical exchanges, want 1", got, n)
		}
		for i := range n {
			if errs[i] != nil || tokens[i] != testAccessToken {
				t.Errorf("caller %d: %q, %v", i, tokens[i], errs[i])
			}
		}
		audit := logs.records(t, "token exchange")
		if len(audit) != n {
			t.Fatalf("%d audit lines, want one per caller (%d)", len(audit), n)
		}
		for _, a := range audit {
			if a["shared"] != true || a["attempts"] != 1.0 {
				t.Errorf("audit line %v, want shared and 1 attempt", a)
			}
		}
	})
}

// TestExchangeSharedErrorsAreCopies checks that callers sharing a failure
// each get their own *Error.
func TestExchangeSharedErrorsAreCopies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, release := gatedBackend(t, statusHandler(401, ""))
		b := newMemTestBackend(t, srv, nil)
		var wg sync.WaitGroup
		errs := make([]*Error, 2)
		for i := range 2 {
			wg.Go(func() { _, errs[i] = b.Exchange(t.Context(), testCreds) })
		}
		synctest.Wait() // both have joined the one flight
		close(release)
		wg.Wait()
		wantAPIError(t, errs[0], "401 Unauthorized: Invalid or expired temp token", 401, false)
		wantAPIError(t, errs[1], "401 Unauthorized: Invalid or expired temp token", 401, false)
		if errs[0] == errs[1] {
			t.Error("two callers got the same *Error")
		}
		if n := srv.count(); n != 1 {
			t.Errorf("backend got %d requests, want 1", n)
		}
	})
}

func TestExchangeNotSharedAcrossCredentials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, release := gatedBackend(t, tokenHandler)
		b := newMemTestBackend(t, srv, nil)
		creds := []Credentials{
			testCreds,
			{UserID: "user_456", UserToken: testUserToken, ProviderID: "reddit"},
			{UserID: "user_123", UserToken: testUserToken + "2", ProviderID: "reddit"},
			{UserID: "user_123", UserToken: testUserToken, ProviderID: "github"},
		}
		var wg sync.WaitGroup
		for _, c := range creds {
			wg.Go(func() {
				if _, e := b.Exchange(t.Context(), c); e != nil {
					t.Errorf("%v: %v", c, e)
				}
			})
		}
		// Each exchange must reach the backend on its own before any answers.
		synctest.Wait()
		if n := srv.count(); n != len(creds) {
			t.Errorf("backend got %d requests for %d distinct credentials, want one each", n, len(creds))
		}
		close(release)
		wg.Wait()
	})
}

// TestExchangeCallerCancel checks that a caller who gives up, whether it
// started the shared exchange or joined it, neither fails the others nor
// cancels the backend request.
func TestExchangeCallerCancel(t *testing.T) {
	for _, leaderCancels := range []bool{true, false} {
		name := "follower cancels"
		if leaderCancels {
			name = "leader cancels"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, release := gatedBackend(t, tokenHandler)
				b := newMemTestBackend(t, srv, nil)

				cancelCtx, cancel := context.WithCancel(t.Context())
				defer cancel()
				leaderCtx, followerCtx := context.Context(t.Context()), context.Context(cancelCtx)
				if leaderCancels {
					leaderCtx, followerCtx = cancelCtx, t.Context()
				}

				type result struct {
					token string
					e     *Error
				}
				leader, follower := make(chan result, 1), make(chan result, 1)
				go func() {
					tok, e := b.Exchange(leaderCtx, testCreds)
					leader <- result{tok, e}
				}()
				synctest.Wait() // the leader's request is at the backend
				go func() {
					tok, e := b.Exchange(followerCtx, testCreds)
					follower <- result{tok, e}
				}()
				synctest.Wait() // the follower has joined the flight
				cancel()

				quitter, stayer := follower, leader
				if leaderCancels {
					quitter, stayer = leader, follower
				}
				select {
				case r := <-quitter:
					wantAPIError(t, r.e, "Token exchange was canceled", 0, false)
				case <-time.After(time.Minute): // fake time: it passes only if nothing else can happen
					t.Fatal("the canceled caller is still waiting")
				}
				close(release)
				r := <-stayer
				if r.e != nil || r.token != testAccessToken {
					t.Fatalf("the other caller got %q, %v", r.token, r.e)
				}
				if n := srv.count(); n != 1 {
					t.Errorf("backend got %d requests, want 1", n)
				}
			})
		})
	}
}

// TestExchangeAfterFlight checks that nothing is cached: an exchange after
// another has finished makes its own request.
func TestExchangeAfterFlight(t *testing.T) {
	srv := newBackendServer(t, tokenHandler)
	b := newTestBackend(t, srv.URL, nil)
	for range 3 {
		if _, e := b.Exchange(t.Context(), testCreds); e != nil {
			t.Fatal(e)
		}
	}
	if n := srv.count(); n != 3 {
		t.Errorf("backend got %d requests for 3 sequential exchanges, want 3", n)
	}
}
