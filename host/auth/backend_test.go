package auth

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBackendStatuses runs one exchange per kind of backend answer and
// checks the token or the exact error, and how many requests were made:
// two when the answer is worth a retry (5xx), one otherwise.
func TestBackendStatuses(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		token     string // want success
		details   string
		retryable bool
		requests  int
	}{
		{"200 ok", 200, `{"accessToken":"` + testAccessToken + `"}`, testAccessToken, "", false, 1},
		{"200 extra fields", 200, `{"accessToken":"` + testAccessToken + `","expiresIn":3600}`, testAccessToken, "", false, 1},
		{"200 without accessToken", 200, `{"token":"x"}`, "", "Backend API response did not contain an accessToken", false, 1},
		{"200 wrong-case key", 200, `{"accesstoken":"x"}`, "", "Backend API response did not contain an accessToken", false, 1},
		{"200 JSON null", 200, `null`, "", "Backend API response did not contain an accessToken", false, 1},
		{"200 JSON array", 200, `["x"]`, "", "Backend API response did not contain an accessToken", false, 1},
		{"200 non-JSON", 200, `<html>SECRET-BODY</html>`, "", "Backend API response is not valid JSON", false, 1},
		{"200 empty body", 200, ``, "", "Backend API response is not valid JSON", false, 1},
		{"200 empty string", 200, `{"accessToken":""}`, "", "Backend API response accessToken is not a non-empty string", false, 1},
		{"200 blank string", 200, `{"accessToken":"  "}`, "", "Backend API response accessToken is not a non-empty string", false, 1},
		{"200 null token", 200, `{"accessToken":null}`, "", "Backend API response accessToken is not a non-empty string", false, 1},
		{"200 number token", 200, `{"accessToken":12345}`, "", "Backend API response accessToken is not a non-empty string", false, 1},
		{"200 token with newline", 200, `{"accessToken":"abc\r\nX-Evil: 1"}`, "", "Backend API response accessToken contains control characters", false, 1},
		{"200 one-letter token", 200, `{"accessToken":"o"}`, "", "Backend API response accessToken is shorter than 16 characters, too short to be a token", false, 1},
		{"200 15-character token", 200, `{"accessToken":"gho_12345678901"}`, "", "Backend API response accessToken is shorter than 16 characters, too short to be a token", false, 1},
		{"200 16-character token", 200, `{"accessToken":"gho_123456789012"}`, "gho_123456789012", "", false, 1},
		{"200 token with trailing space", 200, `{"accessToken":"` + testAccessToken + ` "}`, "", "Backend API response accessToken has leading or trailing white space", false, 1},
		{"401", 401, `{"error":"SECRET-BODY"}`, "", "401 Unauthorized: Invalid or expired temp token", false, 1},
		{"403", 403, `SECRET-BODY`, "", "403 Forbidden: User not authorized for provider", false, 1},
		{"404", 404, ``, "", "404 Not Found: Provider not configured", false, 1},
		{"500", 500, `SECRET-BODY`, "", "500 Internal Server Error: Backend error", true, 2},
		{"502", 502, ``, "", "Backend API returned status 502", true, 2},
		{"503", 503, ``, "", "Backend API returned status 503", true, 2},
		{"418", 418, `SECRET-BODY`, "", "Backend API returned status 418", false, 1},
		{"429", 429, ``, "", "Backend API returned status 429", true, 1},
		{"201", 201, `{"accessToken":"x"}`, "", "Backend API returned status 201", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newBackendServer(t, statusHandler(tt.status, tt.body))
			var logs logBuffer
			b := newTestBackend(t, srv.URL, &logs)
			token, e := b.Exchange(t.Context(), testCreds)
			if tt.token != "" {
				if e != nil || token != tt.token {
					t.Fatalf("Exchange = %q, %v; want the token", token, e)
				}
			} else {
				if token != "" {
					t.Errorf("token %q returned with an error", token)
				}
				wantAPIError(t, e, tt.details, tt.status, tt.retryable)
			}
			if got := srv.count(); got != tt.requests {
				t.Errorf("backend got %d requests, want %d", got, tt.requests)
			}
			recs := logs.records(t, "token exchange")
			if len(recs) != 1 {
				t.Fatalf("%d audit lines, want 1", len(recs))
			}
			if recs[0]["attempts"] != float64(tt.requests) || recs[0]["status"] != float64(tt.status) {
				t.Errorf("audit line %v: want attempts %d status %d", recs[0], tt.requests, tt.status)
			}
			if strings.Contains(logs.String(), "SECRET-BODY") || (e != nil && strings.Contains(e.Error(), "SECRET-BODY")) {
				t.Error("the backend's response body was copied into a log or an error")
			}
		})
	}
}

