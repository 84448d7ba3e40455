package reqrules

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
)

// ParseURL parses and normalizes the URL of a guest's request: scheme and
// host lower-cased, a trailing dot removed from the host, the default port
// made implicit, the fragment dropped. An empty path stays empty, so that a
// base URL maps onto its target's exact spelling.
//
// It refuses a URL that is not absolute http or https, has userinfo
// (user:pw@), a host that is not a DNS name or a canonical IP literal, a
// port out of range, a "." or ".." path segment (CheckPath), or a space or
// control character in the query. The error is a *Refusal
// (abi.ErrBadRequest).
func ParseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, refuse(abi.ErrBadRequest, "the request has no URL")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, refuse(abi.ErrBadRequest, "the URL does not parse")
	}
	if err := checkShape(u); err != nil {
		return nil, refuse(abi.ErrBadRequest, "bad URL: %v", err)
	}
	if strings.ContainsFunc(u.RawQuery, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, refuse(abi.ErrBadRequest, "the query has a space or control character; percent-encode it")
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// checkShape validates and normalizes, in place, the parts of u that base
// and request URLs share.
func checkShape(u *url.URL) error {
	u.Scheme = strings.ToLower(u.Scheme)
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return errors.New("the scheme must be https or http")
	case u.Opaque != "":
		return errors.New("not a hierarchical URL")
	case u.User != nil:
		return errors.New("userinfo (user@host) is not allowed")
	}
	host, err := normalizeHost(strings.TrimSuffix(strings.ToLower(u.Hostname()), "."))
	if err != nil {
		return err
	}
	port := u.Port()
	if port != "" {
		n := atoi(port)
		if n <= 0 || n > 65535 || len(port) > 5 {
			return fmt.Errorf("port %q is out of range", port)
		}
		port = strconv.Itoa(n)
	}
	if port == defaultPort(u.Scheme) {
		port = ""
	}
	u.Host = joinHostPort(host, port)
	return CheckPath(u.EscapedPath())
}

// normalizeHost accepts a DNS name of ASCII letters, digits, '-', '_' and
// '.' whose last label is not numeric, or an IP address literal without a
// zone. Numeric forms that some resolvers read as addresses ("127.1",
// "0x7f.1") must be valid dotted-quad or IPv6 literals.
// IP literals are returned in their canonical form.
func normalizeHost(h string) (string, error) {
	if h == "" {
		return "", errors.New("the URL has no host")
	}
	labels := strings.Split(h, ".")
	last := labels[len(labels)-1]
	if strings.Contains(h, ":") || strings.Trim(last, "0123456789") == "" || strings.HasPrefix(last, "0x") {
		a, err := netip.ParseAddr(h)
		if err != nil || a.Zone() != "" {
			return "", fmt.Errorf("host %q is not a valid IP address", h)
		}
		return a.String(), nil
	}
	for _, label := range labels {
		if label == "" || len(label) > 63 {
			return "", fmt.Errorf("host %q is not a valid DNS name", h)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", fmt.Errorf("host %q is not a valid DNS name (use ASCII/punycode)", h)
			}
		}
	}
	return h, nil
}

// errDotSegment is the error of a "." or ".." path segment.
var errDotSegment = errors.New(`the path must not contain "." or ".." segments`)

// CheckPath refuses an escaped URL path with a dot segment, also a
// percent-encoded one ("%2e%2e"), one hidden behind an encoded slash or
// backslash ("a%2F..%2Fb", "..%5C"), and one followed by path parameters
// ("..;x"), which some servers resolve and would let a request escape a
// path prefix.
func CheckPath(escaped string) error {
	for _, seg := range strings.Split(escaped, "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return errors.New("the path has a bad escape")
		}
		if err := CheckSegment(dec); err != nil {
			return err
		}
	}
	return nil
}

// CheckSegment applies CheckPath's rule to one path segment, decoded: the
// value a path builder escapes into a segment. It refuses "." and "..", and
// a value a server could read as one, split at '/' or '\' or cut at ';'
// ("a/../b", `..\x`, "..;v=1").
func CheckSegment(decoded string) error {
	for _, part := range strings.FieldsFunc(decoded, func(r rune) bool { return r == '/' || r == '\\' }) {
		part, _, _ = strings.Cut(part, ";")
		if part == "." || part == ".." {
			return errDotSegment
		}
	}
	return nil
}

// HostPort returns the normalized host and the explicit port of u (443 or
// 80 when u has none).
func HostPort(u *url.URL) (host, port string) {
	host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port = u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
	}
	return host, port
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" {
		return host
	}
	return host + ":" + port
}

func defaultPort(scheme string) string {
	if scheme == "http" {
		return "80"
	}
	return "443"
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}
