package host

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wasmcp/wasmcp/hostfuncs"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// The connect URL: where a user connects a provider to their account, or
// reconnects it. The operator configures it as a template
// (backend.connect_url); the backend may name one of its own in a 403 or
// 404 answer (connectUrl), which the host takes only on the template's host.
// Nothing in it is a secret: it goes to the client, and to the model.

// Placeholders of backend.connect_url.
const (
	placeholderUserID     = "{userId}"
	placeholderProviderID = "{providerId}"
)

// maxConnectURL caps a connect URL, the template's expansion or the
// backend's: a URL the user is asked to open is short.
const maxConnectURL = 2048

// placeholderRE finds every {…} of a template, known or not.
var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

// connectTemplate is a validated backend.connect_url.
type connectTemplate struct {
	raw  string
	host string // the URL's host[:port], lower case: where backend URLs must point
}

// parseConnectTemplate checks a backend.connect_url template: an absolute
// https URL with a fixed host, no userinfo and no fragment, whose only
// placeholders are {userId} and {providerId}, in the path or the query.
// {userToken} is refused by name: the userToken is a secret, and the
// connect URL is not.
func parseConnectTemplate(s string) (*connectTemplate, error) {
	const key = "backend.connect_url"
	if strings.TrimSpace(s) != s {
		return nil, fmt.Errorf("%s: remove the leading or trailing white space", key)
	}
	if len(s) > maxConnectURL {
		return nil, fmt.Errorf("%s: %d bytes, above the limit of %d", key, len(s), maxConnectURL)
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return nil, fmt.Errorf("%s: must be valid UTF-8 with no control characters", key)
	}
	for _, p := range placeholderRE.FindAllString(s, -1) {
		switch p {
		case placeholderUserID, placeholderProviderID:
		case "{userToken}":
			return nil, fmt.Errorf("%s: {userToken} is not allowed: the userToken is a secret and the connect URL is shown to the client and the model; use {userId} and {providerId}", key)
		default:
			return nil, fmt.Errorf("%s: unknown placeholder %s; the placeholders are {userId} and {providerId}", key, safetext.Clip(p, 64))
		}
	}
	// Parse with every placeholder replaced by a marker, and refuse a
	// template whose marker lands in the host, the port or the userinfo:
	// wherever it sits there, the userId would choose where the user is
	// sent. The parser decides what the authority is (the scheme in any
	// case, a placeholder right after the host), not a guess at it. The
	// marker is a run of 7s longer than any in s, so it occurs in the
	// parsed URL only where a placeholder was; digits, so that it parses
	// wherever a placeholder may sit, a port included.
	marker := strings.Repeat("7", longestRun(s, '7')+1)
	u, err := url.Parse(placeholderRE.ReplaceAllLiteralString(s, marker))
	if err != nil {
		return nil, fmt.Errorf("%s: not a URL: %v", key, err)
	}
	if strings.Contains(u.Host, marker) || u.User != nil && strings.Contains(u.User.String(), marker) {
		return nil, fmt.Errorf("%s: the host must be fixed, not a placeholder (nor may one sit in the port or the userinfo): backend connect URLs are accepted only on it", key)
	}
	if u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%s: want an absolute https URL such as https://auth.example.com/connect?provider={providerId}&user={userId}, got %q", key, safetext.Clip(s, 128))
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s: must not hold a user name or password", key)
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return nil, fmt.Errorf("%s: must not have a fragment (#...)", key)
	}
	return &connectTemplate{raw: s, host: strings.ToLower(u.Host)}, nil
}

// validateConnect checks the connect keys of backend: the template, and
// that the state keys come with it.
func (b BackendConfig) validateConnect() error {
	if b.ConnectURL == "" {
		if b.ConnectStateKeyFile != "" || b.ConnectStateTTL != 0 {
			return errors.New("backend.connect_state_key_file and backend.connect_state_ttl need backend.connect_url")
		}
		return nil
	}
	if b.ConnectStateTTL < 0 {
		return fmt.Errorf("backend.connect_state_ttl must not be negative, got %v", b.ConnectStateTTL)
	}
	_, err := parseConnectTemplate(b.ConnectURL)
	return err
}

