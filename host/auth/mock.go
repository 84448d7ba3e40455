package auth

import (
	"context"
	"log/slog"
	"maps"
	"time"
)

// mockTokens are the reference design's mock-mode tokens.
var mockTokens = map[string]string{
	"reddit": "mock_reddit_token_123456789",
	"github": "gho_mockGitHubToken123456789",
	"google": "ya29.mockGoogleToken123456789",
}

// MockTokens returns a copy of the mock-mode tokens, by provider: reddit,
// github and google.
func MockTokens() map[string]string {
	return maps.Clone(mockTokens)
}

// Mock is the Exchanger of mock mode (OAUTH_BACKEND_MOCK_MODE=yes): it
// answers with the fixed token of MockTokens for the credentials' provider,
// whatever the userId and userToken, and never touches the network. Every
// user of a provider gets the same token, so nothing but the userId the
// client claims tells users apart: it is for development only.
type Mock struct {
	log *slog.Logger
}

// NewMock returns a Mock that does not log. A host serving calls gives it
// its logger with WithLogger, so that mock exchanges are audited like the
// backend's.
func NewMock() *Mock {
	return &Mock{log: slog.New(slog.DiscardHandler)}
}

// WithLogger returns a copy of m that writes the same audit line as Backend
// (attempts and status 0).
func (m *Mock) WithLogger(l *slog.Logger) *Mock {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return &Mock{log: l}
}

// Exchange returns the mock token of c.ProviderID. Credentials ValidateMeta
// would refuse are an invalid_parameter error, a provider without a mock
// token and a done ctx are api_errors.
func (m *Mock) Exchange(ctx context.Context, c Credentials) (string, *Error) {
	start := time.Now()
	token, e := m.exchange(ctx, c)
	auditExchange(ctx, m.log, c, e, 0, 0, false, time.Since(start))
	return token, e
}

func (m *Mock) exchange(ctx context.Context, c Credentials) (string, *Error) {
	if e := checkCredentials(c); e != nil {
		return "", e
	}
	if err := ctx.Err(); err != nil {
		return "", contextError(c.ProviderID, err)
	}
	token, ok := mockTokens[c.ProviderID]
	if !ok {
		return "", apiError(c.ProviderID, "Mock mode has no token for provider "+sanitizeEcho(c.ProviderID), 0, false)
	}
	return token, nil
}
