package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// githubWasm is the path of the github plugin that "make build" makes.
func githubWasm(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "dist", "plugins", "github.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run \"make build\" first (make test does)", p)
	}
	return p
}

func testCacheDir() string { return filepath.Join(os.TempDir(), "wasmcp-host-test-wazero-cache") }

// TestCallCommand: "host call" runs one tool through the sandbox against a
// local fake named with --upstream: the fake gets mock mode's token, the
// result is printed, and no token is.
func TestCallCommand(t *testing.T) {
	var mu sync.Mutex
	var auths []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"login":"octo-fake","id":7,"name":"Octo Fake"}`))
	}))
	defer fake.Close()
	wasm := githubWasm(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"call", "--mock", "--cache-dir", testCacheDir(), "--log-level", "error",
		wasm, "get_github_user", "--upstream", "https://api.github.com=" + fake.URL}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, stderr.String())
	}
	var res map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil || res["login"] != "octo-fake" {
		t.Fatalf("stdout is not the user: %v\n%s", err, stdout.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(auths) != 1 || auths[0] != "GET /user Bearer gho_mockGitHubToken123456789" {
		t.Errorf("the fake received %q, want one GET /user with mock mode's GitHub token", auths)
	}
	if out := stdout.String() + stderr.String(); strings.Contains(out, "gho_mock") || strings.Contains(out, "host-call-placeholder") {
		t.Errorf("a token was printed:\n%s", out)
	}

	// Arguments the schema refuses are the tool's error: exit 1, said on
	// stderr, and the fake is not called.
	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"call", "--mock", "--cache-dir", testCacheDir(), "--log-level", "error",
		"--args", `{"bogus":1}`, wasm, "get_github_user"}, nil, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "bogus") || stdout.Len() != 0 || len(auths) != 1 {
		t.Errorf("bad arguments: exit %d, stdout %q, stderr %q, fake calls %d", code, stdout.String(), stderr.String(), len(auths))
	}
	// Arguments that are not an object are the command's usage error.
	stderr.Reset()
	if code := run(context.Background(), []string{"call", "--mock", "--args", "[1]", wasm, "get_github_user"}, nil, &stdout, &stderr); code != exitUsage {
		t.Errorf("--args [1]: exit %d, want %d", code, exitUsage)
	}
	if code := run(context.Background(), []string{"call", "--mock", wasm}, nil, &stdout, &stderr); code != exitUsage {
		t.Errorf("no TOOL: exit %d, want %d", code, exitUsage)
	}
}

// TestDescribeCommand: "host describe" prints the plugin's checked
// descriptor as JSON.
func TestDescribeCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"describe", "--cache-dir", testCacheDir(), githubWasm(t)}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, stderr.String())
	}
	var d struct {
		Name, Provider, SHA256 string
		Tools                  []struct{ Name string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout.String())
	}
	if d.Name != "github" || d.Provider != "github" || len(d.SHA256) != 64 || len(d.Tools) < 2 {
		t.Errorf("descriptor = %+v", d)
	}
}
