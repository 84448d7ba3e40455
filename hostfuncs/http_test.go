package hostfuncs

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wasmcp/wasmcp/abi"
)

// githubFixture is a declared https://api.github.com served by a fake API
// behind fake DNS, plus an undeclared evil.example.com that records any
// contact.
type githubFixture struct {
	api, evil *upstream
	dns       *fakeDNS
	funcs     *Funcs
	call      *Call
}

func newGithubFixture(t *testing.T, api http.HandlerFunc) *githubFixture {
	t.Helper()
	fx := &githubFixture{api: newUpstream(t, true, api), evil: newUpstream(t, true, nil)}
	fx.dns = newFakeDNS(map[string]string{
		"api.github.com:443":   fx.api.addr(),
		"evil.example.com:443": fx.evil.addr(),
		// An attacker's name that would resolve to the real API.
		"api.github.com.evil.com:443": fx.evil.addr(),
	})
	fx.funcs = New(Options{Transport: fx.dns})
	fx.call = newCall(mustPolicy(t, []string{"https://api.github.com"}, nil))
	return fx
}

func (fx *githubFixture) do(req abi.HTTPRequest) abi.HTTPResponse {
	return fx.funcs.Do(callCtx(fx.call), req)
}

// assertEvilUntouched fails if the undeclared host received anything.
func (fx *githubFixture) assertEvilUntouched(t *testing.T) {
	t.Helper()
	if n := len(fx.evil.requests()); n != 0 {
		t.Fatalf("undeclared host received %d requests: %+v", n, fx.evil.requests())
	}
	for _, a := range []string{"evil.example.com:443", "api.github.com.evil.com:443"} {
		if fx.dns.dialed(a) {
			t.Fatalf("host dialed %s", a)
		}
	}
}

func TestDoAllowedHostCarriesToken(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cr3t"})
		fmt.Fprint(w, `{"login":"octocat"}`)
	})
	resp := fx.do(abi.HTTPRequest{
		Method:  "GET",
		URL:     "https://api.github.com/user?per_page=1",
		Headers: map[string]string{"Accept": "application/vnd.github+json"},
	})
	wantOK(t, resp, 200)
	noSecret(t, resp)
	if resp.Body != `{"login":"octocat"}` {
		t.Errorf("body = %q", resp.Body)
	}
	if got := resp.Headers["X-Multi"]; got != "a, b" {
		t.Errorf("X-Multi = %q, want joined values", got)
	}
	if _, ok := resp.Headers["Set-Cookie"]; ok {
		t.Errorf("Set-Cookie reached the guest: %v", resp.Headers)
	}
	reqs := fx.api.requests()
	if len(reqs) != 1 {
		t.Fatalf("api got %d requests", len(reqs))
	}
	r := reqs[0]
	if r.Auth != "Bearer "+testToken || r.Path != "/user" || r.RawQuery != "per_page=1" ||
		r.UserAgent != DefaultUserAgent || r.Header.Get("Accept") != "application/vnd.github+json" {
		t.Errorf("api saw %+v", r)
	}
	if fx.call.Requests() != 1 || fx.call.LastStatus() != 200 {
		t.Errorf("Requests()=%d LastStatus()=%d", fx.call.Requests(), fx.call.LastStatus())
	}
	fx.assertEvilUntouched(t)
}