// expand fills the template for a user and a provider. Each value is
// escaped for where it sits: as a path segment before the "?", as a query
// value after it.
func (t *connectTemplate) expand(userID, providerID string) string {
	query := strings.IndexByte(t.raw, '?')
	var b strings.Builder
	last := 0
	for _, m := range placeholderRE.FindAllStringIndex(t.raw, -1) {
		b.WriteString(t.raw[last:m[0]])
		v := userID
		if t.raw[m[0]:m[1]] == placeholderProviderID {
			v = providerID
		}
		if query >= 0 && m[0] > query {
			b.WriteString(url.QueryEscape(v))
		} else {
			b.WriteString(url.PathEscape(v))
		}
		last = m[1]
	}
	b.WriteString(t.raw[last:])
	return b.String()
}

// errConnectURL are the reasons a backend's connectUrl is not taken; they
// name no part of the URL, which could hold anything.
var (
	errConnectNotHTTPS  = errors.New("not an absolute https URL")
	errConnectOtherHost = errors.New("not on the host of backend.connect_url")
	errConnectTooLong   = fmt.Errorf("longer than %d bytes", maxConnectURL)
	errConnectChars     = errors.New("holds invalid UTF-8, white space or control characters")
	errConnectUserinfo  = errors.New("holds a user name or password")
	errConnectSecret    = errors.New("holds the userToken, or is percent-escaped too deeply to tell")
)

// acceptBackendURL returns the backend's connectUrl if the host may hand it
// out: an absolute https URL on the template's host (port included), with
// no userinfo, at most maxConnectURL bytes of printable text, and without
// the user's userToken in any spelling the host knows of. Otherwise it says
// why not, in words that quote nothing of the URL.
func (t *connectTemplate) acceptBackendURL(raw, userToken string) (string, error) {
	if len(raw) > maxConnectURL {
		return "", errConnectTooLong
	}
	if !utf8.ValidString(raw) || strings.IndexFunc(raw, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return "", errConnectChars
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return "", errConnectNotHTTPS
	}
	if u.User != nil {
		return "", errConnectUserinfo
	}
	if strings.ToLower(u.Host) != t.host {
		return "", errConnectOtherHost
	}
	if containsSecret(raw, userToken) {
		return "", errConnectSecret
	}
	return raw, nil
}

// maxUnescapeRounds bounds the rounds of percent-decoding containsSecret
// undoes. A URL may escape any byte, needed or not, and escape its escapes;
// an honest one settles in a round or two. One still changing after this
// many rounds is refused as holding the secret: it cannot be checked.
const maxUnescapeRounds = 8

// containsSecret reports whether s holds secret in any spelling the
// host's scrubber knows (as it is, URL-, JSON-, HTML-escaped, base64, in
// any letter case), as it is or after undoing its percent-escapes, round
// after round until nothing changes. Decoding is lenient (see
// unescapeLenient): an invalid escape anywhere must not stop the search.
// It also reports true for an s that has not settled after
// maxUnescapeRounds rounds. An empty secret is in nothing.
func containsSecret(s, secret string) bool {
	if secret == "" {
		return false
	}
	c := &hostfuncs.Call{Secrets: []string{secret}}
	for range maxUnescapeRounds + 1 {
		if c.Scrub(s) != s {
			return true
		}
		un := unescapeLenient(s)
		if un == s {
			return false
		}
		s = un
	}
	return true
}

// unescapeLenient replaces every valid %XX escape of s by its byte and
// keeps everything else as it is, an invalid escape included: where
// url.PathUnescape fails on the first "%zz", this reads on past it, the
// way a lenient server or browser would. "+" stays "+": the scrubber knows
// the query-escaped spelling of a secret, in which a space is "+".
func unescapeLenient(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unhex is the value of the hex digit c (see isHex).
func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}
