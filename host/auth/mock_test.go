package auth

import (
	"context"
	"testing"
)

func TestMockTokens(t *testing.T) {
	want := map[string]string{
		"reddit": "mock_reddit_token_123456789",
		"github": "gho_mockGitHubToken123456789",
		"google": "ya29.mockGoogleToken123456789",
	}
	m := NewMock()
	for provider, token := range want {
		c := Credentials{UserID: "user_123", UserToken: "temp_token_abc456", ProviderID: provider}
		got, e := m.Exchange(t.Context(), c)
		if e != nil || got != token {
			t.Errorf("Exchange(%s) = %q, %v; want %q", provider, got, e, token)
		}
	}
	tokens := MockTokens()
	if len(tokens) != len(want) {
		t.Errorf("MockTokens() = %v", tokens)
	}
	tokens["reddit"] = "changed"
	if MockTokens()["reddit"] != want["reddit"] {
		t.Error("MockTokens() returned the package's own map")
	}
}

func TestMockErrors(t *testing.T) {
	m := NewMock()
	_, e := m.Exchange(t.Context(), Credentials{UserID: "u", UserToken: "temp_token_abc456", ProviderID: "gitlab"})
	want := Error{Code: CodeAPIError, Message: "Failed to exchange token with gitlab backend", Provider: "gitlab",
		Details: "Mock mode has no token for provider gitlab"}
	if e == nil || *e != want {
		t.Errorf("unknown provider: %+v, want %+v", e, want)
	}

	_, e = m.Exchange(t.Context(), Credentials{UserID: "u", UserToken: "", ProviderID: "reddit"})
	if e == nil || e.Code != CodeInvalidParameter || e.Details != "userToken must be a non-empty string" {
		t.Errorf("empty token: %+v", e)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, e = m.Exchange(ctx, testCreds)
	wantAPIError(t, e, "Token exchange was canceled", 0, false)
}

func TestMockAudit(t *testing.T) {
	var logs logBuffer
	m := NewMock().WithLogger(logs.logger())
	if _, e := m.Exchange(t.Context(), testCreds); e != nil {
		t.Fatal(e)
	}
	recs := logs.records(t, "token exchange")
	if len(recs) != 1 || recs[0]["outcome"] != "ok" || recs[0]["providerId"] != "reddit" || recs[0]["level"] != "INFO" {
		t.Errorf("audit records = %v", recs)
	}
}
