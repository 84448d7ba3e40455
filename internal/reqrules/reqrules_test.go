package reqrules

import (
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

func TestCanonicalKeyIsTextprotos(t *testing.T) {
	names := []string{"x", "X-GITHUB-API-VERSION", "accept-encoding", "te", "a--b", "-x", "x_y-z", "Www-Authenticate"}
	for k := range refusedHeaders {
		names = append(names, k)
	}
	for _, k := range names {
		if got, want := canonicalKey(k), textproto.CanonicalMIMEHeaderKey(k); got != want {
			t.Errorf("canonicalKey(%q) = %q, want %q", k, got, want)
		}
	}
}

func TestHeaderRefused(t *testing.T) {
	for _, k := range RefusedHeaders() {
		k = strings.Replace(k, "*", "Anything", 1)
		for _, spelling := range []string{k, strings.ToLower(k), strings.ToUpper(k)} {
			if why, refused := HeaderRefused(spelling); !refused || why == "" {
				t.Errorf("HeaderRefused(%q) = %q, %v", spelling, why, refused)
			}
		}
	}
	for _, k := range []string{"Accept", "User-Agent", "Content-Type", "X-Proxy", "Proxy", "Authorization-X", "Ranges"} {
		if _, refused := HeaderRefused(k); refused {
			t.Errorf("HeaderRefused(%q) refuses an ordinary header", k)
		}
	}
}

// TestDocsListRefusedHeaders: abi, pdk.Request and the README name every
// header the host refuses, where each documents the headers a plugin sends.
func TestDocsListRefusedHeaders(t *testing.T) {
	for _, doc := range []struct{ file, from, to string }{
		{"../../abi/abi.go", "// Headers to send.", "Headers map[string]string"},
		{"../../pdk/http.go", "// Headers to send.", "Headers map[string]string"},
		{"../../README.md", "### The sandbox", "It\nhands back whole"},
	} {
		b, err := os.ReadFile(doc.file)
		if err != nil {
			t.Fatal(err)
		}
		_, text, ok := strings.Cut(string(b), doc.from)
		text, _, ok2 := strings.Cut(text, doc.to)
		if !ok || !ok2 {
			t.Errorf("%s: no text between %q and %q", doc.file, doc.from, doc.to)
			continue
		}
		text = strings.Join(strings.Fields(strings.ReplaceAll(text, "//", "")), " ")
		for _, h := range RefusedHeaders() {
			if !strings.Contains(text, h) && !strings.Contains(text, strings.ToUpper(h)) { // "TE"
				t.Errorf("%s does not name the refused header %s", doc.file, h)
			}
		}
	}
}

func TestCheckSegment(t *testing.T) {
	for seg, ok := range map[string]bool{
		"a": true, "": true, "a.b": true, "...": true, ".a": true, "a..": true, "a;b": true, "%2e%2e": true,
		".": false, "..": false, "a/..": false, "../a": false, `a\..\b`: false, "..;v=1": false, ".;x": false, "a//./b": false,
	} {
		if err := CheckSegment(seg); (err == nil) != ok {
			t.Errorf("CheckSegment(%q) = %v, want ok=%v", seg, err, ok)
		}
	}
}

func TestBase(t *testing.T) {
	b, err := ParseDeclared("HTTPS://Example.COM:443/api/")
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != "https://example.com/api" || b.Addr() != "example.com:443" || b.Prefix() != "/api" {
		t.Errorf("base = %s, addr %s, prefix %s", b, b.Addr(), b.Prefix())
	}
	for in, want := range map[string]string{ // want: rest of the path, or "-" when not under b
		"https://example.com/api":           "",
		"https://example.com/api/items?x=1": "/items",
		"https://example.com./api/a%2Fb":    "/a%2Fb",
		"https://example.com/apix":          "-",
		"https://example.com/API/x":         "-",
		"http://example.com/api":            "-",
		"https://example.com:8443/api":      "-",
		"https://other.example.com/api":     "-",
	} {
		u, err := ParseURL(in)
		if err != nil {
			t.Fatalf("ParseURL(%q): %v", in, err)
		}
		got, ok := b.Contains(u)
		if !ok {
			got = "-"
		}
		if got != want {
			t.Errorf("Contains(%s) = %q, want %q", in, got, want)
		}
	}
	if _, err := ParseDeclared("http://example.com"); err == nil || err.Error() != "must be https" {
		t.Errorf("ParseDeclared(http) error = %v", err)
	}
	u, _ := url.Parse("https://evil.example.com/x")
	if r := NotDeclared(u, nil); r.Code != abi.ErrHostNotAllowed || !strings.HasSuffix(r.Message, "(declared: none)") {
		t.Errorf("NotDeclared = %+v", r)
	}
}

// TestCheckOrder: a request breaking several rules gets the refusal of
// the first, in the order Check documents, whichever side runs it.
func TestCheckOrder(t *testing.T) {
	bad := Request{Method: "TRACE", URL: "https://u@x.example/..", Headers: map[string]string{"Cookie": "a"}, Body: strings.Repeat("x", MaxBody+1)}
	for _, step := range []struct {
		fix  func(*Request)
		code string
		text string
	}{
		{func(*Request) {}, abi.ErrBadRequest, "method"},
		{func(r *Request) { r.Method = "" }, abi.ErrBadRequest, "body"},
		{func(r *Request) { r.Body = "" }, abi.ErrHeaderNotAllowed, "Cookie"},
		{func(r *Request) { r.Headers = nil }, abi.ErrBadRequest, "userinfo"},
	} {
		step.fix(&bad)
		_, err := Check(bad)
		r, ok := err.(*Refusal)
		if !ok || r.Code != step.code || !strings.Contains(r.Message, step.text) {
			t.Errorf("Check(%+v) = %v, want %s about %s", bad, err, step.code, step.text)
		}
	}
}