// TestDoCountsWaiting: Call.Waiting is raised while a request is on the
// network, and lowered once its body is read, whether it succeeds or not.
func TestDoCountsWaiting(t *testing.T) {
	var waiting atomic.Int64
	seen := make(chan int64, 1)
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		seen <- waiting.Load()
		fmt.Fprint(w, `{}`)
	})
	fx.call.Waiting = &waiting
	wantOK(t, fx.do(abi.HTTPRequest{Method: "GET", URL: "https://api.github.com/user"}), 200)
	if got := <-seen; got != 1 {
		t.Errorf("during the request, Waiting was %d, want 1", got)
	}
	if got := waiting.Load(); got != 0 {
		t.Errorf("after the request, Waiting is %d", got)
	}
	fx.do(abi.HTTPRequest{Method: "GET", URL: "https://evil.example.com/"}) // refused before the network
	if got := waiting.Load(); got != 0 {
		t.Errorf("after a refused request, Waiting is %d", got)
	}
	// The upstream, an httptest.Server, closed: the request fails on the network.
	fx.api.Close()
	fx.do(abi.HTTPRequest{Method: "GET", URL: "https://api.github.com/user"})
	if got := waiting.Load(); got != 0 {
		t.Errorf("after a failed request, Waiting is %d", got)
	}
}

func TestDoRefusesOutsidePolicy(t *testing.T) {
	fx := newGithubFixture(t, nil)
	tests := []struct{ url, code string }{
		{"https://evil.example.com/", abi.ErrHostNotAllowed},
		{"https://api.github.com.evil.com/user", abi.ErrHostNotAllowed},
		{"https://api.github.com@evil.example.com/user", abi.ErrBadRequest},
		{"https://x:y@api.github.com/user", abi.ErrBadRequest},
		{"http://api.github.com/user", abi.ErrHostNotAllowed},
		{"https://api.github.com:8443/user", abi.ErrHostNotAllowed},
		{"https://github.com/user", abi.ErrHostNotAllowed},
		{"https://api.github.com/a/../../x", abi.ErrBadRequest},
		{"https://api.github.com/%2e%2e/x", abi.ErrBadRequest},
		{"ftp://api.github.com/", abi.ErrBadRequest},
		{"//api.github.com/user", abi.ErrBadRequest},
		{"/user", abi.ErrBadRequest},
		{"", abi.ErrBadRequest},
		{"https://[::1]:443/", abi.ErrHostNotAllowed},
		{"https://127.0.0.1/", abi.ErrHostNotAllowed},
	}
	for _, tt := range tests {
		resp := fx.do(abi.HTTPRequest{Method: "GET", URL: tt.url})
		if resp.Error != tt.code {
			t.Errorf("%q: error %q (%s), want %q", tt.url, resp.Error, resp.ErrorMessage, tt.code)
		}
		noSecret(t, resp)
	}
	if n := len(fx.api.requests()); n != 0 {
		t.Fatalf("api received %d requests", n)
	}
	fx.assertEvilUntouched(t)
	resp := fx.do(abi.HTTPRequest{URL: "https://evil.example.com/steal"})
	if !strings.Contains(resp.ErrorMessage, "https://evil.example.com") || !strings.Contains(resp.ErrorMessage, "https://api.github.com") {
		t.Errorf("message should name the host and the declared ones: %q", resp.ErrorMessage)
	}
}

func TestDoNormalizesURL(t *testing.T) {
	fx := newGithubFixture(t, nil)
	for _, u := range []string{
		"HTTPS://API.GitHub.COM/user",
		"https://api.github.com:443/user",
		"https://api.github.com./user",
		"https://api.github.com/user#fragment",
	} {
		wantOK(t, fx.do(abi.HTTPRequest{Method: "get", URL: u}), 200)
	}
	for _, r := range fx.api.requests() {
		if r.Path != "/user" || r.Auth != "Bearer "+testToken || r.Method != "GET" {
			t.Errorf("api saw %+v", r)
		}
	}
	if n := len(fx.api.requests()); n != 4 {
		t.Fatalf("api received %d requests, want 4", n)
	}
}

