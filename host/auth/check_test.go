package auth

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckMock(t *testing.T) {
	var creds []Credentials
	for _, p := range []string{"reddit", "github", "google", "gitlab"} {
		creds = append(creds, Credentials{UserID: "user_123", UserToken: "temp_token_abc456", ProviderID: p})
	}
	results := Check(t.Context(), NewMock(), creds)
	if len(results) != 4 {
		t.Fatalf("%d results", len(results))
	}
	tokens := MockTokens()
	for _, r := range results[:3] {
		if !r.OK || r.Fingerprint != Fingerprint(tokens[r.ProviderID]) || r.Code != "" || r.UserID != "user_123" {
			t.Errorf("%s: %+v", r.ProviderID, r)
		}
	}
	if r := results[3]; r.OK || r.Code != CodeAPIError || r.Reason != "Mock mode has no token for provider gitlab" || r.Fingerprint != "" {
		t.Errorf("gitlab: %+v", r)
	}
	if Passed(results) || !Passed(results[:3]) || Passed(nil) {
		t.Error("Passed is wrong")
	}
}

func TestCheckBackend(t *testing.T) {
	srv := newBackendServer(t, statusHandler(401, ""))
	results := Check(t.Context(), newTestBackend(t, srv.URL, nil), []Credentials{testCreds})
	want := CheckResult{UserID: "user_123", ProviderID: "reddit", Code: CodeAPIError,
		Reason: "401 Unauthorized: Invalid or expired temp token", Status: 401}
	results[0].Latency = 0
	if results[0] != want {
		t.Errorf("result %+v\nwant   %+v", results[0], want)
	}
}

// emptyExchanger breaks the Exchanger contract by returning no token and no
// error.
type emptyExchanger struct{}

func (emptyExchanger) Exchange(ctx context.Context, c Credentials) (string, *Error) { return "", nil }

func TestCheckEmptyToken(t *testing.T) {
	r := Check(t.Context(), emptyExchanger{}, []Credentials{testCreds})[0]
	if r.OK || r.Reason != "Exchanger returned an empty access token" {
		t.Errorf("%+v", r)
	}
}

func TestWriteReport(t *testing.T) {
	results := []CheckResult{
		{UserID: "user_123", ProviderID: "reddit", OK: true, Fingerprint: "9f86d081", Latency: 3 * time.Millisecond},
		{UserID: "user_123", ProviderID: "github", Code: CodeAPIError, Status: 401,
			Reason: "401 Unauthorized: Invalid or expired temp token", Latency: 2 * time.Millisecond},
		{UserID: "user_123", ProviderID: "google", Code: CodeAPIError,
			Reason: "Backend API request timed out", Latency: 10 * time.Second},
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, results); err != nil {
		t.Fatal(err)
	}
	want := `PASS  reddit  user_123  3ms  token 9f86d081
FAIL  github  user_123  2ms  api_error (HTTP 401): 401 Unauthorized: Invalid or expired temp token
FAIL  google  user_123  10s  api_error: Backend API request timed out

3 checks: 1 passed, 2 failed
`
	if buf.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", buf.String(), want)
	}

	if err := WriteReport(failingWriter{}, results); err == nil {
		t.Error("WriteReport hid a write error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportEmpty(t *testing.T) {
	var buf bytes.Buffer
	WriteReport(&buf, nil)
	if !strings.Contains(buf.String(), "0 checks: 0 passed, 0 failed") {
		t.Errorf("report: %q", buf.String())
	}
}
