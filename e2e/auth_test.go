package e2e

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// refWant is a reference-design error object: its four fields exactly.
type refWant struct{ code, message, provider, details string }

func assertRefError(t *testing.T, r *running, tool string, args, m map[string]any, want refWant) *mcp.CallToolResult {
	t.Helper()
	res := r.call(t, tool, args, m)
	if !res.IsError {
		t.Fatalf("%s: want a tool error, got success: %s", tool, text(res))
	}
	obj := structured(t, res)
	got := refWant{str(obj["error"]), str(obj["message"]), str(obj["provider"]), str(obj["details"])}
	if got != want {
		t.Errorf("%s: error object\n got  %+v\n want %+v", tool, got, want)
	}
	// The text content is the same object, as JSON.
	for _, f := range []string{want.code, want.message, want.details} {
		if !strings.Contains(text(res), jsonEscape(f)) {
			t.Errorf("%s: text content lacks %q: %s", tool, f, text(res))
		}
	}
	return res
}

func str(v any) string { s, _ := v.(string); return s }

func jsonEscape(s string) string {
	return strings.NewReplacer(`"`, `\"`).Replace(s)
}

// Every error of the reference design comes out of the binary with its fields
// as written there; a refused call reaches neither the backend nor the API.
func TestReferenceErrorsEndToEnd(t *testing.T) {
	gh, rd := fakeGitHub(t), fakeReddit(t)
	be := defaultBackend(t)
	r := startHost(t, hostOpts{backendURL: be.URL, upstreams: map[string]string{"https://api.github.com": gh.URL, "https://oauth.reddit.com": rd.URL}})

	assertRefError(t, r, "get_reddit_user", nil,
		map[string]any{"userId": "user_123", "providerId": "reddit"},
		refWant{"missing_parameters", "Missing required OAuth parameters for reddit", "reddit", "Required: userId, userToken, providerId. Missing: userToken"})
	assertRefError(t, r, "get_reddit_user", nil, nil,
		refWant{"missing_parameters", "Missing required OAuth parameters for reddit", "reddit", "Required: userId, userToken, providerId. Missing: userId, userToken, providerId"})
	assertRefError(t, r, "get_reddit_user", nil, meta("user_123", "temp_token_abc456", "github"),
		refWant{"provider_mismatch", "This tool requires reddit authentication", "reddit", "Received providerId: github"})
	assertRefError(t, r, "get_reddit_user", nil, meta("user_123", "", "reddit"),
		refWant{"invalid_parameter", "Invalid userToken format for reddit", "reddit", "userToken must be a non-empty string"})
	assertRefError(t, r, "get_github_user", nil, map[string]any{"userId": "user_123", "userToken": 42, "providerId": "github"},
		refWant{"invalid_parameter", "Invalid userToken format for github", "github", "userToken must be a non-empty string"})
	assertRefError(t, r, "get_github_user", nil, meta("user_123", "expired-temp-token", "github"),
		refWant{"api_error", "Failed to exchange token with github backend", "github", "401 Unauthorized: Invalid or expired temp token"})

	if n := len(gh.requests()) + len(rd.requests()); n != 0 {
		t.Errorf("refused calls reached the APIs %d times", n)
	}
	if n := len(be.requests()); n != 1 {
		t.Errorf("the backend got %d requests, want 1 (only the 401 exchange; validation failures must not reach it)", n)
	}
	// Unknown _meta keys are ignored.
	m := meta("user_123", "temp_token_abc456", "github")
	m["progressToken"] = "p1"
	m["io.example/anything"] = map[string]any{"x": 1}
	if res := r.call(t, "get_github_user", nil, m); res.IsError {
		t.Errorf("extra _meta keys broke the call: %s", text(res))
	}
}

// Each backend status maps to the reference's details, end to end.
func TestBackendStatusesEndToEnd(t *testing.T) {
	cases := []struct {
		status  int
		details string
	}{
		{401, "401 Unauthorized: Invalid or expired temp token"},
		{403, "403 Forbidden: User not authorized for provider"},
		{404, "404 Not Found: Provider not configured"},
		{500, "500 Internal Server Error: Backend error"},
	}
	for _, c := range cases {
		be := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, c.status, map[string]any{"error": "nope", "accessToken": "leaked_if_copied"})
		})
		r := startHost(t, hostOpts{backendURL: be.URL, args: []string{"--backend-timeout", "2s"}})
		res := assertRefError(t, r, "get_github_user", nil, meta("u", "temp_token_abc456", "github"),
			refWant{"api_error", "Failed to exchange token with github backend", "github", c.details})
		// The backend's body is never copied into a result or a log line.
		raw, _ := json.Marshal(res)
		for _, where := range []string{string(raw), r.stderr.String()} {
			if strings.Contains(where, "leaked_if_copied") || strings.Contains(where, "nope") {
				t.Errorf("status %d: the backend's body was copied: %s", c.status, where)
			}
		}
		wantTries := 1
		if c.status >= 500 {
			wantTries = 2 // one retry on 5xx
		}
		if n := len(be.requests()); n != wantTries {
			t.Errorf("status %d: backend got %d requests, want %d", c.status, n, wantTries)
		}
	}
}

