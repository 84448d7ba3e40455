package auth

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// gatedServer answers each request with the token once release is closed,
// and reports each request's arrival on started.
func gatedServer(t *testing.T) (srv *backendServer, started chan struct{}, release chan struct{}) {
	return gatedServerWith(t, tokenHandler)
}

// gatedServerWith is gatedServer answering with answer.
func gatedServerWith(t *testing.T, answer func(int, http.ResponseWriter, *http.Request)) (
	srv *backendServer, started chan struct{}, release chan struct{}) {
	started, release = make(chan struct{}, 100), make(chan struct{})
	srv = newBackendServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
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
	return srv, started, release
}

// joinTime is how long the tests give goroutines that have been started to
// reach the flight group.
const joinTime = 150 * time.Millisecond

func TestExchangeShared(t *testing.T) {
	srv, started, release := gatedServer(t)
	var logs logBuffer
	b := newTestBackend(t, srv.URL, &logs)

	const n = 16
	var ready, done sync.WaitGroup
	tokens := make([]string, n)
	errs := make([]*Error, n)
	ready.Add(n)
	for i := range n {
		done.Go(func() {
			ready.Done()
			tokens[i], errs[i] = b.Exchange(t.Context(), testCreds)
		})
	}
	ready.Wait()
	<-started
	time.Sleep(joinTime)
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
}

// TestExchangeSharedErrorsAreCopies checks that callers sharing a failure
// each get their own *Error.
func TestExchangeSharedErrorsAreCopies(t *testing.T) {
	srv, started, release := gatedServerWith(t, statusHandler(401, ""))
	b := newTestBackend(t, srv.URL, nil)
	var wg sync.WaitGroup
	errs := make([]*Error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = b.Exchange(t.Context(), testCreds) })
	}
	<-started
	time.Sleep(joinTime)
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
}

func TestExchangeNotSharedAcrossCredentials(t *testing.T) {
	srv, _, release := gatedServer(t)
	b := newTestBackend(t, srv.URL, nil)
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
	eventually(t, "one request per distinct credentials", func() bool { return srv.count() == len(creds) })
	close(release)
	wg.Wait()
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
			srv, started, release := gatedServer(t)
			b := newTestBackend(t, srv.URL, nil)

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
			<-started
			go func() {
				tok, e := b.Exchange(followerCtx, testCreds)
				follower <- result{tok, e}
			}()
			time.Sleep(joinTime)
			cancel()

			quitter, stayer := follower, leader
			if leaderCancels {
				quitter, stayer = leader, follower
			}
			select {
			case r := <-quitter:
				wantAPIError(t, r.e, "Token exchange was canceled", 0, false)
			case <-time.After(5 * time.Second):
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