// TestBackendRequest checks method, path, headers and that the body is
// exactly {"userId","userToken","providerId"}.
func TestBackendRequest(t *testing.T) {
	srv := newBackendServer(t, tokenHandler)
	b := newTestBackend(t, srv.URL, nil)
	if _, e := b.Exchange(t.Context(), testCreds); e != nil {
		t.Fatal(e)
	}
	reqs := srv.recorded()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.method != http.MethodPost || r.path != "/api/connectors/requestAuth" {
		t.Errorf("request %s %s, want POST /api/connectors/requestAuth", r.method, r.path)
	}
	for h, want := range map[string]string{
		"Content-Type": "application/json",
		"Accept":       "application/json",
		"User-Agent":   DefaultUserAgent,
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if r.header.Get("Authorization") != "" || r.header.Get("Cookie") != "" {
		t.Errorf("unexpected credentials in headers: %v", r.header)
	}
	want := `{"userId":"user_123","userToken":"` + testUserToken + `","providerId":"reddit"}`
	if string(r.body) != want {
		t.Errorf("body = %s\nwant %s", r.body, want)
	}
	var fields map[string]any
	if err := json.Unmarshal(r.body, &fields); err != nil || len(fields) != 3 {
		t.Errorf("body has fields %v, want exactly three", fields)
	}
}

// TestBackendPathJoin checks the endpoint under every shape of base URL.
func TestBackendPathJoin(t *testing.T) {
	srv := newBackendServer(t, tokenHandler)
	tests := []struct{ suffix, path string }{
		{"", "/api/connectors/requestAuth"},
		{"/", "/api/connectors/requestAuth"},
		{"/prefix", "/prefix/api/connectors/requestAuth"},
		{"/prefix/", "/prefix/api/connectors/requestAuth"},
		{"/a/b//", "/a/b/api/connectors/requestAuth"},
	}
	for i, tt := range tests {
		b := newTestBackend(t, srv.URL+tt.suffix, nil, func(c *BackendConfig) { c.UserAgent = "custom/1" })
		if _, e := b.Exchange(t.Context(), testCreds); e != nil {
			t.Fatalf("%q: %v", tt.suffix, e)
		}
		r := srv.recorded()[i]
		if r.path != tt.path {
			t.Errorf("URL %q: path %q, want %q", srv.URL+tt.suffix, r.path, tt.path)
		}
		if r.header.Get("User-Agent") != "custom/1" {
			t.Errorf("User-Agent %q, want custom/1", r.header.Get("User-Agent"))
		}
	}
}

// TestBackendNoRedirect checks that a redirect is reported, not followed:
// following it would send the userToken to the redirect's target.
func TestBackendNoRedirect(t *testing.T) {
	target := newBackendServer(t, tokenHandler)
	for _, status := range []int{302, 307, 308} {
		srv := newBackendServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/api/connectors/requestAuth", status)
		})
		for _, client := range []*http.Client{nil, {}} {
			b := newTestBackend(t, srv.URL, nil, func(c *BackendConfig) { c.Client = client })
			_, e := b.Exchange(t.Context(), testCreds)
			if e == nil || e.Status != status {
				t.Errorf("redirect %d: error %v", status, e)
			}
		}
	}
	if n := target.count(); n != 0 {
		t.Errorf("redirect target got %d requests", n)
	}
}

// TestBackendLargeBody checks that a huge 200 body is cut at
// MaxResponseBytes and refused, and that the connection is dropped rather
// than read to the end.
func TestBackendLargeBody(t *testing.T) {
	const total = 64 << 20
	written := make(chan int, 1)
	srv := newBackendServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(200)
		io.WriteString(w, `{"accessToken":"`)
		chunk := []byte(strings.Repeat("a", 32<<10))
		n := 0
		for n < total {
			m, err := w.Write(chunk)
			n += m
			if err != nil {
				break
			}
		}
		written <- n
	})
	b := newTestBackend(t, srv.URL, nil)
	_, e := b.Exchange(t.Context(), testCreds)
	wantAPIError(t, e, "Backend API response exceeds 65536 bytes", 200, false)
	select {
	case n := <-written:
		if n >= total {
			t.Errorf("server wrote its whole %d-byte body: the client read it all", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server still writing")
	}

	// An error status with a huge body is answered without reading it all.
	big := newBackendServer(t, statusHandler(403, strings.Repeat("x", 8<<20)))
	_, e = newTestBackend(t, big.URL, nil).Exchange(t.Context(), testCreds)
	wantAPIError(t, e, "403 Forbidden: User not authorized for provider", 403, false)
}

// TestBackendLogs checks the audit line at info level and the debug lines
// of each attempt.
func TestBackendLogs(t *testing.T) {
	srv := newBackendServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.WriteHeader(503)
			return
		}
		tokenHandler(n, w, r)
	})
	var logs logBuffer
	b := newTestBackend(t, srv.URL, &logs)
	if _, e := b.Exchange(t.Context(), testCreds); e != nil {
		t.Fatal(e)
	}
	audit := logs.records(t, "token exchange")
	if len(audit) != 1 {
		t.Fatalf("%d audit lines, want 1:\n%s", len(audit), logs.String())
	}
	a := audit[0]
	for k, want := range map[string]any{
		"level": "INFO", "userId": "user_123", "providerId": "reddit", "outcome": "ok",
		"status": 200.0, "attempts": 2.0, "shared": false, "userToken_fp": Fingerprint(testUserToken),
	} {
		if a[k] != want {
			t.Errorf("audit %s = %v, want %v", k, a[k], want)
		}
	}
	if _, ok := a["latency_ms"].(float64); !ok {
		t.Errorf("audit line has no latency_ms: %v", a)
	}

	starts := logs.records(t, "token exchange request")
	ends := logs.records(t, "token exchange response")
	if len(starts) != 2 || len(ends) != 2 || len(logs.records(t, "token exchange retry")) != 1 {
		t.Fatalf("debug lines: %d starts, %d ends:\n%s", len(starts), len(ends), logs.String())
	}
	if ends[0]["status"] != 503.0 || ends[1]["status"] != 200.0 || ends[1]["attempt"] != 2.0 || ends[0]["level"] != "DEBUG" {
		t.Errorf("debug ends: %v", ends)
	}
	if _, ok := ends[1]["latency_ms"]; !ok {
		t.Errorf("debug end has no latency_ms: %v", ends[1])
	}

	// At info level only the audit line is written.
	var info logBuffer
	b = newTestBackend(t, srv.URL, nil, func(c *BackendConfig) {
		c.Logger = slogAtInfo(&info)
	})
	b.Exchange(t.Context(), testCreds)
	if n := strings.Count(info.String(), "\n"); n != 1 {
		t.Errorf("info level wrote %d lines:\n%s", n, info.String())
	}
}
