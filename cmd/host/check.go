package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wasmcp/wasmcp/host/auth"
)

const checkUsage = `Usage: host check [--backend-url URL --user-id U --user-token T] [--provider P]

Performs the token exchange for each provider (reddit, github, google) or the
one given, and prints a pass/fail report with the reason of each failure.
Tokens are never printed, only a short fingerprint. Exits 0 if every exchange
passed, 1 otherwise.

With no backend URL (flag, OAUTH_BACKEND_URL or config), it checks mock mode,
the wiring; with one, it checks that backend, unless --mock is given. --no-mock
insists on the backend.
`

// checkProviders are the providers "host check" tries by default: those the
// reference design gives mock tokens for.
var checkProviders = []string{"reddit", "github", "google"}

func check(ctx context.Context, args []string, stdout, stderr io.Writer) (bool, error) {
	s := newSettings("check", checkUsage, stderr)
	userID := s.fs.String("user-id", "check_user", "userId sent to the backend")
	userToken := s.fs.String("user-token", "", "temporary userToken sent to the backend (required with --no-mock)")
	provider := s.fs.String("provider", "", "check only this provider")
	if err := s.parse(args); err != nil {
		return false, err
	}
	logger, err := s.logger(stderr)
	if err != nil {
		return false, err
	}
	cfg, err := s.config()
	if err != nil {
		return false, err
	}
	// Mock mode unless asked otherwise, or a backend URL is configured.
	mock := cfg.Backend.URL == ""
	if cfg.Backend.Mock != nil {
		mock = *cfg.Backend.Mock
	}
	if !mock && cfg.Backend.URL == "" {
		return false, usageError{auth.ErrNoBackendURL}
	}
	token := *userToken
	if token == "" {
		if !mock {
			return false, usageError{fmt.Errorf("--user-token is required to check a backend")}
		}
		token = "check_temp_token"
	}

	var ex auth.Exchanger
	mode := "mock"
	if mock {
		ex = auth.NewMock().WithLogger(logger)
	} else {
		b, err := auth.NewBackend(auth.BackendConfig{URL: cfg.Backend.URL, Timeout: cfg.Backend.Timeout, Proxy: cfg.Backend.Proxy, Logger: logger})
		if err != nil {
			return false, usageError{err}
		}
		ex, mode = b, "backend "+redactURL(cfg.Backend.URL)
	}

	providers := checkProviders
	if *provider != "" {
		providers = []string{*provider}
	}
	creds := make([]auth.Credentials, 0, len(providers))
	for _, p := range providers {
		c := auth.Credentials{UserID: *userID, UserToken: token, ProviderID: p}
		if _, e := auth.ValidateMeta(map[string]any{"userId": c.UserID, "userToken": c.UserToken, "providerId": p}, p); e != nil {
			return false, usageError{fmt.Errorf("%s: %s", e.Message, e.Details)}
		}
		creds = append(creds, c)
	}
	fmt.Fprintf(stdout, "Token exchange check: %s, user %s, providers %s\n\n", mode, *userID, strings.Join(providers, ", "))
	results := auth.Check(ctx, ex, creds)
	if err := auth.WriteReport(stdout, results); err != nil {
		return false, err
	}
	return auth.Passed(results), nil
}

// redactURL drops any userinfo, query and fragment of a URL for display.
func redactURL(u string) string {
	for _, sep := range []string{"?", "#"} {
		if i := strings.Index(u, sep); i >= 0 {
			u = u[:i]
		}
	}
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 && !slices.Contains([]byte(rest[:at]), '/') {
			u = u[:i+3] + rest[at+1:]
		}
	}
	return u
}
