// Package reqrulestest is the one table of guest HTTP requests that the
// host function (package hostfuncs) and the fake host of pdk/pdktest both
// run, each through its own request path, with the same expected outcome:
// the error code the host answers with, or none. It is what keeps pdktest
// from letting through a request production refuses.
package reqrulestest

import (
	"fmt"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
)

// Hosts are the base URLs the plugin of the cases declares.
func Hosts() []string {
	return []string{"https://api.example.com", "https://other.example.com:8443/v2/"}
}

// Case is one request and what the host does with it.
type Case struct {
	Name    string
	Request abi.HTTPRequest
	// Want is the abi error code of the answer, or "" when the request is
	// sent (to a declared host, whose answer the guest then gets).
	Want string
}

// Cases returns the table, fresh on each call.
func Cases() []Case {
	get := func(url string) abi.HTTPRequest { return abi.HTTPRequest{Method: "GET", URL: url} }
	withHeader := func(name, value string) abi.HTTPRequest {
		return abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/user", Headers: map[string]string{name: value}}
	}
	cases := []Case{
		{"declared host", get("https://api.example.com/user?per_page=1"), ""},
		{"declared host root", get("https://api.example.com"), ""},
		{"declared host slash", get("https://api.example.com/"), ""},
		{"declared prefix", get("https://other.example.com:8443/v2"), ""},
		{"under declared prefix", get("https://other.example.com:8443/v2/things/1"), ""},
		{"host and scheme in capitals, default port", get("HTTPS://API.Example.COM:443/user"), ""},
		{"trailing dot", get("https://api.example.com./user"), ""},
		{"fragment", get("https://api.example.com/user#top"), ""},
		{"escaped slash inside a segment", get("https://api.example.com/repos/a%2Fb"), ""},
		{"dots inside a name", get("https://api.example.com/files/a..b/.well"), ""},
		{"no method is GET", abi.HTTPRequest{URL: "https://api.example.com/user"}, ""},
		{"lower-case method", abi.HTTPRequest{Method: "post", URL: "https://api.example.com/items", Body: `{"a":1}`}, ""},
		{"every allowed method", abi.HTTPRequest{Method: "OPTIONS", URL: "https://api.example.com/"}, ""},
		{"ordinary headers", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/user", Headers: map[string]string{
			"Accept": "application/json", "User-Agent": "plugin/1", "X-Custom": "a\tb", "Content-Type": "text/plain"}}, ""},
		{"select", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/user", Select: "{login,id}"}, ""},

		{"undeclared host", get("https://evil.example.com/"), abi.ErrHostNotAllowed},
		{"lookalike host", get("https://api.example.com.evil.test/"), abi.ErrHostNotAllowed},
		{"declared host as path", get("https://evil.test/api.example.com"), abi.ErrHostNotAllowed},
		{"other port", get("https://api.example.com:8443/"), abi.ErrHostNotAllowed},
		{"plain http", get("http://api.example.com/"), abi.ErrHostNotAllowed},
		{"outside declared prefix", get("https://other.example.com:8443/v20"), abi.ErrHostNotAllowed},
		{"prefix in other case", get("https://other.example.com:8443/V2/x"), abi.ErrHostNotAllowed},
		{"prefix's host without it", get("https://other.example.com:8443/"), abi.ErrHostNotAllowed},
		{"loopback literal", get("https://127.0.0.1/"), abi.ErrHostNotAllowed},

		{"dot-dot segment", get("https://api.example.com/a/../b"), abi.ErrBadRequest},
		{"dot segment", get("https://api.example.com/a/./b"), abi.ErrBadRequest},
		{"trailing dot-dot", get("https://api.example.com/a/.."), abi.ErrBadRequest},
		{"escaped dot-dot", get("https://api.example.com/%2e%2e/admin"), abi.ErrBadRequest},
		{"dot-dot behind escaped slashes", get("https://api.example.com/a%2F..%2Fb"), abi.ErrBadRequest},
		{"dot-dot behind escaped backslash", get("https://api.example.com/a/..%5Cadmin"), abi.ErrBadRequest},
		{"dot-dot with parameters", get("https://api.example.com/a/..;x/b"), abi.ErrBadRequest},
		{"dot-dot climbing out of a prefix", get("https://other.example.com:8443/v2/../admin"), abi.ErrBadRequest},
		{"bad escape", get("https://api.example.com/%zz"), abi.ErrBadRequest},
		{"userinfo", get("https://user:pw@api.example.com/"), abi.ErrBadRequest},
		{"declared host as userinfo", get("https://api.example.com@evil.example.com/"), abi.ErrBadRequest},
		{"no URL", get(""), abi.ErrBadRequest},
		{"relative URL", get("/user"), abi.ErrBadRequest},
		{"scheme-relative URL", get("//api.example.com/user"), abi.ErrBadRequest},
		{"other scheme", get("ftp://api.example.com/"), abi.ErrBadRequest},
		{"opaque URL", get("https:api.example.com"), abi.ErrBadRequest},
		{"short numeric host", get("https://127.1/"), abi.ErrBadRequest},
		{"non-ASCII host", get("https://exämple.com/"), abi.ErrBadRequest},
		{"port out of range", get("https://api.example.com:65536/"), abi.ErrBadRequest},
		{"space in query", get("https://api.example.com/x?a b"), abi.ErrBadRequest},
		{"URL too long", get("https://api.example.com/" + strings.Repeat("a", 8<<10)), abi.ErrBadRequest},
		{"CONNECT", abi.HTTPRequest{Method: "CONNECT", URL: "https://api.example.com/"}, abi.ErrBadRequest},
		{"TRACE", abi.HTTPRequest{Method: "TRACE", URL: "https://api.example.com/"}, abi.ErrBadRequest},
		{"unknown method", abi.HTTPRequest{Method: "FOO", URL: "https://api.example.com/"}, abi.ErrBadRequest},
		{"method with a space", abi.HTTPRequest{Method: "G ET", URL: "https://api.example.com/"}, abi.ErrBadRequest},
		{"body too long", abi.HTTPRequest{Method: "POST", URL: "https://api.example.com/", Body: strings.Repeat("x", 1<<20+1)}, abi.ErrBadRequest},
		{"select with a modifier", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/", Select: "@reverse"}, abi.ErrBadRequest},
		{"header name with a space", withHeader("Bad Name", "x"), abi.ErrBadRequest},
		{"empty header name", withHeader("", "x"), abi.ErrBadRequest},
		{"line break in a value", withHeader("X-Inject", "a\r\nAuthorization: Bearer evil"), abi.ErrBadRequest},
		{"NUL in a value", withHeader("X-Nul", "a\x00b"), abi.ErrBadRequest},
		{"value too long", withHeader("X-Long", strings.Repeat("v", 8<<10+1)), abi.ErrBadRequest},
		{"too many headers", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/", Headers: manyHeaders(65)}, abi.ErrBadRequest},
		{"64 headers", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/", Headers: manyHeaders(64)}, ""},
	}
	// Every header the host owns, spelled as given; the list is written out
	// here, not taken from the code under test.
	for _, h := range []string{
		"Authorization", "authorization", "Proxy-Authorization", "Cookie", "COOKIE", "Cookie2",
		"Host", "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
		"Content-Length", "Accept-Encoding", "accept-encoding", "Range", "If-Range", "Proxy-Connection", "proxy-anything",
	} {
		cases = append(cases, Case{"header " + h, withHeader(h, "x"), abi.ErrHeaderNotAllowed})
	}
	return cases
}

func manyHeaders(n int) map[string]string {
	h := make(map[string]string, n)
	for i := range n {
		h[fmt.Sprintf("X-H%d", i)] = "v"
	}
	return h
}
