package reqrules

import (
	"sort"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// refusedHeaders are the request headers a guest may not set, lower-cased,
// with the reason given to it. Any "Proxy-*" header is refused as well.
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

// HeaderRefused reports whether a guest may not set the header name (in any
// case), and why: Authorization, Proxy-Authorization, Cookie, Cookie2, Host,
// Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade,
// Content-Length, Accept-Encoding, Range, If-Range, and any Proxy-* header.
func HeaderRefused(name string) (why string, refused bool) {
	lk := strings.ToLower(name)
	if why, ok := refusedHeaders[lk]; ok {
		return why, true
	}
	if strings.HasPrefix(lk, "proxy-") {
		return "proxy headers belong to the host", true
	}
	return "", false
}

// RefusedHeaders returns the names HeaderRefused refuses, canonicalized and
// sorted, "Proxy-*" standing for the prefix; for documentation and its tests.
func RefusedHeaders() []string {
	out := []string{"Proxy-*"}
	for k := range refusedHeaders {
		out = append(out, canonicalKey(k))
	}
	sort.Strings(out)
	return out
}

// CheckHeaders applies the header rules: at most MaxHeaders, each name an
// RFC 9110 token that HeaderRefused lets through, each value at most
// MaxHeaderValue bytes without control characters other than tab. Names
// are looked at in sorted order, so the refusal reported is the same on
// every run. The error is a *Refusal: abi.ErrHeaderNotAllowed for a refused
// name, abi.ErrBadRequest otherwise.
func CheckHeaders(h map[string]string) error {
	if len(h) > MaxHeaders {
		return refuse(abi.ErrBadRequest, "more than %d headers", MaxHeaders)
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !validHeaderName(k) {
			return refuse(abi.ErrBadRequest, "header name %q is not valid", safetext.Clip(k, 64))
		}
		if why, refused := HeaderRefused(k); refused {
			return refuse(abi.ErrHeaderNotAllowed, "header %s is not allowed: %s", canonicalKey(k), why)
		}
		if v := h[k]; len(v) > MaxHeaderValue || !validHeaderValue(v) {
			return refuse(abi.ErrBadRequest, "the value of header %s is not valid", canonicalKey(k))
		}
	}
	return nil
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

// canonicalKey is the canonical form of a valid header name, as
// net/textproto.CanonicalMIMEHeaderKey spells it ("content-length" is
// "Content-Length"), for messages. The package does not import
// net/textproto, which would bring package net into guests.
func canonicalKey(k string) string {
	b := []byte(k)
	upper := true
	for i, c := range b {
		switch {
		case upper && 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case !upper && 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
		upper = c == '-'
	}
	return string(b)
}
