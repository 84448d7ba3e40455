// Package e2e drives the real host binary with the official MCP Go SDK
// client over stdio (CommandTransport), against httptest fakes of the token
// backend and the provider APIs. Build first: make build (make test does).
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var (
	repoRoot   string
	hostBin    string
	pluginsDir string
	cacheDir   string
)

func TestMain(m *testing.M) {
	wd, _ := os.Getwd()
	repoRoot = filepath.Dir(wd)
	hostBin = filepath.Join(repoRoot, "bin", "host")
	pluginsDir = filepath.Join(repoRoot, "dist", "plugins")
	for _, f := range []string{hostBin, filepath.Join(pluginsDir, "reddit.wasm"), filepath.Join(pluginsDir, "github.wasm")} {
		if _, err := os.Stat(f); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: %s is missing: run `make build` first (`make test` does)\n", f)
			os.Exit(1)
		}
	}
	dir, err := os.MkdirTemp("", "wasmcp-e2e-cache-")
	if err != nil {
		panic(err)
	}
	cacheDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// recorded is one request a fake received.
type recorded struct {
	Method, Path, Query, Auth, UserAgent, Accept string
	Header                                       http.Header
	Body                                         string
}

// fake is an httptest server that records every request and answers with
// its handler.
type fake struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newFake(t *testing.T, h http.HandlerFunc) *fake {
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Auth: r.Header.Get("Authorization"), UserAgent: r.UserAgent(), Accept: r.Header.Get("Accept"),
			Header: r.Header.Clone(), Body: string(body),
		})
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fakeGitHub answers like api.github.com for the two endpoints the plugin uses.
func fakeGitHub(t *testing.T) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/user":
			writeJSON(w, 200, map[string]any{"login": "octocat", "id": 1, "name": "The Octocat", "public_repos": 8, "followers": 10, "html_url": "https://github.com/octocat"})
		case "/user/repos":
			writeJSON(w, 200, []map[string]any{{"full_name": "octocat/hello", "private": false, "stargazers_count": 3, "language": "Go", "html_url": "https://github.com/octocat/hello"}})
		default:
			writeJSON(w, 404, map[string]any{"message": "Not Found"})
		}
	})
}

// fakeReddit answers like oauth.reddit.com.
func fakeReddit(t *testing.T) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/me":
			writeJSON(w, 200, map[string]any{"name": "spez", "id": "abc", "link_karma": 5, "comment_karma": 7, "total_karma": 12, "created_utc": 1118030400.0})
		case "/subreddits/mine/subscriber":
			writeJSON(w, 200, map[string]any{"kind": "Listing", "data": map[string]any{"after": nil, "children": []any{
				map[string]any{"kind": "t5", "data": map[string]any{"display_name": "golang", "title": "The Go Programming Language", "subscribers": 250000, "url": "/r/golang/"}},
			}}})
		default:
			writeJSON(w, 404, map[string]any{"message": "Not Found", "error": 404})
		}
	})
}

// hostOpts says how to start the host.
type hostOpts struct {
	mock          bool
	backendURL    string
	upstreams     map[string]string // declared base → fake URL
	extraYAML     string
	args          []string
	env           []string
	protocol      string // "" = the SDK's default
	onListChanged func()
	pluginsDir    string
}

// running is a started host with its client session.
type running struct {
	session *mcp.ClientSession
	stderr  *syncBuffer
	cmd     *exec.Cmd
}

// syncBuffer is a bytes.Buffer safe for the process's stderr copier, that
// says when it is written to.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed by the next Write; made by next
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		close(s.written)
		s.written = nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// next returns what was written so far, and a channel closed by the next
// Write.
func (s *syncBuffer) next() (string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written == nil {
		s.written = make(chan struct{})
	}
	return s.b.String(), s.written
}

// waitFor waits until cond holds of what was written, checking again after
// each write: the host's log lines are its events.
func (s *syncBuffer) waitFor(t *testing.T, what string, cond func(logs string) bool) {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		logs, written := s.next()
		if cond(logs) {
			return
		}
		select {
		case <-written:
		case <-deadline:
			t.Fatalf("no %s in the host's logs:\n%s", what, logs)
		}
	}
}

// waitLimit bounds every wait for an event of the host: only a failure
// reaches it.
const waitLimit = time.Minute

