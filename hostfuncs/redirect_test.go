package hostfuncs

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

func TestRedirectSameHostFollowedWithToken(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/new?page=2", http.StatusMovedPermanently)
		case "/abs":
			http.Redirect(w, r, "https://api.github.com/new", http.StatusFound)
		case "/new":
			io.WriteString(w, "moved here")
		}
	})
	for _, path := range []string{"/old", "/abs"} {
		resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com" + path})
		wantOK(t, resp, 200)
		if resp.Body != "moved here" {
			t.Errorf("%s: body %q", path, resp.Body)
		}
	}
	reqs := fx.api.requests()
	if len(reqs) != 4 {
		t.Fatalf("api got %d requests", len(reqs))
	}
	for _, r := range reqs {
		if r.Auth != "Bearer "+testToken {
			t.Errorf("%s lacked the token: %+v", r.Path, r)
		}
	}
	if reqs[1].Path != "/new" || reqs[1].RawQuery != "page=2" {
		t.Errorf("redirect went to %s?%s", reqs[1].Path, reqs[1].RawQuery)
	}
	if fx.call.Requests() != 2 {
		t.Errorf("hops counted against the budget: Requests() = %d", fx.call.Requests())
	}
}

func TestRedirectElsewhereNotFollowed(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/evil":
			http.Redirect(w, r, "https://evil.example.com/collect", http.StatusFound)
		case "/lookalike":
			http.Redirect(w, r, "https://api.github.com.evil.com/collect", http.StatusTemporaryRedirect)
		case "/downgrade":
			http.Redirect(w, r, "http://api.github.com/x", http.StatusFound)
		case "/userinfo":
			http.Redirect(w, r, "https://api.github.com@evil.example.com/", http.StatusFound)
		case "/protocol":
			http.Redirect(w, r, "//evil.example.com/x", http.StatusFound)
		}
	})
	for _, path := range []string{"/evil", "/lookalike", "/downgrade", "/userinfo", "/protocol"} {
		resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com" + path})
		if resp.Error != "" || resp.Status < 300 || resp.Status > 399 {
			t.Fatalf("%s: got %+v, want the redirect itself", path, resp)
		}
		if resp.Headers["Location"] == "" {
			t.Errorf("%s: the guest did not get the Location: %v", path, resp.Headers)
		}
		noSecret(t, resp)
	}
	fx.assertEvilUntouched(t)
	if fx.dns.dialed("api.github.com:80") {
		t.Error("downgrade redirect was followed")
	}
}

func TestRedirectMethodRules(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/303":
			http.Redirect(w, r, "/done", http.StatusSeeOther)
		case "/302":
			http.Redirect(w, r, "/done", http.StatusFound)
		case "/307":
			http.Redirect(w, r, "/done", http.StatusTemporaryRedirect)
		case "/308":
			http.Redirect(w, r, "/done", http.StatusPermanentRedirect)
		}
	})
	tests := []struct {
		path, method, wantMethod, wantBody, wantType string
	}{
		{"/303", "POST", "GET", "", ""},
		{"/302", "POST", "GET", "", ""},
		{"/302", "HEAD", "HEAD", "", ""},
		{"/307", "POST", "POST", "payload", "text/plain"},
		{"/308", "PUT", "PUT", "payload", "text/plain"},
	}
	for _, tt := range tests {
		before := len(fx.api.requests())
		body := "payload"
		if tt.method == "HEAD" {
			body = ""
		}
		wantOK(t, fx.do(abi.HTTPRequest{Method: tt.method, URL: "https://api.github.com" + tt.path,
			Headers: map[string]string{"Content-Type": "text/plain"}, Body: body}), 200)
		reqs := fx.api.requests()[before:]
		if len(reqs) != 2 {
			t.Fatalf("%s %s: %d requests", tt.method, tt.path, len(reqs))
		}
		got := reqs[1]
		if got.Method != tt.wantMethod || got.Body != tt.wantBody || got.Path != "/done" || got.Auth != "Bearer "+testToken {
			t.Errorf("%s %s: second hop %+v", tt.method, tt.path, got)
		}
		if tt.method != "HEAD" && got.ContentType != tt.wantType {
			t.Errorf("%s %s: Content-Type %q", tt.method, tt.path, got.ContentType)
		}
	}
}

func TestRedirectLoopStops(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com/loop"})
	wantErr(t, resp, abi.ErrTransport)
	if !strings.Contains(resp.ErrorMessage, "redirects") {
		t.Errorf("message = %q", resp.ErrorMessage)
	}
	if n := len(fx.api.requests()); n != MaxRedirects+1 {
		t.Errorf("api got %d requests, want %d", n, MaxRedirects+1)
	}
}

// A redirect is judged in the target space: within a mapped target it is
// followed (with the token); back to the declared, mapped-away host it is not.
func TestRedirectWithinMappedTarget(t *testing.T) {
	var ghe *upstream
	ghe = newUpstream(t, false, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v3/a":
			http.Redirect(w, r, "/api/v3/b", http.StatusFound)
		case "/api/v3/out":
			http.Redirect(w, r, "/web/admin", http.StatusFound)
		case "/api/v3/declared":
			http.Redirect(w, r, "https://api.github.com/b", http.StatusFound)
		default:
			io.WriteString(w, r.URL.Path)
		}
	})
	p := mustPolicy(t, []string{"https://api.github.com"},
		map[string]string{"https://api.github.com": "http://" + ghe.addr() + "/api/v3"})
	f := New(Options{})
	defer f.CloseIdleConnections()
	c := newCall(p)

	resp := f.Do(callCtx(c), abi.HTTPRequest{URL: "https://api.github.com/a"})
	wantOK(t, resp, 200)
	if resp.Body != "/api/v3/b" {
		t.Errorf("body %q", resp.Body)
	}
	for _, path := range []string{"/out", "/declared"} {
		resp = f.Do(callCtx(c), abi.HTTPRequest{URL: "https://api.github.com" + path})
		wantOK(t, resp, 302)
	}
	for _, r := range ghe.requests() {
		if r.Path == "/web/admin" {
			t.Error("redirect out of the mapped prefix was followed")
		}
		if r.Auth != "Bearer "+testToken {
			t.Errorf("%s lacked the token", r.Path)
		}
	}
}
