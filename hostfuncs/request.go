package hostfuncs

import (
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/jsonsel"
)

// Bounds on what a guest may send.
const (
	// MaxRequestBody caps HTTPRequest.Body.
	MaxRequestBody = 1 << 20
	// maxHeaders and maxHeaderValue cap HTTPRequest.Headers.
	maxHeaders     = 64
	maxHeaderValue = 8 << 10
	// maxURL caps HTTPRequest.URL.
	maxURL = 8 << 10
)

// DefaultUserAgent is sent when neither the guest nor Options set one.
const DefaultUserAgent = "wasmcp"

// methods the guest may use. CONNECT and TRACE are left out on purpose.
var methods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// refusedHeaders are request headers the guest may not set, lower-cased, with
// the reason given to the guest. Any "Proxy-*" header is refused as well.
var refusedHeaders = map[string]string{
	"authorization":       "the host alone authenticates requests",
	"proxy-authorization": "the host alone authenticates requests",
	"cookie":              "the host alone authenticates requests",
	"cookie2":             "the host alone authenticates requests",
	"host":                "the host is taken from the URL",
	"connection":          "hop-by-hop headers belong to the host",
	"keep-alive":          "hop-by-hop headers belong to the host",
	"te":                  "hop-by-hop headers belong to the host",
	"trailer":             "hop-by-hop headers belong to the host",
	"transfer-encoding":   "hop-by-hop headers belong to the host",
	"upgrade":             "hop-by-hop headers belong to the host",
	"content-length":      "the host computes the body length",
	"accept-encoding":     "the host negotiates content encoding and hands back decoded bodies",
	// A part of a body could hold a part of an echoed token, which no
	// scrubbing can recognise.
	"range":    "the host hands back whole bodies only",
	"if-range": "the host hands back whole bodies only",
}

// outgoing is a validated guest request, ready to send.
type outgoing struct {
	method  string
	guest   *url.URL // the URL the guest asked for, normalized
	target  *url.URL // the URL to send, in the target space
	private bool     // target is operator-mapped: private dials allowed
	header  http.Header
	body    string
	sel     string // the GJSON path of HTTPRequest.Select, or ""
}

// prepare validates req against the policy and builds the request to send.
// The error is a *refusal.
func prepare(req abi.HTTPRequest, p *Policy, userAgent string) (*outgoing, error) {
	method := strings.ToUpper(strings.TrimSpace(req.Method))
	if method == "" {
		method = http.MethodGet
	}
	if !methods[method] {
		return nil, refuse(abi.ErrBadRequest, "method %q is not supported", clip(req.Method, 32))
	}
	if len(req.URL) > maxURL {
		return nil, refuse(abi.ErrBadRequest, "the URL is longer than %d bytes", maxURL)
	}
	if err := jsonsel.Check(req.Select); err != nil {
		return nil, refuse(abi.ErrBadRequest, "%v", err)
	}
	if len(req.Body) > MaxRequestBody {
		return nil, refuse(abi.ErrBadRequest, "the body is longer than %d bytes", MaxRequestBody)
	}
	header, err := requestHeader(req.Headers, userAgent)
	if err != nil {
		return nil, err
	}
	u, err := parseRequestURL(req.URL)
	if err != nil {
		return nil, err
	}
	target, private, err := p.route(u)
	if err != nil {
		return nil, err
	}
	return &outgoing{method: method, guest: u, target: target, private: private, header: header, body: req.Body, sel: req.Select}, nil
}

// requestHeader checks the guest's headers and returns them canonicalized,
// with a User-Agent.
func requestHeader(in map[string]string, userAgent string) (http.Header, error) {
	if len(in) > maxHeaders {
		return nil, refuse(abi.ErrBadRequest, "more than %d headers", maxHeaders)
	}
	names := make([]string, 0, len(in))
	for k := range in {
		names = append(names, k)
	}
	sort.Strings(names) // deterministic order for names differing in case
	h := make(http.Header, len(in)+1)
	for _, k := range names {
		v := in[k]
		if !validHeaderName(k) {
			return nil, refuse(abi.ErrBadRequest, "header name %q is not valid", clip(k, 64))
		}
		lk := strings.ToLower(k)
		if why, ok := refusedHeaders[lk]; ok {
			return nil, refuse(abi.ErrHeaderNotAllowed, "header %s is not allowed: %s", textproto.CanonicalMIMEHeaderKey(k), why)
		}
		if strings.HasPrefix(lk, "proxy-") {
			return nil, refuse(abi.ErrHeaderNotAllowed, "header %s is not allowed: proxy headers belong to the host", textproto.CanonicalMIMEHeaderKey(k))
		}
		if len(v) > maxHeaderValue || !validHeaderValue(v) {
			return nil, refuse(abi.ErrBadRequest, "the value of header %s is not valid", textproto.CanonicalMIMEHeaderKey(k))
		}
		h.Add(k, v)
	}
	if h.Get("User-Agent") == "" {
		if userAgent == "" {
			userAgent = DefaultUserAgent
		}
		h.Set("User-Agent", userAgent)
	}
	return h, nil
}

// validHeaderName reports whether k is an RFC 9110 token.
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// validHeaderValue refuses control characters other than tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// clip shortens a guest-supplied string quoted in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// refusal is a request the host would not (or could not) perform; code is
// one of the abi.Err* codes.
type refusal struct{ code, msg string }

func (r *refusal) Error() string { return r.code + ": " + r.msg }

func refuse(code, format string, args ...any) *refusal {
	return &refusal{code: code, msg: fmt.Sprintf(format, args...)}
}