// A backend that does not answer in time gives the reference's timeout error:
// the host gives up each of its requests itself, while the backend still
// holds them. (That the timeout is --backend-timeout's, to the millisecond,
// is host/auth's TestBackendTimeout, on a fake clock.)
func TestBackendTimeoutEndToEnd(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	abandoned := make(chan struct{}, 16)
	be := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
			abandoned <- struct{}{}
		}
	})
	r := startHost(t, hostOpts{backendURL: be.URL, args: []string{"--backend-timeout", "300ms"}})
	assertRefError(t, r, "get_reddit_user", nil, meta("u", "temp_token_abc456", "reddit"),
		refWant{"api_error", "Failed to exchange token with reddit backend", "reddit", "Backend API request timed out"})
	n := len(be.requests())
	if n == 0 {
		t.Fatal("the backend received no request")
	}
	for i := range n {
		select {
		case <-abandoned:
		case <-time.After(waitLimit):
			t.Fatalf("the host gave up %d of the backend's %d requests; it answered the call with the others still open", i, n)
		}
	}
}

// Without mock mode and without a URL, serve refuses to start.
func TestNoBackendURLExits2(t *testing.T) {
	cmd := hostCommand(t, hostOpts{}, "serve")
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit = %v, want code 2; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "No backend URL configured") || !strings.Contains(string(out), "OAUTH_BACKEND_URL") {
		t.Errorf("message does not say how to configure the backend:\n%s", out)
	}
}

// A plain-http backend on a non-loopback host is refused at start.
func TestPlainHTTPBackendRefused(t *testing.T) {
	cmd := hostCommand(t, hostOpts{backendURL: "http://auth.example.com"}, "serve")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit = %v, want code 2; output:\n%s", err, out)
	}
	if !strings.Contains(strings.ToLower(string(out)), "https") {
		t.Errorf("message does not mention https:\n%s", out)
	}
}

// A whole session at debug level shows each step and never a secret.
func TestDebugLogsHaveNoSecrets(t *testing.T) {
	gh := fakeGitHub(t)
	be := defaultBackend(t)
	r := startHost(t, hostOpts{backendURL: be.URL, args: []string{"--log-level", "debug"},
		upstreams: map[string]string{"https://api.github.com": gh.URL}})
	r.call(t, "get_github_user", nil, meta("dave", "tmp-dave-XYZ-token", "github"))
	r.call(t, "list_github_repos", map[string]any{"per_page": 3}, meta("dave", "tmp-dave-XYZ-token", "github"))
	r.call(t, "get_github_user", nil, meta("dave", "expired-temp-token", "github"))
	r.call(t, "get_github_user", nil, meta("dave", "tmp-dave-XYZ-token", "reddit"))
	r.session.Close() // closes the host's stdin and waits for it to exit
	if r.cmd.ProcessState == nil {
		t.Fatal("the host had not exited when its session closed")
	}
	logs := r.stderr.String() // all of it: the process has exited, and its stderr been copied
	for _, secret := range []string{"tmp-dave-XYZ-token", tokenFor("dave", "github"), "s3cr3t"} {
		if strings.Contains(logs, secret) {
			t.Errorf("secret %q appears in the debug logs", secret)
		}
	}
	for _, step := range []string{"meta validated", "token exchange", "plugin call", "tool call", "provider_mismatch"} {
		if !strings.Contains(logs, step) {
			t.Errorf("debug logs lack %q", step)
		}
	}
}

// host check works in mock mode and against an httptest backend.
func TestCheckCommand(t *testing.T) {
	cmd := exec.Command(hostBin, "check")
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("host check (mock): %v\n%s", err, out)
	}
	for _, p := range []string{"reddit", "github", "google"} {
		if !strings.Contains(string(out), "PASS  "+p) {
			t.Errorf("mock check lacks a pass for %s:\n%s", p, out)
		}
	}
	if strings.Contains(string(out), mockGitHub) || strings.Contains(string(out), mockReddit) {
		t.Errorf("check printed a token:\n%s", out)
	}

	be := defaultBackend(t)
	out, err = exec.Command(hostBin, "check", "--backend-url", be.URL, "--no-mock", "--user-id", "erin", "--user-token", "tmp-erin-temp-token").CombinedOutput()
	if err != nil {
		t.Fatalf("host check (backend): %v\n%s", err, out)
	}
	if strings.Count(string(out), "PASS") != 3 || strings.Contains(string(out), tokenFor("erin", "github")) || strings.Contains(string(out), "tmp-erin-temp-token") {
		t.Errorf("backend check output wrong or leaks:\n%s", out)
	}

	// A backend URL, here from the environment, means the backend: without
	// --no-mock, the check must not pass in mock mode.
	cmd = exec.Command(hostBin, "check", "--user-id", "erin", "--user-token", "expired-temp-token", "--provider", "github")
	cmd.Env = append(cleanEnv(), "OAUTH_BACKEND_URL="+be.URL)
	out, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("failing check exit = %v, want 1:\n%s", err, out)
	}
	if !strings.Contains(string(out), "FAIL") || !strings.Contains(string(out), "401 Unauthorized: Invalid or expired temp token") {
		t.Errorf("failing check does not give the reason:\n%s", out)
	}
}
