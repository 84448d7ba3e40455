package hostfuncs

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
)

// Policy is the immutable network policy of one plugin, built at load time
// by NewPolicy from the base URLs the plugin declared and the operator's
// upstream mapping.
//
// A request URL is allowed when it falls under a declared base: same scheme,
// host and port, and a path that equals the base's path prefix or continues
// it after a "/". It is then rewritten onto that base's target (the mapped
// base URL, or the declared one itself):
//
//	declared  https://api.github.com
//	mapped to https://ghe.example.com/api/v3
//	request   https://api.github.com/user?per_page=1
//	sent to   https://ghe.example.com/api/v3/user?per_page=1
//
// A nil *Policy allows nothing.
type Policy struct {
	rules   []rule     // longest prefix first
	targets []endpoint // distinct targets, longest prefix first
	// mappedAddrs holds "host:port" of every operator-mapped target. Requests
	// to these addresses may dial loopback and private networks.
	mappedAddrs map[string]bool
	declared    string // declared bases, for error messages
}

// rule maps one declared base onto its target.
type rule struct {
	from, to endpoint
}

// endpoint is a normalized base URL: lower-case scheme and host, an explicit
// port, and an escaped path prefix without a trailing slash ("" for the root).
type endpoint struct {
	scheme, host, port, prefix string
}

