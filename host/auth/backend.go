package auth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/sync/singleflight"
)

// Defaults of BackendConfig.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultRetryBackoff = 200 * time.Millisecond
	DefaultUserAgent    = "wasmcp-host (+https://github.com/wasmcp/wasmcp)"
)

// BackendConfig configures NewBackend. The zero value of every field but URL
// means its default.
type BackendConfig struct {
	// URL is the backend's base URL, e.g. "https://api.example.com"; the
	// exchange endpoint is URL + ExchangePath. See ValidateBackendURL.
	URL string
	// Timeout bounds each HTTP attempt (default DefaultTimeout). An attempt
	// also ends at the caller's context deadline when that comes first.
	Timeout time.Duration
	// RetryBackoff is the mean wait before the one retry (default
	// DefaultRetryBackoff); the actual wait is drawn from [½, 1½) of it.
	RetryBackoff time.Duration
	// Client sends the requests (default: a client of its own, with TLS 1.2
	// or later, that takes no proxy from the environment). Whatever the
	// client, redirects are never followed: the request body holds the
	// userToken, and a 3xx is an api_error.
	Client *http.Client
	// Proxy is the URL of an HTTP proxy to reach an https backend through,
	// e.g. "http://proxy.internal:3128"; "" means a direct connection. It
	// only tunnels (CONNECT): TLS runs end to end with the backend. A
	// plain-http (loopback) backend is never proxied. HTTPS_PROXY,
	// HTTP_PROXY and NO_PROXY are never read: a proxy is the operator's
	// explicit choice. It cannot be combined with Client.
	Proxy string
	// Logger receives the audit line of every exchange (info) and the
	// progress of each attempt (debug). Default: no logging.
	Logger *slog.Logger
	// UserAgent is the User-Agent header (default DefaultUserAgent).
	UserAgent string
}

// Backend exchanges credentials at an OAuth backend: it POSTs
// {"userId", "userToken", "providerId"} to {URL}/api/connectors/requestAuth
// and returns the "accessToken" of a 200 answer. It is safe for concurrent
// use; identical exchanges in flight at once share one request.
type Backend struct {
	endpoint  string // full exchange URL
	logURL    string // endpoint without its password, for logs
	timeout   time.Duration
	backoff   time.Duration
	userAgent string
	client    *http.Client
	log       *slog.Logger
	flights   singleflight.Group
}

// NewBackend checks cfg and returns a Backend. It fails when the URL is
// missing or not acceptable (see ValidateBackendURL), the proxy URL is not
// acceptable, or a duration is negative.
func NewBackend(cfg BackendConfig) (*Backend, error) {
	base, err := parseBackendURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("backend timeout must not be negative, got %v", cfg.Timeout)
	}
	if cfg.RetryBackoff < 0 {
		return nil, fmt.Errorf("backend retry backoff must not be negative, got %v", cfg.RetryBackoff)
	}
	proxy, err := parseProxyURL(cfg.Proxy)
	if err != nil {
		return nil, err
	}
	if proxy != nil && cfg.Client != nil {
		return nil, errors.New("a backend proxy cannot be combined with a custom HTTP client; configure the proxy in the client")
	}
	ep := endpointURL(base)
	b := &Backend{
		endpoint:  ep.String(),
		logURL:    ep.Redacted(),
		timeout:   orDefault(cfg.Timeout, DefaultTimeout),
		backoff:   orDefault(cfg.RetryBackoff, DefaultRetryBackoff),
		userAgent: cfg.UserAgent,
		log:       cfg.Logger,
	}
	if b.userAgent == "" {
		b.userAgent = DefaultUserAgent
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Client != nil {
		c := *cfg.Client
		b.client = &c
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = proxyFunc(proxy) // never http.ProxyFromEnvironment
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		b.client = &http.Client{Transport: tr}
	}
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return b, nil
}

// Exchange returns the access token for c, or an *Error.
//
// Callers asking for the same (userId, userToken, providerId) while an
// exchange for it is in flight wait for that exchange instead of starting
// their own. The exchange runs on a context detached from the caller that
// started it, bounded by that caller's deadline if it has one, so the
// caller's cancellation does not fail the others who wait; each caller
// stops waiting when its own ctx is done, with an api_error.
//
// There is no token cache: each Exchange that does not join a flight makes
// a request. The backend owns token lifetime and revocation, and a cached
// access token would outlive the one call it was obtained for.
//
// Every call logs one "token exchange" audit line at info level.
func (b *Backend) Exchange(ctx context.Context, c Credentials) (string, *Error) {
	start := time.Now()
	r, shared := b.exchange(ctx, c)
	auditExchange(ctx, b.log, c, r.err, r.status, r.attempts, shared, time.Since(start))
	return r.token, r.err
}

// flightResult is the outcome of one shared exchange.
type flightResult struct {
	token    string
	err      *Error
	status   int // last HTTP status, 0 if none
	attempts int // HTTP attempts made
}

// exchange runs or joins the flight for c and waits for it or for ctx.
func (b *Backend) exchange(ctx context.Context, c Credentials) (flightResult, bool) {
	if e := checkCredentials(c); e != nil {
		return flightResult{err: e}, false
	}
	if err := ctx.Err(); err != nil {
		return flightResult{err: contextError(c.ProviderID, err)}, false
	}

	// Only the first caller's function runs. It takes that caller's values
	// and deadline but not its cancellation.
	detached := context.WithoutCancel(ctx)
	deadline, hasDeadline := ctx.Deadline()
	ch := b.flights.DoChan(flightKey(c), func() (v any, _ error) {
		fctx, cancel := detached, context.CancelFunc(func() {})
		if hasDeadline {
			fctx, cancel = context.WithDeadline(detached, deadline)
		}
		defer cancel()
		defer func() {
			// A panic here would crash the host (DoChan re-panics on a new
			// goroutine); report it as a failed exchange instead. Only the
			// panic value's type is logged: its text could hold anything.
			if p := recover(); p != nil {
				b.log.ErrorContext(detached, "token exchange panicked",
					"providerId", c.ProviderID, "panic_type", fmt.Sprintf("%T", p))
				v = flightResult{err: apiError(c.ProviderID, "Internal error during token exchange", 0, false)}
			}
		}()
		return b.run(fctx, c), nil
	})

	select {
	case res := <-ch:
		r := res.Val.(flightResult)
		r.err = r.err.clone()
		return r, res.Shared
	case <-ctx.Done():
		return flightResult{err: contextError(c.ProviderID, ctx.Err())}, false
	}
}

// contextError is the api_error of a caller whose ctx ended first.
func contextError(provider string, err error) *Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return apiError(provider, detailsTimeout, 0, true)
	}
	return apiError(provider, "Token exchange was canceled", 0, false)
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
