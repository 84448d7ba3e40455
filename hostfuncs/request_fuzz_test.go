package hostfuncs

import (
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/reqrules"
)

// fuzzPolicy declares a root host and a prefixed one, and maps each onto a
// prefixed target, so that rewriting, prefixes and the target space are
// all exercised.
func fuzzPolicy(t testing.TB) *Policy {
	p, err := NewPolicy(
		[]string{"https://api.github.com", "https://example.com:8443/api/v1"},
		map[string]string{
			"https://api.github.com":          "https://ghe.example.com/api/v3",
			"https://example.com:8443/api/v1": "http://127.0.0.1:9999/base",
		})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// FuzzRequest drives a guest's request through the parser and the policy
// (prepare), and a redirect's Location through redirectTarget and isTarget,
// and checks what an accepted request would send:
//
//   - it goes to one of the policy's targets: same scheme, host and port,
//     and a path under the target's prefix on a segment boundary, also once
//     a server decodes the path and removes dot segments;
//   - its URL carries no userinfo and reads back as the same URL;
//   - it carries no header the host owns, and no header value with a line
//     break;
//   - a refusal is a *refusal with an abi error code.
//
// A followed redirect hop obeys the same rules on the target space.
func FuzzRequest(f *testing.F) {
	f.Add("GET", "https://api.github.com/user?per_page=1", "X-Custom", "v", "/api/v3/user", 302)
	f.Add("post", "https://example.com:8443/api/v1/x/../y", "Authorization", "Bearer x", "http://127.0.0.1:9999/base/z", 307)
	f.Add("GET", "https://API.GITHUB.COM.:443/a%2e%2e/%2F..", "proxy-x", "a\r\nb", "//evil.example.com/x", 301)
	f.Add("GET", "https://api.github.com@evil.example.com/", "Accept", "*/*", "https://ghe.example.com/api/v3/../../admin", 308)
	f.Add("DELETE", "https://[::1]/", "Range", "bytes=0-1", "https://ghe.example.com/api/v30", 303)
	policy := fuzzPolicy(f)
	f.Fuzz(func(t *testing.T, method, rawURL, hname, hvalue, location string, status int) {
		req := abi.HTTPRequest{Method: method, URL: rawURL, Headers: map[string]string{hname: hvalue}}
		o, err := prepare(req, policy, "")
		if err != nil {
			var r *refusal
			if !asRefusal(err, &r) || r.code == "" {
				t.Fatalf("prepare(%+v) failed with %T %v, not a refusal", req, err, err)
			}
		} else {
			checkOutgoing(t, policy, o.target)
			if m, err := reqrules.Method(o.method); err != nil || m != o.method {
				t.Fatalf("method %q accepted", o.method)
			}
			for k, vs := range o.header {
				if _, owned := reqrules.HeaderRefused(k); owned || reqrules.CheckHeaders(map[string]string{k: ""}) != nil {
					t.Fatalf("header %q sent", k)
				}
				for _, v := range vs {
					if strings.ContainsAny(v, "\r\n\x00") {
						t.Fatalf("header %s value %q sent", k, v)
					}
				}
			}
		}

		base, _ := url.Parse("https://ghe.example.com/api/v3/user")
		resp := &http.Response{StatusCode: status, Header: http.Header{"Location": {location}}}
		next, ok := redirectTarget(resp, base)
		if !ok {
			return
		}
		if allowed, _ := policy.isTarget(next); allowed {
			checkOutgoing(t, policy, next)
		}
	})
}

// checkOutgoing fails t unless u is under one of p's targets, however a
// server reads it.
func checkOutgoing(t *testing.T, p *Policy, u *url.URL) {
	t.Helper()
	again, err := url.Parse(u.String())
	if err != nil || again.String() != u.String() || again.User != nil || again.Host != u.Host {
		t.Fatalf("URL %q does not read back (%v, %q)", u, err, again)
	}
	host, port := reqrules.HostPort(again)
	for _, tg := range p.targets {
		if again.Scheme != tg.Scheme() || host != tg.Host() || port != tg.Port() {
			continue
		}
		esc := again.EscapedPath()
		if tg.Prefix() != "" && esc != tg.Prefix() && !strings.HasPrefix(esc, tg.Prefix()+"/") {
			continue
		}
		// What a server that decodes the path and removes dot segments sees.
		prefix, _ := url.PathUnescape(tg.Prefix())
		clean := path.Clean("/" + strings.ReplaceAll(again.Path, `\`, "/"))
		if prefix != "" && clean != prefix && !strings.HasPrefix(clean, prefix+"/") {
			t.Fatalf("URL %q leaves the prefix %q once cleaned: %q", u, tg.Prefix(), clean)
		}
		return
	}
	t.Fatalf("URL %q is under no target of %v", u, p.Targets())
}

func asRefusal(err error, r **refusal) bool {
	x, ok := err.(*refusal)
	*r = x
	return ok
}
