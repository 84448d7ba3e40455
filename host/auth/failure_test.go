package auth

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestBackendTimeout checks that Timeout bounds each attempt, and that a
// timed-out attempt is retried once. In a synctest bubble, so the durations
// are the fake clock's, exact whatever the machine's load.
func TestBackendTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var lived []time.Duration // how long the backend held each request
		srv := newMemBackend(func(n int, w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			hangHandler(time.Minute)(n, w, r)
			lived = append(lived, time.Since(start))
		})
		var logs logBuffer
		b := newMemTestBackend(t, srv, &logs, func(c *BackendConfig) { c.Timeout = 50 * time.Millisecond })
		token, e := b.Exchange(t.Context(), testCreds)
		wantAPIError(t, e, "Backend API request timed out", 0, true)
		if token != "" {
			t.Errorf("token %q", token)
		}
		if n := srv.count(); n != 2 {
			t.Errorf("backend got %d requests, want 2 (one retry)", n)
		}
		for i, d := range lived {
			if d != 50*time.Millisecond {
				t.Errorf("attempt %d was given up after %v, want the 50ms timeout", i+1, d)
			}
		}
		if a := logs.records(t, "token exchange"); len(a) != 1 || a[0]["outcome"] != "api_error" || a[0]["attempts"] != 2.0 {
			t.Errorf("audit: %v", a)
		}
	})
}

func TestBackendRetrySucceeds(t *testing.T) {
	tests := []struct {
		name  string
		first func(int, http.ResponseWriter, *http.Request)
	}{
		{"after 500", statusHandler(500, "")},
		{"after 502", statusHandler(502, "")},
		{"after dropped connection", func(_ int, w http.ResponseWriter, _ *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}},
	}
	firstThenToken := func(first func(int, http.ResponseWriter, *http.Request)) func(int, http.ResponseWriter, *http.Request) {
		return func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				first(n, w, r)
				return
			}
			tokenHandler(n, w, r)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newBackendServer(t, firstThenToken(tt.first))
			b := newTestBackend(t, srv.URL, nil)
			token, e := b.Exchange(t.Context(), testCreds)
			if e != nil || token != testAccessToken {
				t.Fatalf("Exchange = %q, %v", token, e)
			}
			if n := srv.count(); n != 2 {
				t.Errorf("backend got %d requests, want 2", n)
			}
		})
	}
	// After a timeout, in a bubble: the retry's answer comes within its own
	// 100ms of fake time, however slow the machine.
	t.Run("after timeout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := newMemBackend(firstThenToken(hangHandler(time.Minute)))
			b := newMemTestBackend(t, srv, nil, func(c *BackendConfig) { c.Timeout = 100 * time.Millisecond })
			token, e := b.Exchange(t.Context(), testCreds)
			if e != nil || token != testAccessToken {
				t.Fatalf("Exchange = %q, %v", token, e)
			}
			if n := srv.count(); n != 2 {
				t.Errorf("backend got %d requests, want 2", n)
			}
		})
	})
}

// TestBackendRetryNeedsTime checks that no retry starts when the caller's
// deadline cannot hold its backoff and a useful attempt. In a synctest
// bubble: the clock moves only while something waits on it, so an exchange
// that waited for nothing takes no time at all.
func TestBackendRetryNeedsTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newMemBackend(statusHandler(500, ""))
		var logs logBuffer
		b := newMemTestBackend(t, srv, &logs, func(c *BackendConfig) { c.RetryBackoff = 2 * time.Second })
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, e := b.Exchange(ctx, testCreds)
		wantAPIError(t, e, "500 Internal Server Error: Backend error", 500, true)
		if n := srv.count(); n != 1 {
			t.Errorf("backend got %d requests, want 1", n)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("took %v: it waited for a retry it could not make", d)
		}
		if len(logs.records(t, "token exchange retry skipped")) != 1 {
			t.Errorf("no debug line for the skipped retry:\n%s", logs.String())
		}

		// With room for it, the retry happens inside the deadline, after
		// its backoff.
		srv2 := newMemBackend(statusHandler(500, ""))
		b = newMemTestBackend(t, srv2, nil, func(c *BackendConfig) { c.RetryBackoff = 20 * time.Millisecond })
		ctx, cancel = context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start = time.Now()
		b.Exchange(ctx, testCreds)
		if n := srv2.count(); n != 2 {
			t.Errorf("backend got %d requests, want 2", n)
		}
		if d := time.Since(start); d < 10*time.Millisecond || d >= 30*time.Millisecond {
			t.Errorf("the retry came after %v, want a backoff in [10ms, 30ms)", d)
		}
	})
}

// TestBackendDeadline checks that the caller's deadline bounds the exchange
// even when it is shorter than Timeout, and that the backend request is
// abandoned at that deadline. In a synctest bubble, so both happen at
// exactly 150ms of fake time.
func TestBackendDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var abandoned []time.Duration // after how long the backend saw each request given up
		start := time.Now()
		srv := newMemBackend(func(_ int, _ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
				abandoned = append(abandoned, time.Since(start))
			case <-time.After(time.Minute):
			}
		})
		b := newMemTestBackend(t, srv, nil, func(c *BackendConfig) { c.Timeout = DefaultTimeout })
		ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel()
		_, e := b.Exchange(ctx, testCreds)
		elapsed := time.Since(start)
		wantAPIError(t, e, "Backend API request timed out", 0, true)
		if elapsed != 150*time.Millisecond {
			t.Errorf("returned after %v, want the caller's 150ms deadline", elapsed)
		}
		synctest.Wait() // the backend's handler has seen what it will see
		if len(abandoned) != 1 || abandoned[0] != 150*time.Millisecond {
			t.Errorf("the backend saw its request given up after %v, want once, at the 150ms deadline", abandoned)
		}
		if n := srv.count(); n != 1 {
			t.Errorf("backend got %d requests, want 1", n)
		}
	})
}

func TestBackendConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	var logs logBuffer
	b := newTestBackend(t, "http://"+addr, &logs)
	_, e := b.Exchange(t.Context(), testCreds)
	wantAPIError(t, e, "Could not connect to backend API: connection refused", 0, true)
	if a := logs.records(t, "token exchange"); len(a) != 1 || a[0]["attempts"] != 2.0 {
		t.Errorf("audit %v, want 2 attempts", a)
	}
	ends := logs.records(t, "token exchange response")
	if len(ends) != 2 || !strings.Contains(ends[0]["cause"].(string), "connection refused") {
		t.Errorf("debug lines lack the cause: %v", ends)
	}
}

func TestBackendDNSFailure(t *testing.T) {
	// The dialer fails as a resolver would, without asking one.
	for _, notFound := range []bool{true, false} {
		var logs logBuffer
		b := newTestBackend(t, "https://backend.example", &logs, func(c *BackendConfig) {
			c.Client = &http.Client{Transport: &http.Transport{
				DialContext: func(context.Context, string, string) (net.Conn, error) {
					return nil, &net.DNSError{Err: "no such host", Name: "backend.example", IsNotFound: notFound}
				},
			}}
		})
		_, e := b.Exchange(t.Context(), testCreds)
		wantAPIError(t, e, "Could not connect to backend API: DNS lookup failed", 0, !notFound)
		// A name that does not exist is not retried; a resolver failure is.
		want := 2.0
		if notFound {
			want = 1
		}
		if a := logs.records(t, "token exchange"); len(a) != 1 || a[0]["attempts"] != want {
			t.Errorf("not found %v: audit %v, want %v attempts", notFound, a, want)
		}
	}
}

func TestBackendTLSFailure(t *testing.T) {
	var n int
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		tokenHandler(n, w, r)
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	defer ts.Close()

	// Neither the default client nor a plain one trusts the test CA.
	for _, client := range []*http.Client{nil, {}} {
		b := newTestBackend(t, ts.URL, nil, func(c *BackendConfig) { c.Client = client })
		_, e := b.Exchange(t.Context(), testCreds)
		wantAPIError(t, e, "Could not connect to backend API: TLS handshake failed (certificate signed by unknown authority)", 0, false)
	}

	// The wrong name in the certificate.
	b := newTestBackend(t, strings.Replace(ts.URL, "127.0.0.1", "localhost", 1), nil, func(c *BackendConfig) {
		c.Client = ts.Client()
	})
	_, e := b.Exchange(t.Context(), testCreds)
	wantAPIError(t, e, "Could not connect to backend API: TLS handshake failed (certificate is not valid for the host)", 0, false)

	// A client that trusts it succeeds over https.
	b = newTestBackend(t, ts.URL, nil, func(c *BackendConfig) { c.Client = ts.Client() })
	if token, e := b.Exchange(t.Context(), testCreds); e != nil || token != testAccessToken {
		t.Errorf("trusted TLS: %q, %v", token, e)
	}
	if n != 1 {
		t.Errorf("server handled %d requests, want 1 (the trusted one)", n)
	}

	// https to a plain HTTP server.
	plain := newBackendServer(t, tokenHandler)
	b = newTestBackend(t, strings.Replace(plain.URL, "http:", "https:", 1), nil)
	_, e = b.Exchange(t.Context(), testCreds)
	wantAPIError(t, e, "Could not connect to backend API: TLS handshake failed (the server answered in plain HTTP)", 0, false)
}

// TestBackendCallerContext checks a ctx already done and invalid
// credentials: neither reaches the backend.
func TestBackendCallerContext(t *testing.T) {
	srv := newBackendServer(t, tokenHandler)
	b := newTestBackend(t, srv.URL, nil)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, e := b.Exchange(ctx, testCreds)
	wantAPIError(t, e, "Token exchange was canceled", 0, false)

	ctx, cancel = context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	_, e = b.Exchange(ctx, testCreds)
	wantAPIError(t, e, "Backend API request timed out", 0, true)

	_, e = b.Exchange(t.Context(), Credentials{UserID: "u\n", UserToken: "t", ProviderID: "reddit"})
	if e == nil || e.Code != CodeInvalidParameter || e.Details != "userId must not contain control characters" {
		t.Errorf("invalid credentials: %+v", e)
	}
	if n := srv.count(); n != 0 {
		t.Errorf("backend got %d requests", n)
	}
}

// panicTransport panics on every request.
type panicTransport struct{}

func (panicTransport) RoundTrip(*http.Request) (*http.Response, error) {
	panic("boom " + testUserToken)
}

// TestBackendPanic checks that a panicking transport fails the exchange
// instead of crashing the host, and that the panic's text is not logged.
func TestBackendPanic(t *testing.T) {
	var logs logBuffer
	b := newTestBackend(t, "https://backend.example", &logs, func(c *BackendConfig) {
		c.Client = &http.Client{Transport: panicTransport{}}
	})
	_, e := b.Exchange(t.Context(), testCreds)
	wantAPIError(t, e, "Internal error during token exchange", 0, false)
	if len(logs.records(t, "token exchange panicked")) != 1 || strings.Contains(logs.String(), "boom") {
		t.Errorf("logs:\n%s", logs.String())
	}
}
