package pdk

import "strings"

// BearerChallenge is what an API's WWW-Authenticate header says about a
// bearer token it refused (RFC 6750, section 3): Error is "invalid_token",
// "insufficient_scope" or "invalid_request", and Scope the scopes the
// resource needs, when the API names them. Google, Reddit and others send
// it with a 401 or a 403:
//
//	WWW-Authenticate: Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/gmail.readonly"
type BearerChallenge struct {
	Error string
	Scope []string
}

// maxScopes and maxScopeLen bound what Challenge keeps of an API's scope
// list: it ends up in a message for the model.
const (
	maxScopes   = 8
	maxScopeLen = 128
)

// Challenge parses the Bearer challenge of the response's WWW-Authenticate
// header; ok is false when there is none. Values are kept only when they
// are plain tokens (printable ASCII, no quote or backslash), so a tool may
// quote them to the model: an error code of letters and "_", scopes of at
// most 128 bytes, at most 8 of them.
func (r *Response) Challenge() (c BearerChallenge, ok bool) {
	h := r.Header("WWW-Authenticate")
	i := indexScheme(h, "bearer")
	if i < 0 {
		return c, false
	}
	params := h[i+len("bearer"):]
	for params != "" {
		var name, value string
		name, value, params = linkParam(params)
		name = strings.ToLower(strings.TrimSpace(name))
		switch name {
		case "error":
			if isCode(value) {
				c.Error = value
			}
		case "scope":
			for s := range strings.FieldsSeq(value) {
				if len(c.Scope) < maxScopes && len(s) <= maxScopeLen && isScope(s) {
					c.Scope = append(c.Scope, s)
				}
			}
		}
		params = strings.TrimLeft(params, " \t")
		if params == "" || params[0] != ',' {
			return c, true
		}
		params = params[1:]
	}
	return c, true
}

// indexScheme returns the index of the auth-scheme scheme (lower case) in
// the WWW-Authenticate value h, matched without case at the start of h or
// after a comma and spaces, or -1.
func indexScheme(h, scheme string) int {
	lower := strings.ToLower(h)
	for i := 0; i+len(scheme) <= len(lower); i++ {
		if !strings.HasPrefix(lower[i:], scheme) {
			continue
		}
		before := strings.TrimRight(lower[:i], " \t")
		end := i + len(scheme)
		if (before == "" || strings.HasSuffix(before, ",")) && (end == len(lower) || lower[end] == ' ' || lower[end] == '\t') {
			return i
		}
	}
	return -1
}

func isCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// isScope reports whether s is a scope-token of RFC 6749, section 3.3:
// printable ASCII but space, '"' and '\'.
func isScope(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return s != ""
}