func TestDoMappingRewritesURL(t *testing.T) {
	ghe := newUpstream(t, false, nil)
	p := mustPolicy(t,
		[]string{"https://api.github.com", "https://example.com/api"},
		map[string]string{
			"https://api.github.com":  "http://" + ghe.addr() + "/api/v3",
			"https://example.com/api": "http://" + ghe.addr() + "/v2/",
		})
	// The default transport: mapped loopback targets may be dialed.
	f := New(Options{UserAgent: "wasmcp-test/1"})
	defer f.CloseIdleConnections()
	c := newCall(p)
	for _, tt := range []struct{ in, path, query string }{
		{"https://api.github.com/user?q=a%20b", "/api/v3/user", "q=a%20b"},
		{"https://api.github.com", "/api/v3", ""},
		{"https://example.com/api/items/1", "/v2/items/1", ""},
		{"https://example.com/api", "/v2", ""},
	} {
		wantOK(t, f.Do(callCtx(c), abi.HTTPRequest{URL: tt.in}), 200)
		reqs := ghe.requests()
		r := reqs[len(reqs)-1]
		if r.Path != tt.path || r.RawQuery != tt.query || r.Auth != "Bearer "+testToken || r.UserAgent != "wasmcp-test/1" {
			t.Errorf("%s: upstream saw %+v", tt.in, r)
		}
	}
	wantErr(t, f.Do(callCtx(c), abi.HTTPRequest{URL: "https://example.com/apiary"}), abi.ErrHostNotAllowed)
}

func TestDoRefusesHostHeaders(t *testing.T) {
	fx := newGithubFixture(t, nil)
	refused := []string{"Authorization", "authorization", "AUTHORIZATION", "Proxy-Authorization", "Cookie", "cookie",
		"Host", "Connection", "Transfer-Encoding", "Te", "Upgrade", "Content-Length", "Proxy-Foo", "Accept-Encoding", "Range", "If-Range"}
	for _, h := range refused {
		resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com/user", Headers: map[string]string{h: "Bearer evil"}})
		wantErr(t, resp, abi.ErrHeaderNotAllowed)
		if !strings.Contains(strings.ToLower(resp.ErrorMessage), strings.ToLower(h)) {
			t.Errorf("message %q does not name %s", resp.ErrorMessage, h)
		}
	}
	for _, hv := range []map[string]string{
		{"Bad Name": "x"}, {"": "x"}, {"X-Inject": "a\r\nAuthorization: Bearer evil"}, {"X-Nul": "a\x00b"},
	} {
		wantErr(t, fx.do(abi.HTTPRequest{URL: "https://api.github.com/user", Headers: hv}), abi.ErrBadRequest)
	}
	if n := len(fx.api.requests()); n != 0 {
		t.Fatalf("api received %d requests", n)
	}
	// Allowed headers pass, and a guest User-Agent wins over the default.
	wantOK(t, fx.do(abi.HTTPRequest{URL: "https://api.github.com/user",
		Headers: map[string]string{"User-Agent": "plugin/2", "X-GitHub-Api-Version": "2022-11-28"}}), 200)
	r := fx.api.requests()[0]
	if r.UserAgent != "plugin/2" || r.Header.Get("X-Github-Api-Version") != "2022-11-28" || r.Cookie != "" {
		t.Errorf("api saw %+v", r)
	}
}

