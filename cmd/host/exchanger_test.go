package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/host/auth"
)

// Mock mode writes the same audit line for each exchange as the backend
// does, and never the tokens.
func TestMockExchangerAudits(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	mock := true
	ex, err := exchanger(host.Config{Backend: host.BackendConfig{Mock: &mock}}, logger)
	if err != nil {
		t.Fatal(err)
	}
	const userToken = "temp_token_abc456"
	token, e := ex.Exchange(t.Context(), auth.Credentials{UserID: "alice", UserToken: userToken, ProviderID: "github"})
	if e != nil || token != auth.MockTokens()["github"] {
		t.Fatalf("Exchange = %q, %v", token, e)
	}
	out := logs.String()
	if !strings.Contains(out, `msg="token exchange" userId=alice providerId=github userToken_fp=`+auth.Fingerprint(userToken)+" outcome=ok") {
		t.Errorf("no audit line for the mock exchange:\n%s", out)
	}
	if strings.Contains(out, userToken) || strings.Contains(out, token) {
		t.Errorf("a token is in the log:\n%s", out)
	}
}

// The backend's proxy is the config's, never the environment's: a bad one
// is refused at start, and the password it holds is not repeated.
func TestBackendProxyFromConfig(t *testing.T) {
	_, err := exchanger(host.Config{Backend: host.BackendConfig{URL: "https://auth.example.com", Proxy: "ftp://u:pw-SECRET@proxy"}}, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "proxy") || strings.Contains(err.Error(), "pw-SECRET") {
		t.Errorf("err = %v", err)
	}
}
