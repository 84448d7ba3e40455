package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/host/auth"
)

func TestRequireToken(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := requireToken("s3cret", ok)
	for _, c := range []struct {
		auth      string
		want      int
		challenge string
	}{
		{"", 401, `Bearer realm="wasmcp"`},
		{"Basic czNjcmV0", 401, `Bearer realm="wasmcp"`},
		{"Bearer wrong", 401, `Bearer realm="wasmcp", error="invalid_token"`},
		{"Bearer s3cret", 204, ""},
		{"bearer s3cret", 204, ""},
		{"Bearer s3cret2", 401, `Bearer realm="wasmcp", error="invalid_token"`},
	} {
		req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.want || rec.Header().Get("WWW-Authenticate") != c.challenge {
			t.Errorf("Authorization %q: %d %q, want %d %q", c.auth, rec.Code, rec.Header().Get("WWW-Authenticate"), c.want, c.challenge)
		}
		if strings.Contains(rec.Body.String(), "s3cret") {
			t.Errorf("the token is in the answer")
		}
	}
	if requireToken("", ok) == nil {
		t.Fatal("no token: want the handler itself")
	}
}

// On a loopback listener, a Host or Origin that is not loopback is refused.
func TestGuardOriginOnLoopback(t *testing.T) {
	srv := httptest.NewServer(guardOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, c := range []struct {
		host, origin string
		want         int
	}{
		{"", "", 200},
		{"localhost" + port, "", 200},
		{"[::1]" + port, "", 200},
		{"evil.example" + port, "", 403},
		{"127.0.0.1.evil.example", "", 403},
		{"", "http://localhost:5173", 200},
		{"", "http://127.0.0.1" + port, 200},
		{"", "http://evil.example", 403},
		{"", "null", 403},
		{"", "http://localhost.evil.example", 403},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/healthz", nil)
		if c.host != "" {
			req.Host = c.host
		}
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("Host %q Origin %q: %d, want %d", c.host, c.origin, resp.StatusCode, c.want)
		}
	}
}

// Off loopback, an Origin must be the request's own host.
func TestGuardOriginElsewhere(t *testing.T) {
	h := guardOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, c := range []struct {
		origin string
		want   int
	}{
		{"", 200},
		{"https://mcp.example.com", 200},
		{"https://evil.example", 403},
	} {
		req := httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", nil)
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("Origin %q: %d, want %d", c.origin, rec.Code, c.want)
		}
	}
}

// Calls are counted; long-lived requests are not, and end with end().
func TestRequestsTracking(t *testing.T) {
	q := newRequests()
	release := make(chan struct{})
	entered := make(chan context.Context, 4)
	h := q.track(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		entered <- r.Context()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	serve := func(method, body string) (chan struct{}, context.Context) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/mcp", strings.NewReader(body)))
		}()
		return done, <-entered
	}
	listen, _ := serve(http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"subscriptions/listen"}`)
	get, _ := serve(http.MethodGet, "")
	call, callCtx := serve(http.MethodPost, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"subscriptions/listen"}}`)
	if n := q.active(); n != 1 {
		t.Fatalf("active = %d, want 1 (the call)", n)
	}
	q.end()
	for _, done := range []chan struct{}{listen, get} {
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatal("a long-lived request did not end")
		}
	}
	// The streams have ended; the call cannot have, nor be about to: its
	// handler waits for release or for its context, which is alive.
	if err := callCtx.Err(); err != nil {
		t.Fatalf("end() ended the call's context too: %v", err)
	}
	select {
	case <-call:
		t.Fatal("the call ended with the streams")
	default:
	}
	// waitIdle gives up with its context while the call is in flight.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if waited := q.waitIdle(ctx); !waited || q.active() != 1 {
		t.Fatalf("waitIdle with a call in flight and its context done: waited %v, %d active; want true, 1", waited, q.active())
	}
	close(release)
	<-call
	if q.waitIdle(context.Background()); q.active() != 0 {
		t.Fatalf("active = %d after the call", q.active())
	}

}

func TestHTTPToken(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv(tokenEnv, " from-env ")
	if tok, err := httpToken("", logger); err != nil || tok != "from-env" {
		t.Errorf("env: %q %v", tok, err)
	}
	if tok, err := httpToken(write("ok", "from-file\n"), logger); err != nil || tok != "from-file" {
		t.Errorf("file: %q %v", tok, err)
	}
	for _, bad := range []string{write("empty", " \n"), write("spaces", "two words"), filepath.Join(dir, "missing")} {
		if _, err := httpToken(bad, logger); err == nil {
			t.Errorf("%s: no error", filepath.Base(bad))
		}
	}
}

// msgHandler is a slog handler that sends each record's message on msgs.
type msgHandler struct{ msgs chan string }

func (h msgHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h msgHandler) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.msgs <- r.Message:
	default: // nobody is waiting for this one
	}
	return nil
}
func (h msgHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h msgHandler) WithGroup(string) slog.Handler      { return h }

// waitLog waits for the log message want.
func waitLog(t *testing.T, msgs <-chan string, want string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case m := <-msgs:
			if m == want {
				return
			}
		case <-deadline:
			t.Fatalf("no log %q", want)
		}
	}
}

// healthStatus GETs /healthz and returns its status code and status field.
func healthStatus(t *testing.T, base string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Status string }
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Status
}

// On shutdown /healthz answers 503 while /mcp still serves, until the drain
// ends; then the listener closes. With no plugin loaded, /healthz answers
// 503 too, and says why.
func TestHTTPDrain(t *testing.T) {
	h, err := host.New(host.Options{Exchanger: auth.NewMock(), Config: host.Config{CacheDir: "off"}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	msgs := make(chan string, 64)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	drained := make(chan time.Time)
	done := make(chan error, 1)
	go func() {
		_, err := serveHTTPOn(ctx, ln, h, httpOptions{grace: 10 * time.Second, drain: time.Hour, drained: drained}, slog.New(msgHandler{msgs}))
		done <- err
	}()

	if code, status := healthStatus(t, base); code != 503 || status != "no plugins loaded" {
		t.Fatalf("/healthz with no plugin: %d %q, want 503 \"no plugins loaded\"", code, status)
	}
	cancel()
	waitLog(t, msgs, "shutting down: draining, /healthz answers 503 while /mcp still serves")
	if code, status := healthStatus(t, base); code != 503 || status != "shutting down" {
		t.Fatalf("/healthz while draining: %d %q, want 503 \"shutting down\"", code, status)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("/mcp while draining: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/mcp while draining: %d, want 200", resp.StatusCode)
	}
	select {
	case err := <-done:
		t.Fatalf("serveHTTP returned during the drain: %v", err)
	default:
	}

	close(drained)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("after the drain, dialing: %v, want connection refused", err)
	}
}
