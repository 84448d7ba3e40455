package auth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Secrets used throughout the tests: distinctive enough that finding one in
// an output can only mean it leaked.
const (
	testUserToken   = "tmp-SECRET-usertoken-Q7x9v2"
	testAccessToken = "ACCESS-SECRET-token-Z3k8w1"
)

var testCreds = Credentials{UserID: "user_123", UserToken: testUserToken, ProviderID: "reddit"}

// backendServer is an httptest backend that records what it receives.
type backendServer struct {
	*httptest.Server
	n atomic.Int32 // requests received

	mu       sync.Mutex
	requests []recordedRequest
}

type recordedRequest struct {
	method, path string
	header       http.Header
	body         []byte
}

// newBackendServer starts a backend whose handler gets the 1-based number of
// each request.
func newBackendServer(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *backendServer {
	t.Helper()
	s := &backendServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.n.Add(1))
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, recordedRequest{r.Method, r.URL.Path, r.Header.Clone(), body})
		s.mu.Unlock()
		h(n, w, r)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *backendServer) count() int { return int(s.n.Load()) }

func (s *backendServer) recorded() []recordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recordedRequest(nil), s.requests...)
}

// tokenHandler answers every request with 200 and testAccessToken.
func tokenHandler(_ int, w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"accessToken":"`+testAccessToken+`"}`)
}

// statusHandler answers every request with status and body.
func statusHandler(status int, body string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// hangHandler answers after d, or never if the client gives up first.
func hangHandler(d time.Duration) func(int, http.ResponseWriter, *http.Request) {
	return func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(d):
			tokenHandler(n, w, r)
		}
	}
}

// logBuffer collects JSON log records at debug level.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// records returns the logged records whose msg is msg.
func (l *logBuffer) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// newTestBackend returns a Backend for url with short, test-friendly
// defaults, logging to logs if it is not nil; mod adjusts the config.
func newTestBackend(t *testing.T, url string, logs *logBuffer, mod ...func(*BackendConfig)) *Backend {
	t.Helper()
	cfg := BackendConfig{URL: url, Timeout: 2 * time.Second, RetryBackoff: time.Millisecond}
	if logs != nil {
		cfg.Logger = logs.logger()
	}
	for _, m := range mod {
		m(&cfg)
	}
	b, err := NewBackend(cfg)
	if err != nil {
		t.Fatalf("NewBackend(%q): %v", url, err)
	}
	return b
}

// wantAPIError fails unless e is the api_error for reddit with details,
// status and retryable.
func wantAPIError(t *testing.T, e *Error, details string, status int, retryable bool) {
	t.Helper()
	want := Error{
		Code:      CodeAPIError,
		Message:   "Failed to exchange token with reddit backend",
		Provider:  "reddit",
		Details:   details,
		Status:    status,
		Retryable: retryable,
	}
	if e == nil {
		t.Fatalf("error = nil, want %+v", want)
	}
	if *e != want {
		t.Fatalf("error = %+v\n want %+v", *e, want)
	}
}

// slogAtInfo returns a JSON logger at info level writing to l.
func slogAtInfo(l *logBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, nil))
}