func writeConfig(t *testing.T, o hostOpts) string {
	var b strings.Builder
	if len(o.upstreams) > 0 {
		b.WriteString("plugins:\n")
		byPlugin := map[string][]string{}
		for from, to := range o.upstreams {
			name := "github"
			if strings.Contains(from, "reddit") {
				name = "reddit"
			}
			byPlugin[name] = append(byPlugin[name], fmt.Sprintf("        %q: %q\n", from, to))
		}
		for name, lines := range byPlugin {
			fmt.Fprintf(&b, "  %s:\n    upstreams:\n%s", name, strings.Join(lines, ""))
		}
	}
	b.WriteString(o.extraYAML)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostCommand builds the command line of a host with o.
func hostCommand(t *testing.T, o hostOpts, sub ...string) *exec.Cmd {
	dir := o.pluginsDir
	if dir == "" {
		dir = pluginsDir
	}
	args := append([]string{}, sub...)
	args = append(args, "--plugins", dir, "--config", writeConfig(t, o), "--cache-dir", cacheDir)
	if o.mock {
		args = append(args, "--mock")
	}
	if o.backendURL != "" {
		args = append(args, "--backend-url", o.backendURL)
	}
	args = append(args, o.args...)
	cmd := exec.Command(hostBin, args...)
	cmd.Env = append(cleanEnv(), o.env...)
	return cmd
}

// cleanEnv is the test's environment without the host's own variables.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OAUTH_BACKEND_") || strings.HasPrefix(kv, "LOG_LEVEL=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// startHost runs bin/host serve and connects the SDK client to it.
func startHost(t *testing.T, o hostOpts) *running {
	t.Helper()
	cmd := hostCommand(t, o, "serve")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	copts := &mcp.ClientOptions{}
	if o.onListChanged != nil {
		copts.ToolListChangedHandler = func(context.Context, *mcp.ToolListChangedRequest) { o.onListChanged() }
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, copts)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	session, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, &mcp.ClientSessionOptions{ProtocolVersion: o.protocol})
	if err != nil {
		t.Fatalf("connecting to host: %v\nstderr:\n%s", err, stderr.String())
	}
	r := &running{session: session, stderr: stderr, cmd: cmd}
	t.Cleanup(func() {
		session.Close()
		if t.Failed() {
			t.Logf("host stderr:\n%s", stderr.String())
		}
	})
	return r
}

// call calls a tool with _meta and returns the result; a protocol error
// fails the test.
func (r *running) call(t *testing.T, tool string, args map[string]any, meta map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var arguments any // a nil map would go out as "arguments": null, which the host refuses
	if args != nil {
		arguments = args
	}
	res, err := r.session.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: arguments, Meta: meta})
	if err != nil {
		t.Fatalf("tools/call %s: %v", tool, err)
	}
	return res
}

func meta(user, token, provider string) map[string]any {
	return map[string]any{"userId": user, "userToken": token, "providerId": provider}
}

// text returns the concatenated text content of a result.
func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// structured returns the structuredContent of a result as a map.
func structured(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("structuredContent is not an object: %s", raw)
	}
	return m
}

// resultJSON is the whole result as the client received it, for leak checks.
func resultJSON(t *testing.T, res *mcp.CallToolResult) string {
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// backend is a fake token backend: it hands out tokens by (user, temp token,
// provider), or answers with status.
type backend struct {
	*fake
}

func newBackend(t *testing.T, h http.HandlerFunc) *backend {
	return &backend{newFake(t, h)}
}

// tokenFor is the access token the default backend gives a user.
func tokenFor(user, provider string) string {
	return "at_" + provider + "_" + user + "_s3cr3t"
}

func defaultBackend(t *testing.T) *backend {
	return newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		var body struct{ UserID, UserToken, ProviderID string }
		if r.URL.Path != "/api/connectors/requestAuth" || r.Method != http.MethodPost {
			writeJSON(w, 404, map[string]any{"error": "not found"})
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.UserToken == "" {
			writeJSON(w, 400, map[string]any{"error": "bad request"})
			return
		}
		if body.UserToken == "expired-temp-token" {
			writeJSON(w, 401, map[string]any{"error": "invalid token"})
			return
		}
		writeJSON(w, 200, map[string]any{"accessToken": tokenFor(body.UserID, body.ProviderID)})
	})
}