func TestDoMethodsAndBody(t *testing.T) {
	fx := newGithubFixture(t, nil)
	wantOK(t, fx.do(abi.HTTPRequest{URL: "https://api.github.com/"}), 200) // "" is GET
	wantOK(t, fx.do(abi.HTTPRequest{Method: "post", URL: "https://api.github.com/issues",
		Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"title":"t"}`}), 200)
	for _, m := range []string{"CONNECT", "TRACE", "FOO", "G ET"} {
		wantErr(t, fx.do(abi.HTTPRequest{Method: m, URL: "https://api.github.com/"}), abi.ErrBadRequest)
	}
	wantErr(t, fx.do(abi.HTTPRequest{Method: "POST", URL: "https://api.github.com/", Body: strings.Repeat("x", MaxRequestBody+1)}), abi.ErrBadRequest)
	reqs := fx.api.requests()
	if len(reqs) != 2 || reqs[0].Method != "GET" || reqs[1].Method != "POST" || reqs[1].Body != `{"title":"t"}` || reqs[1].ContentType != "application/json" {
		t.Fatalf("api saw %+v", reqs)
	}
}

func TestDoResponseCap(t *testing.T) {
	const limit = 1000
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		n := limit
		if r.URL.Path == "/big" {
			n = limit + 1
		}
		w.Write([]byte(strings.Repeat("a", n)))
	})
	fx.call.Limits.MaxResponseBytes = limit
	resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com/exact"})
	wantOK(t, resp, 200)
	if len(resp.Body) != limit {
		t.Fatalf("body is %d bytes", len(resp.Body))
	}
	if fx.call.LimitHit() != "" {
		t.Fatalf("LimitHit() = %q before any limit", fx.call.LimitHit())
	}
	resp = fx.do(abi.HTTPRequest{URL: "https://api.github.com/big"})
	wantErr(t, resp, abi.ErrResponseTooLarge)
	if resp.Body != "" {
		t.Fatal("a partial body reached the guest")
	}
	if got := fx.call.LimitHit(); got != abi.ErrResponseTooLarge {
		t.Errorf("LimitHit() = %q, want %q", got, abi.ErrResponseTooLarge)
	}
}

// A body in an encoding the host did not ask for, and so does not decode,
// could hide an echoed token from the scrubber: it is refused. gzip, which
// the transport asks for itself, comes back decoded and scrubbed.
func TestDoContentEncoding(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		switch r.URL.Path {
		case "/deflate":
			w.Header().Set("Content-Encoding", "deflate")
			w.Write([]byte("x\x9c" + auth)) // not really deflate: the host must not look
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write([]byte(`{"echo":"` + auth + `"}`))
			zw.Close()
		}
	})
	resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com/deflate"})
	wantErr(t, resp, abi.ErrTransport)
	if !strings.Contains(resp.ErrorMessage, `"deflate"`) || resp.Body != "" {
		t.Errorf("deflate: %+v", resp)
	}
	resp = fx.do(abi.HTTPRequest{URL: "https://api.github.com/gzip"})
	wantOK(t, resp, 200)
	noSecret(t, resp)
	if resp.Body != `{"echo":"Bearer [REDACTED]"}` {
		t.Errorf("gzip body = %q", resp.Body)
	}
}

func TestDoRequestBudget(t *testing.T) {
	fx := newGithubFixture(t, nil)
	fx.call.Limits.MaxRequests = 2
	wantOK(t, fx.do(abi.HTTPRequest{URL: "https://api.github.com/1"}), 200)
	wantErr(t, fx.do(abi.HTTPRequest{URL: "https://evil.example.com/"}), abi.ErrHostNotAllowed) // refused ones count
	if fx.call.LimitHit() != "" {
		t.Fatalf("a refused host counts as a limit hit: %q", fx.call.LimitHit())
	}
	wantErr(t, fx.do(abi.HTTPRequest{URL: "https://api.github.com/3"}), abi.ErrTooManyRequests)
	if got := fx.call.LimitHit(); got != abi.ErrTooManyRequests {
		t.Errorf("LimitHit() = %q, want %q", got, abi.ErrTooManyRequests)
	}
	if got := fx.call.Requests(); got != 3 {
		t.Errorf("Requests() = %d", got)
	}
	if n := len(fx.api.requests()); n != 1 {
		t.Errorf("api received %d requests", n)
	}
}

func TestDoScrubsEchoedSecrets(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		tok := strings.TrimPrefix(auth, "Bearer ")
		w.Header().Set("X-Echo-Authorization", auth)
		w.Header().Add("Set-Cookie", "token="+tok)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"headers":   map[string]string{"Authorization": auth},
			"query":     "access_token=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D", "&", "%26").Replace(tok),
			"user_temp": testUserToken,
		})
	})
	resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com/echo"})
	wantOK(t, resp, 200)
	noSecret(t, resp)
	if !strings.Contains(resp.Body, `"Authorization":"Bearer [REDACTED]"`) || !strings.Contains(resp.Body, "access_token=[REDACTED]") ||
		!strings.Contains(resp.Body, `"user_temp":"[REDACTED]"`) {
		t.Errorf("body = %s", resp.Body)
	}
	if resp.Headers["X-Echo-Authorization"] != "Bearer [REDACTED]" {
		t.Errorf("headers = %v", resp.Headers)
	}
}

func TestDoTimeouts(t *testing.T) {
	release := make(chan struct{})
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	fx.call.Limits.RequestTimeout = 100 * time.Millisecond
	start := time.Now()
	resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com/slow?secret_query=1"})
	wantErr(t, resp, abi.ErrTransport)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	if !strings.Contains(resp.ErrorMessage, "request timeout") || strings.Contains(resp.ErrorMessage, "secret_query") {
		t.Errorf("message = %q", resp.ErrorMessage)
	}

	// The context's deadline wins over a longer request timeout.
	fx.call.Limits.RequestTimeout = time.Minute
	ctx, cancel := context.WithTimeout(callCtx(fx.call), 100*time.Millisecond)
	defer cancel()
	resp = fx.funcs.Do(ctx, abi.HTTPRequest{URL: "https://api.github.com/slow"})
	wantErr(t, resp, abi.ErrTransport)
	if !strings.Contains(resp.ErrorMessage, "tool call ended") {
		t.Errorf("message = %q", resp.ErrorMessage)
	}
}

func TestDoTransportErrorHasNoSecrets(t *testing.T) {
	// A mapped target nobody listens on.
	ln := newUpstream(t, false, nil)
	addr := ln.addr()
	ln.Close()
	p := mustPolicy(t, []string{"https://api.github.com"}, map[string]string{"https://api.github.com": "http://" + addr})
	c := newCall(p)
	resp := New(Options{}).Do(callCtx(c), abi.HTTPRequest{URL: "https://api.github.com/user?access_token=" + testToken})
	wantErr(t, resp, abi.ErrTransport)
	if !strings.Contains(resp.ErrorMessage, "GET http://"+addr+"/user") || strings.Contains(resp.ErrorMessage, "access_token") {
		t.Errorf("message = %q", resp.ErrorMessage)
	}
}

func TestDoWithoutCall(t *testing.T) {
	fx := newGithubFixture(t, nil)
	wantErr(t, fx.funcs.Do(context.Background(), abi.HTTPRequest{URL: "https://api.github.com/"}), abi.ErrHostNotAllowed)
	c := newCall(nil) // no policy: nothing is allowed
	wantErr(t, fx.funcs.Do(callCtx(c), abi.HTTPRequest{URL: "https://api.github.com/"}), abi.ErrHostNotAllowed)
	if n := len(fx.api.requests()); n != 0 {
		t.Fatalf("api received %d requests", n)
	}
}

// BenchmarkDo measures one allowed request through the policy, token,
// scrubbing and the default transport to a mapped loopback upstream.
func BenchmarkDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"login":"octocat","echo":"`+r.Header.Get("Authorization")+`"}`)
	}))
	defer srv.Close()
	p, err := NewPolicy([]string{"https://api.github.com"}, map[string]string{"https://api.github.com": srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	f := New(Options{})
	defer f.CloseIdleConnections()
	c := newCall(p)
	c.Limits.MaxRequests = 1 << 30
	ctx := callCtx(c)
	req := abi.HTTPRequest{URL: "https://api.github.com/user", Headers: map[string]string{"Accept": "application/json"}}
	b.ReportAllocs()
	for b.Loop() {
		if resp := f.Do(ctx, req); resp.Status != 200 {
			b.Fatalf("%+v", resp)
		}
	}
}
