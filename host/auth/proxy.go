package auth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// parseProxyURL validates the Proxy of a BackendConfig: an absolute http
// or https URL with a host and nothing after it, such as
// "http://proxy.internal:3128" (user info allowed, for the proxy's own
// credentials). "" means no proxy. Errors never repeat a password.
func parseProxyURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid backend proxy URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("invalid backend proxy URL %q: it must be an http:// or https:// URL", u.Redacted())
	case u.Hostname() == "":
		return nil, fmt.Errorf("invalid backend proxy URL %q: it has no host", u.Redacted())
	case strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("invalid backend proxy URL %q: it must not have a path, query or fragment", u.Redacted())
	}
	return u, nil
}

// proxyFunc is the http.Transport.Proxy of a backend: the operator's proxy
// for https requests, which it can only tunnel (CONNECT), and none for the
// plain-http loopback backends, whose requests carry the userToken in clear.
// It never reads the environment. nil when there is no proxy.
func proxyFunc(proxy *url.URL) func(*http.Request) (*url.URL, error) {
	if proxy == nil {
		return nil
	}
	return func(r *http.Request) (*url.URL, error) {
		if r.URL.Scheme != "https" {
			return nil, nil
		}
		return proxy, nil
	}
}
