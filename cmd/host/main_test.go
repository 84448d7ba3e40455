package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the command line args with the backend's environment
// cleared, and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("OAUTH_BACKEND_URL", "")
	t.Setenv("OAUTH_BACKEND_MOCK_MODE", "")
	var stdout, stderr strings.Builder
	code := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// --help is the output asked for: on stdout, exit 0, so that
// "host serve --help | less" shows it.
func TestHelpGoesToStdout(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Usage: host [COMMAND]", "Usage: host serve", "--drain"}},
		{[]string{"-h"}, []string{"Usage: host [COMMAND]", "Usage: host serve"}},
		{[]string{"help"}, []string{"Usage: host [COMMAND]"}},
		{[]string{"serve", "--help"}, []string{"Usage: host serve", "--shutdown-grace", "OAUTH_BACKEND_URL", "WASMCP_HTTP_TOKEN"}},
		{[]string{"check", "-help"}, []string{"Usage: host check", "--user-token"}},
		{[]string{"plugins", "--help"}, []string{"Usage: host plugins", "-plugins folder"}},
		{[]string{"bench", "--help"}, []string{"--concurrency"}},
	} {
		code, stdout, stderr := runCLI(t, c.args...)
		if code != 0 || stderr != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing", c.args, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", c.args, w, stdout)
			}
		}
	}
}

// A bad flag is said once, on one line of stderr, with where to look.
func TestBadFlagSaidOnce(t *testing.T) {
	for _, cmd := range []string{"serve", "check", "plugins", "bench"} {
		code, stdout, stderr := runCLI(t, cmd, "--bogus")
		want := `host: flag provided but not defined: -bogus (see "host ` + cmd + ` --help")` + "\n"
		if code != exitUsage || stdout != "" || stderr != want {
			t.Errorf("%s --bogus: exit %d, stdout %q, stderr %q; want exit %d and only %q", cmd, code, stdout, stderr, exitUsage, want)
		}
	}
	code, _, stderr := runCLI(t, "serve", "--shutdown-grace", "soon")
	if code != exitUsage || strings.Count(stderr, "soon") != 1 {
		t.Errorf("a bad flag value: exit %d, stderr %q", code, stderr)
	}
}

// check --no-mock without a backend URL says the URL is missing, not that
// a token is.
func TestCheckNoMockWithoutURL(t *testing.T) {
	code, _, stderr := runCLI(t, "check", "--no-mock")
	if code != exitUsage || !strings.Contains(stderr, "No backend URL configured") || strings.Contains(stderr, "--user-token") {
		t.Errorf("exit %d, stderr %q; want %d and the missing URL", code, stderr, exitUsage)
	}
	// With a URL, the token is what is missing.
	code, _, stderr = runCLI(t, "check", "--no-mock", "--backend-url", "https://auth.example.com")
	if code != exitUsage || !strings.Contains(stderr, "--user-token is required") {
		t.Errorf("with a URL: exit %d, stderr %q", code, stderr)
	}
}

// serve refuses a duration written as a bare number, and --drain without
// --http, before it serves anything.
func TestServeRefusals(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfg, []byte("limits:\n  timeout: 30\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--mock", "--config", cfg, "--plugins", t.TempDir()}, "timeout: want a duration like 30s, got 30: add a unit"},
		{[]string{"serve", "--mock", "--drain", "1s", "--plugins", t.TempDir()}, "--drain needs --http"},
		{[]string{"serve", "--mock", "--http", "127.0.0.1:0", "--drain", "-1s", "--plugins", t.TempDir()}, "must not be negative"},
	} {
		code, stdout, stderr := runCLI(t, c.args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d with %q", c.args, code, stdout, stderr, exitUsage, c.want)
		}
	}
}
