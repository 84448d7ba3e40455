package hostfuncs

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"strconv"
	"strings"

	"github.com/wasmcp/wasmcp/internal/secret"
)

// spellings returns the forms of secret s that the scrubber replaces, each
// also in any ASCII case (the scrubber folds case itself). RATIONALE.md,
// "Which spellings of a secret are scrubbed?", says why these and not
// others.
//
//   - s as is, and without surrounding white space (header values are
//     trimmed on the wire);
//   - URL query-escaped (space as +) and path-escaped (space as %20);
//   - each of those three JSON-string-escaped, with and without HTML
//     escaping (a JSON API echoing a header, or a URL it built);
//   - Go-quoted, as net/http quotes a malformed line in its errors;
//   - HTML-escaped, as an error page quotes a request;
//   - the base64 characters (standard and URL alphabets) that encode s at
//     each of its three possible alignments in a longer base64 text, padded
//     or not: "Basic" credentials, a JWT or any blob holding s.
func spellings(s string) []string {
	forms := []string{s}
	if t := strings.TrimSpace(s); t != s && secret.LongEnough(t) {
		forms = append(forms, t)
	}
	var out []string
	for _, f := range forms {
		for _, v := range []string{f, url.QueryEscape(f), url.PathEscape(f)} {
			out = append(out, v, jsonEscape(v, true), jsonEscape(v, false))
		}
		q := strconv.Quote(f)
		out = append(out, q[1:len(q)-1], html.EscapeString(f))
		out = append(out, base64Cores(f)...)
	}
	return out
}

// jsonEscape returns s as it appears inside a JSON string.
func jsonEscape(s string, html bool) string {
	if jsonPlain(s) {
		return s // the usual token: nothing to escape
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// base64Cores returns, for the standard and the URL alphabet and for each
// offset modulo 3 at which s may start in the bytes of a longer base64
// text, the characters of that text that encode bits of s only. They are
// the same whatever surrounds s, so any base64 text holding s holds one of
// them; the at most 5 bits of s at each end that share a character with
// their neighbours stay.
//
// Character i encodes bits [6i, 6i+6) of the bytes; s occupies bits
// [8k, 8(k+len(s))) when it starts at offset k.
func base64Cores(s string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for k := range 3 {
			buf := make([]byte, k+len(s))
			copy(buf[k:], s)
			e := enc.EncodeToString(buf)
			first, last := (8*k+5)/6, 8*(k+len(s))/6
			if last-first >= secret.MinLen {
				out = append(out, e[first:last])
			}
		}
	}
	return out
}

// jsonPlain reports whether s appears in a JSON string as it is, with or
// without HTML escaping: printable ASCII other than '"', '\', '<', '>'
// and '&'.
func jsonPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
