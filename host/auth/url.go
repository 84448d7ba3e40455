package auth

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/wasmcp/wasmcp/internal/loopback"
)

// ExchangePath is the backend's token exchange endpoint, relative to the
// backend URL.
const ExchangePath = "/api/connectors/requestAuth"

// ErrNoBackendURL is returned (wrapped) by ValidateBackendURL and NewBackend
// when no backend URL is configured. Its text begins with the reference
// design's wording, hence the capital.
//
//lint:ignore ST1005 the wording is the reference design's.
var ErrNoBackendURL = errors.New("No backend URL configured: set the OAUTH_BACKEND_URL " +
	"environment variable, the --backend-url flag, or backend.url in the YAML config " +
	"(or enable mock mode with OAUTH_BACKEND_MOCK_MODE=yes)")

// ValidateBackendURL checks a backend base URL such as
// "https://api.example.com" or "https://example.com/auth/".
//
// The URL must be absolute with a host, and must use https; http is accepted
// only for loopback hosts (127.0.0.0/8, ::1, localhost), for local backends
// and tests. It may have a path prefix and user info, but no query or
// fragment. Surrounding white space is ignored. An empty URL yields an error
// wrapping ErrNoBackendURL. Errors never repeat a password the URL holds.
func ValidateBackendURL(raw string) error {
	_, err := parseBackendURL(raw)
	return err
}

// parseBackendURL validates raw and returns it parsed.
func parseBackendURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, ErrNoBackendURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only the
		// cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid backend URL: %w", err)
	}
	switch {
	case u.Scheme == "":
		return nil, fmt.Errorf("invalid backend URL %q: it must be absolute, like https://api.example.com", u.Redacted())
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("invalid backend URL %q: the scheme must be https, not %s", u.Redacted(), u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("invalid backend URL %q: it has no host", u.Redacted())
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("invalid backend URL %q: it must not have a query or fragment", u.Redacted())
	case u.Scheme == "http" && !loopback.Host(u.Hostname()):
		return nil, fmt.Errorf("invalid backend URL %q: the backend must be reached over https; "+
			"http is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost), and %q is not one",
			u.Redacted(), u.Hostname())
	}
	return u, nil
}

// endpointURL returns the exchange endpoint under base: ExchangePath joined
// to base's path, with or without a trailing slash.
func endpointURL(base *url.URL) *url.URL {
	return base.JoinPath(ExchangePath)
}