// NewPolicy builds the policy of a plugin.
//
// declared are the base URLs of the plugin's Descriptor.Hosts
// ("https://api.github.com", "https://example.com:8443/api"); each must be
// https. upstreams maps a declared base (spelled in any equivalent way) to the
// base URL actually contacted; a target must be https, or http on a loopback
// host (127.0.0.0/8, ::1, localhost). No base may carry userinfo, a query or a
// fragment, or "." and ".." path segments.
//
// The error names the offending base URL.
func NewPolicy(declared []string, upstreams map[string]string) (*Policy, error) {
	p := &Policy{mappedAddrs: map[string]bool{}}
	byKey := map[string]int{} // declared base → index in p.rules
	var names []string
	for _, d := range declared {
		e, err := parseBase(d)
		if err != nil {
			return nil, fmt.Errorf("declared host %q: %w", d, err)
		}
		if e.scheme != "https" {
			return nil, fmt.Errorf("declared host %q: must be https", d)
		}
		if _, dup := byKey[e.String()]; dup {
			continue
		}
		byKey[e.String()] = len(p.rules)
		p.rules = append(p.rules, rule{from: e, to: e})
		names = append(names, e.String())
	}
	// Sorted keys keep the first reported error stable.
	keys := make([]string, 0, len(upstreams))
	for k := range upstreams {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mappedBy := map[int]string{} // rule index → mapping key
	for _, k := range keys {
		from, err := parseBase(k)
		if err != nil {
			return nil, fmt.Errorf("upstream mapping key %q: %w", redactBase(k), err)
		}
		i, ok := byKey[from.String()]
		if !ok {
			return nil, fmt.Errorf("upstream mapping key %q: the plugin does not declare this host (it declares %s)", k, listOrNone(names))
		}
		if prev, dup := mappedBy[i]; dup {
			return nil, fmt.Errorf("upstream mapping keys %q and %q name the same host", prev, k)
		}
		mappedBy[i] = k
		to, err := parseBase(upstreams[k])
		if err != nil {
			return nil, fmt.Errorf("upstream mapping target %q: %w", redactBase(upstreams[k]), err)
		}
		if to.scheme == "http" && !isLoopbackHost(to.host) {
			return nil, fmt.Errorf("upstream mapping target %q: http is allowed only for loopback hosts; use https", redactBase(upstreams[k]))
		}
		p.rules[i].to = to
		p.mappedAddrs[to.addr()] = true
	}
	seen := map[string]bool{}
	for _, r := range p.rules {
		if !seen[r.to.String()] {
			seen[r.to.String()] = true
			p.targets = append(p.targets, r.to)
		}
	}
	sort.SliceStable(p.rules, func(i, j int) bool {
		return len(p.rules[i].from.prefix) > len(p.rules[j].from.prefix)
	})
	sort.SliceStable(p.targets, func(i, j int) bool {
		return len(p.targets[i].prefix) > len(p.targets[j].prefix)
	})
	p.declared = listOrNone(names)
	return p, nil
}

// redactBase returns a base URL from the operator's config fit for an error
// message: userinfo and query, which are refused but might hold a
// credential, are masked.
func redactBase(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil && u.RawQuery == "" {
		return s
	}
	if u.User != nil {
		u.User = url.User("xxxxx")
	}
	if u.RawQuery != "" {
		u.RawQuery = "xxxxx"
	}
	return u.String()
}

// Targets returns the effective base URLs, after mapping, that requests of
// this policy may reach, sorted, for inventories and audits.
func (p *Policy) Targets() []string {
	if p == nil {
		return nil
	}
	out := make([]string, 0, len(p.targets))
	for _, t := range p.targets {
		out = append(out, t.String())
	}
	sort.Strings(out)
	return out
}

// route finds the declared base that u falls under and returns the URL to
// send, rewritten onto the base's target, and whether that target was
// mapped by the operator (so it may be dialed on private addresses).
//
// u must come from parseRequestURL. The error is a *refusal.
func (p *Policy) route(u *url.URL) (*url.URL, bool, error) {
	host, port := hostPort(u)
	path := u.EscapedPath()
	if p != nil {
		for _, r := range p.rules {
			if rest, ok := r.from.contains(u.Scheme, host, port, path); ok {
				out, err := r.to.join(rest, u.RawQuery)
				if err != nil {
					return nil, false, refuse(abi.ErrBadRequest, "cannot rewrite URL: %v", err)
				}
				return out, p.mappedAddrs[r.to.addr()], nil
			}
		}
	}
	return nil, false, refuse(abi.ErrHostNotAllowed,
		"%s is not under a host the plugin declared (declared: %s)", origin(u), p.declaredList())
}

// isTarget reports whether u, a URL in the target space (a redirect's
// Location), falls under one of the policy's effective targets, and whether
// that target may be dialed on private addresses.
func (p *Policy) isTarget(u *url.URL) (ok, mapped bool) {
	if p == nil {
		return false, false
	}
	host, port := hostPort(u)
	for _, t := range p.targets {
		if _, in := t.contains(u.Scheme, host, port, u.EscapedPath()); in {
			return true, p.mappedAddrs[t.addr()]
		}
	}
	return false, false
}

func (p *Policy) declaredList() string {
	if p == nil {
		return "none"
	}
	return p.declared
}

// parseBase parses and normalizes a base URL.
func parseBase(s string) (endpoint, error) {
	u, err := url.Parse(s)
	if err != nil {
		return endpoint{}, errors.New("not a valid URL")
	}
	if err := checkURLShape(u); err != nil {
		return endpoint{}, err
	}
	if u.RawQuery != "" || u.ForceQuery {
		return endpoint{}, errors.New("a base URL must not have a query")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return endpoint{}, errors.New("a base URL must not have a fragment")
	}
	host, port := hostPort(u)
	return endpoint{scheme: u.Scheme, host: host, port: port, prefix: strings.TrimRight(u.EscapedPath(), "/")}, nil
}

// parseRequestURL parses and normalizes the URL of a guest's request: scheme
// and host lower-cased, a trailing dot removed from the host, the default
// port made implicit, the fragment dropped. An empty path stays empty, so
// that a base URL maps onto its target's exact spelling. The error is a *refusal.
func parseRequestURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, refuse(abi.ErrBadRequest, "the request has no URL")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, refuse(abi.ErrBadRequest, "the URL does not parse")
	}
	if err := checkURLShape(u); err != nil {
		return nil, refuse(abi.ErrBadRequest, "bad URL: %v", err)
	}
	if strings.ContainsFunc(u.RawQuery, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, refuse(abi.ErrBadRequest, "the query has a space or control character; percent-encode it")
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// checkURLShape validates and normalizes, in place, the parts of u that base
// and request URLs share.
func checkURLShape(u *url.URL) error {
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
	if err := checkPath(u.EscapedPath()); err != nil {
		return err
	}
	return nil
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

// checkPath refuses dot segments, also percent-encoded ones, ones hidden
// behind an encoded slash or backslash ("..%2F"), and ones followed by path
// parameters ("..;x"), which some servers resolve and would let a request
// escape a path prefix.
func checkPath(escaped string) error {
	for _, seg := range strings.Split(escaped, "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return errors.New("the path has a bad escape")
		}
		for _, part := range strings.FieldsFunc(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
			part, _, _ = strings.Cut(part, ";")
			if part == "." || part == ".." {
				return errors.New(`the path must not contain "." or ".." segments`)
			}
		}
	}
	return nil
}

// contains reports whether a URL with this scheme, host, port and escaped
// path falls under e, and returns the rest of the path after e's prefix.
func (e endpoint) contains(scheme, host, port, path string) (rest string, ok bool) {
	if scheme != e.scheme || host != e.host || port != e.port {
		return "", false
	}
	if e.prefix == "" {
		return path, true
	}
	if path == e.prefix {
		return "", true
	}
	if strings.HasPrefix(path, e.prefix) && path[len(e.prefix)] == '/' {
		return path[len(e.prefix):], true
	}
	return "", false
}

// join builds the URL of rest (an escaped path) and rawQuery under e.
func (e endpoint) join(rest, rawQuery string) (*url.URL, error) {
	path := e.prefix + rest
	if path == "" {
		path = "/"
	}
	u, err := url.Parse(e.scheme + "://" + e.authority() + path)
	if err != nil {
		return nil, err
	}
	u.RawQuery = rawQuery
	return u, nil
}

// String is the canonical spelling of the base URL.
func (e endpoint) String() string {
	return e.scheme + "://" + e.authority() + e.prefix
}

// authority is host[:port], the port omitted when it is the default.
func (e endpoint) authority() string {
	if e.port == defaultPort(e.scheme) {
		return joinHostPort(e.host, "")
	}
	return joinHostPort(e.host, e.port)
}

// addr is host:port as dialed.
func (e endpoint) addr() string { return joinHostPort(e.host, e.port) }

// hostPort returns the normalized host and the explicit port of u.
func hostPort(u *url.URL) (host, port string) {
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

// origin is scheme://host[:port] of u, for messages.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// isLoopbackHost reports whether h names the loopback interface.
func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Unmap().IsLoopback()
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

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
