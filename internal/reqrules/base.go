package reqrules

import (
	"errors"
	"net/url"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
)

// Base is a normalized base URL: lower-case scheme and host, an explicit
// port, and an escaped path prefix without a trailing slash ("" for the
// root). A URL falls under it when scheme, host and port are the same and
// its path equals the prefix or continues it after a "/":
//
//	base https://example.com/api
//	under     https://example.com/api, https://example.com/api/items?x=1
//	not under https://example.com/apix, https://example.com/API/x,
//	          http://example.com/api, https://example.com:8443/api
type Base struct {
	scheme, host, port, prefix string
}

// ParseBase parses and normalizes a base URL. It must be absolute https or
// http, without userinfo, query, fragment, or "." and ".." path segments.
func ParseBase(s string) (Base, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Base{}, errors.New("not a valid URL")
	}
	if err := checkShape(u); err != nil {
		return Base{}, err
	}
	if u.RawQuery != "" || u.ForceQuery {
		return Base{}, errors.New("a base URL must not have a query")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return Base{}, errors.New("a base URL must not have a fragment")
	}
	host, port := HostPort(u)
	return Base{scheme: u.Scheme, host: host, port: port, prefix: strings.TrimRight(u.EscapedPath(), "/")}, nil
}

// ParseDeclared parses a base URL a plugin declares (abi.Descriptor.Hosts):
// a ParseBase that must be https.
func ParseDeclared(s string) (Base, error) {
	b, err := ParseBase(s)
	if err != nil {
		return Base{}, err
	}
	if b.scheme != "https" {
		return Base{}, errors.New("must be https")
	}
	return b, nil
}

// Contains reports whether u, a URL from ParseURL, falls under b, and
// returns the rest of its escaped path after b's prefix.
func (b Base) Contains(u *url.URL) (rest string, ok bool) {
	host, port := HostPort(u)
	if u.Scheme != b.scheme || host != b.host || port != b.port {
		return "", false
	}
	path := u.EscapedPath()
	if b.prefix == "" {
		return path, true
	}
	if path == b.prefix {
		return "", true
	}
	if strings.HasPrefix(path, b.prefix) && path[len(b.prefix)] == '/' {
		return path[len(b.prefix):], true
	}
	return "", false
}

// Join builds the URL of rest (an escaped path, as Contains returns it) and
// rawQuery under b.
func (b Base) Join(rest, rawQuery string) (*url.URL, error) {
	path := b.prefix + rest
	if path == "" {
		path = "/"
	}
	u, err := url.Parse(b.scheme + "://" + b.authority() + path)
	if err != nil {
		return nil, err
	}
	u.RawQuery = rawQuery
	return u, nil
}

// String is the canonical spelling of the base URL.
func (b Base) String() string {
	return b.scheme + "://" + b.authority() + b.prefix
}

// Scheme is "https" or "http".
func (b Base) Scheme() string { return b.scheme }

// Host is the lower-case host name or canonical IP literal, unbracketed.
func (b Base) Host() string { return b.host }

// Port is the explicit port ("443" when the URL has none).
func (b Base) Port() string { return b.port }

// Prefix is the escaped path prefix without a trailing slash, "" for the
// root.
func (b Base) Prefix() string { return b.prefix }

// Addr is host:port as dialed.
func (b Base) Addr() string { return joinHostPort(b.host, b.port) }

// authority is host[:port], the port omitted when it is the default.
func (b Base) authority() string {
	if b.port == defaultPort(b.scheme) {
		return joinHostPort(b.host, "")
	}
	return joinHostPort(b.host, b.port)
}

// NotDeclared is the refusal (abi.ErrHostNotAllowed) of u, a URL from
// ParseURL that falls under none of the declared base URLs.
func NotDeclared(u *url.URL, declared []string) *Refusal {
	list := "none"
	if len(declared) > 0 {
		list = strings.Join(declared, ", ")
	}
	return refuse(abi.ErrHostNotAllowed, "%s is not under a host the plugin declared (declared: %s)", u.Scheme+"://"+u.Host, list)
}
