package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// pluginBytes returns the bytes of a built plugin of dist/plugins.
func pluginBytes(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pluginsDir, name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// installPlugin puts data into dir/name the recommended way: written to a
// dotfile, then renamed into place.
func installPlugin(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// writeInPieces overwrites path in place, in pieces, as a copy does. (The
// pauses of a slow copy are the watcher's unit tests' business: there the
// quiet periods run on a clock of the test's own.)
func writeInPieces(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const pieces = 16
	step := (len(data) + pieces - 1) / pieces
	for off := 0; off < len(data); off += step {
		if _, err := f.Write(data[off:min(off+step, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
}

func (r *running) toolNames(t *testing.T) []string {
	t.Helper()
	res, err := r.session.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

// waitTools waits for list_changed notifications until the tool list is
// want: the host changes its list, then notifies.
func (r *running) waitTools(t *testing.T, changed <-chan struct{}, want ...string) {
	t.Helper()
	slices.Sort(want)
	deadline := time.After(waitLimit)
	for {
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no notifications/tools/list_changed to the tools %v; tools are %v", want, r.toolNames(t))
		}
		if slices.Equal(r.toolNames(t), want) {
			return
		}
	}
}

// logLine reports whether one line of logs contains every part.
func logLine(logs string, parts ...string) bool {
	for _, line := range strings.Split(logs, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

func drain(ch <-chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

var (
	githubTools = []string{"comment_github_issue", "create_github_issue", "get_github_file_contents", "get_github_issue",
		"get_github_pull_request", "get_github_user", "list_github_issues", "list_github_notifications",
		"list_github_pull_requests", "list_github_repos", "search_github_issues", "search_github_repos"} // sorted
	redditTools = []string{"get_reddit_post", "get_reddit_user", "list_subreddit_posts", "list_user_subreddits", "search_reddit"} // sorted
)

// Adding, replacing and removing plugin files while the host runs changes
// its tools, with notifications/tools/list_changed, and no restart.
func TestHotReload(t *testing.T) {
	for _, protocol := range []string{"", "2025-11-25"} {
		t.Run("protocol="+protocol, func(t *testing.T) {
			dir := t.TempDir()
			installPlugin(t, dir, "reddit.wasm", pluginBytes(t, "reddit"))
			gh, rd := fakeGitHub(t), fakeReddit(t)
			changed := make(chan struct{}, 64)
			r := startHost(t, hostOpts{
				mock: true, pluginsDir: dir, protocol: protocol,
				upstreams:     map[string]string{"https://api.github.com": gh.URL, "https://oauth.reddit.com": rd.URL},
				onListChanged: func() { changed <- struct{}{} },
			})
			if got := r.toolNames(t); !slices.Equal(got, redditTools) {
				t.Fatalf("tools at start = %v, want %v", got, redditTools)
			}

			// Add: github's plugin under another file name.
			installPlugin(t, dir, "extra.wasm", pluginBytes(t, "github"))
			r.waitTools(t, changed, append(githubTools, redditTools...)...)
			if res := r.call(t, "get_github_user", nil, meta("u1", "temp-token-u1-0001", "github")); res.IsError || structured(t, res)["login"] != "octocat" {
				t.Fatalf("the added tool failed: %s", text(res))
			}

			// Remove it.
			drain(changed)
			if err := os.Remove(filepath.Join(dir, "extra.wasm")); err != nil {
				t.Fatal(err)
			}
			r.waitTools(t, changed, redditTools...)

			// Replace reddit.wasm in place, slowly, with github's plugin: it is
			// loaded once, whole, and its tools replace reddit's.
			drain(changed)
			writeInPieces(t, filepath.Join(dir, "reddit.wasm"), pluginBytes(t, "github"))
			r.waitTools(t, changed, githubTools...)
			if res := r.call(t, "get_github_user", nil, meta("u1", "temp-token-u1-0001", "github")); res.IsError {
				t.Fatalf("the replacing tool failed: %s", text(res))
			}
			if _, err := r.session.CallTool(t.Context(), &mcp.CallToolParams{Name: "get_reddit_user", Meta: meta("u1", "temp-token-u1-0001", "reddit")}); err == nil {
				t.Errorf("the replaced plugin's tool is still callable")
			}
			// The line is written as the tools change: wait for the copier.
			r.stderr.waitFor(t, "log line of the replacement", func(logs string) bool {
				return logLine(logs, "plugin loaded", "reddit.wasm", "plugin=github", "replaced=true")
			})
			if logs := r.stderr.String(); strings.Contains(logs, "plugin not loaded") {
				t.Errorf("a file was loaded before it was complete:\n%s", logs)
			}
		})
	}
}

// Two files declaring the same plugin: the second is refused with a message
// naming both, and loaded once the first goes away.
func TestCollisionRefusedThenRetried(t *testing.T) {
	dir := t.TempDir()
	reddit := pluginBytes(t, "reddit")
	installPlugin(t, dir, "a-reddit.wasm", reddit)
	installPlugin(t, dir, "b-reddit.wasm", reddit)
	rd := fakeReddit(t)
	changed := make(chan struct{}, 64)
	r := startHost(t, hostOpts{
		mock: true, pluginsDir: dir,
		upstreams:     map[string]string{"https://oauth.reddit.com": rd.URL},
		onListChanged: func() { changed <- struct{}{} },
	})
	a, b, c := filepath.Join(dir, "a-reddit.wasm"), filepath.Join(dir, "b-reddit.wasm"), filepath.Join(dir, "c-reddit.wasm")
	refused := func(first, second string) bool {
		return logLine(r.stderr.String(), "plugin not loaded", "file="+second, `plugin name \"reddit\" is declared by both `+first+" and "+second)
	}
	r.stderr.waitFor(t, "refusal naming both files", func(string) bool { return refused(a, b) })
	if got := r.toolNames(t); !slices.Equal(got, redditTools) {
		t.Fatalf("tools = %v, want %v", got, redditTools)
	}

	// A third copy, added while running, is refused too.
	installPlugin(t, dir, "c-reddit.wasm", reddit)
	r.stderr.waitFor(t, "refusal of c-reddit.wasm", func(string) bool { return refused(a, c) })

	// Remove the loaded one: a refused one takes its place. Its tools are
	// registered before its log line.
	if err := os.Remove(a); err != nil {
		t.Fatal(err)
	}
	r.stderr.waitFor(t, "load of a refused copy", func(logs string) bool {
		return logLine(logs, "plugin loaded", "file="+b) || logLine(logs, "plugin loaded", "file="+c)
	})
	if got := r.toolNames(t); !slices.Equal(got, redditTools) {
		t.Fatalf("tools = %v, want reddit's: %v", got, redditTools)
	}
	if res := r.call(t, "get_reddit_user", nil, meta("u1", "temp-token-u1-0001", "reddit")); res.IsError {
		t.Fatalf("get_reddit_user after the retry: %s", text(res))
	}
}

// A plugin whose file does not match its pinned sha256 is refused with a
// clear message; the others are served.
func TestSHA256PinMismatch(t *testing.T) {
	sum := sha256.Sum256(pluginBytes(t, "reddit"))
	rd := fakeReddit(t)
	r := startHost(t, hostOpts{
		mock: true,
		extraYAML: "plugins:\n" +
			"  reddit:\n    sha256: " + hex.EncodeToString(sum[:]) + "\n" +
			"    upstreams: {\"https://oauth.reddit.com\": \"" + rd.URL + "\"}\n" +
			"  github:\n    sha256: \"" + strings.Repeat("0", 64) + "\"\n",
	})
	// The refusal is logged before the host serves, but its stderr reaches
	// the test through a copier of its own: wait for the line.
	refusal := regexp.MustCompile(`plugin not loaded" file=\S*github.wasm err="sha256 mismatch for plugin \\"github\\": the config pins 0{64}, the file has [0-9a-f]{64}"`)
	r.stderr.waitFor(t, "clear refusal of github", refusal.MatchString)
	if want := slices.Sorted(slices.Values(slices.Concat(redditTools, googleTools))); !slices.Equal(r.toolNames(t), want) {
		t.Fatalf("tools = %v, want reddit's and google's only: %v", r.toolNames(t), want)
	}
	if res := r.call(t, "get_reddit_user", nil, meta("u1", "temp-token-u1-0001", "reddit")); res.IsError {
		t.Fatalf("get_reddit_user: %s", text(res))
	}
}

// httpHost is bin/host serving streamable HTTP.
type httpHost struct {
	url    string // http://127.0.0.1:PORT/mcp
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
	err    error // of cmd.Wait, once exited is closed
}

var servingURL = regexp.MustCompile(`msg="serving MCP over streamable HTTP" url=(\S+)`)

// startHTTPHost runs bin/host serve --http on a free loopback port, with no
// drain at shutdown unless o.args sets --drain.
func startHTTPHost(t *testing.T, o hostOpts) *httpHost {
	t.Helper()
	o.args = append([]string{"--drain", "0"}, append(o.args, "--http", "127.0.0.1:0")...)
	cmd := hostCommand(t, o, "serve")
	h := &httpHost{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = h.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { h.err = cmd.Wait(); close(h.exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-h.exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-h.exited
		}
		if t.Failed() {
			t.Logf("host stderr:\n%s", h.stderr.String())
		}
	})
	deadline := time.After(waitLimit)
	for {
		logs, written := h.stderr.next()
		if m := servingURL.FindStringSubmatch(logs); m != nil {
			h.url = m[1]
			return h
		}
		select {
		case <-written:
		case <-h.exited:
			t.Fatalf("host exited: %v\n%s", h.err, h.stderr.String())
		case <-deadline:
			t.Fatalf("host did not start serving HTTP:\n%s", h.stderr.String())
		}
	}
}

// wait waits for the host to exit and returns its exit code.
func (h *httpHost) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-h.exited:
	case <-time.After(waitLimit):
		t.Fatalf("host did not exit:\n%s", h.stderr.String())
	}
	return h.cmd.ProcessState.ExitCode()
}

// bearerTransport adds a bearer token to every request.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func connectHTTP(t *testing.T, url, token, protocol string) (*mcp.ClientSession, error) {
	t.Helper()
	return connectHTTPWith(t, url, token, protocol, nil)
}

func connectHTTPWith(t *testing.T, url, token, protocol string, opts *mcp.ClientOptions) (*mcp.ClientSession, error) {
	t.Helper()
	tr := &mcp.StreamableClientTransport{Endpoint: url, MaxRetries: -1}
	if token != "" {
		tr.HTTPClient = &http.Client{Transport: bearerTransport{token}}
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e-http", Version: "1"}, opts)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: protocol})
	if err == nil {
		t.Cleanup(func() { s.Close() })
	}
	return s, err
}

// rawPost sends one JSON-RPC message to the endpoint, with headers.
func rawPost(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// The streamable HTTP transport serves the same tools with the same _meta
// contract, behind a bearer token, and refuses DNS rebinding.
func TestStreamableHTTP(t *testing.T) {
	const token = "inbound-Secret-0123456789"
	gh := fakeGitHub(t)
	h := startHTTPHost(t, hostOpts{
		mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL},
		env: []string{"WASMCP_HTTP_TOKEN=" + token},
	})

	for _, protocol := range []string{"", "2025-11-25"} {
		t.Run("protocol="+protocol, func(t *testing.T) {
			s, err := connectHTTP(t, h.url, token, protocol)
			if err != nil {
				t.Fatalf("connecting with the token: %v", err)
			}
			before := len(gh.requests())
			res, err := s.CallTool(t.Context(), &mcp.CallToolParams{Name: "get_github_user", Meta: meta("alice", "temp-alice-token-01", "github")})
			if err != nil {
				t.Fatal(err)
			}
			if res.IsError || structured(t, res)["login"] != "octocat" {
				t.Fatalf("get_github_user over HTTP: %s", text(res))
			}
			reqs := gh.requests()[before:]
			if len(reqs) != 1 || reqs[0].Auth != "Bearer "+mockGitHub {
				t.Fatalf("the API got %+v, want one request with the provider token", reqs)
			}
			// The _meta contract holds over HTTP too.
			res, err = s.CallTool(t.Context(), &mcp.CallToolParams{Name: "get_github_user", Meta: map[string]any{"userId": "alice", "providerId": "github"}})
			if err != nil || !res.IsError || structured(t, res)["error"] != "missing_parameters" {
				t.Fatalf("a call without userToken: err=%v result=%s", err, text(res))
			}
		})
	}

	t.Run("no token", func(t *testing.T) {
		if _, err := connectHTTP(t, h.url, "", ""); err == nil {
			t.Fatal("a client without the token connected")
		}
		resp := rawPost(t, h.url, nil)
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
			t.Fatalf("no token: %d, WWW-Authenticate %q; want 401 with a Bearer challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		resp = rawPost(t, h.url, map[string]string{"Authorization": "Bearer wrong-token"})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("wrong token: %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		if resp := rawPost(t, h.url, map[string]string{"Authorization": "Bearer " + token}); resp.StatusCode != http.StatusOK {
			t.Fatalf("right token: %d, want 200", resp.StatusCode)
		}
	})

	t.Run("dns rebinding", func(t *testing.T) {
		port := h.url[strings.LastIndex(h.url, ":"):]
		port = strings.TrimSuffix(port, "/mcp")
		auth := "Bearer " + token
		for _, c := range []struct {
			header map[string]string
			want   int
		}{
			{map[string]string{"Host": "evil.example" + port}, http.StatusForbidden},
			{map[string]string{"Host": "evil.example"}, http.StatusForbidden},
			{map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
			{map[string]string{"Origin": "null"}, http.StatusForbidden},
			{map[string]string{"Host": "localhost" + port, "Origin": "http://localhost" + port}, http.StatusOK},
			{map[string]string{"Origin": "http://127.0.0.1:3000"}, http.StatusOK},
		} {
			c.header["Authorization"] = auth
			if resp := rawPost(t, h.url, c.header); resp.StatusCode != c.want {
				t.Errorf("headers %v: status %d, want %d", c.header, resp.StatusCode, c.want)
			}
		}
	})

	t.Run("healthz", func(t *testing.T) {
		resp, err := http.Get(strings.TrimSuffix(h.url, "/mcp") + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Status  string
			Plugins int
		}
		json.NewDecoder(resp.Body).Decode(&body)
		files, _ := filepath.Glob(filepath.Join(pluginsDir, "*.wasm"))
		if resp.StatusCode != 200 || body.Status != "ok" || body.Plugins != len(files) {
			t.Fatalf("/healthz: %d %+v", resp.StatusCode, body)
		}
	})

	if strings.Contains(h.stderr.String(), token) {
		t.Errorf("the inbound token appears in the logs")
	}
}

// Over HTTP, a client on protocol 2026-07-28 gets list_changed through
// subscriptions/listen, and that open stream does not hold up shutdown.
func TestHTTPListChanged(t *testing.T) {
	dir := t.TempDir()
	installPlugin(t, dir, "reddit.wasm", pluginBytes(t, "reddit"))
	h := startHTTPHost(t, hostOpts{mock: true, pluginsDir: dir})
	changed := make(chan struct{}, 16)
	s, err := connectHTTPWith(t, h.url, "", "", &mcp.ClientOptions{
		ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) { changed <- struct{}{} },
	})
	if err != nil {
		t.Fatal(err)
	}
	installPlugin(t, dir, "github.wasm", pluginBytes(t, "github"))
	select {
	case <-changed:
	case <-time.After(30 * time.Second):
		t.Fatal("no notifications/tools/list_changed over HTTP")
	}
	res, err := s.ListTools(t.Context(), nil)
	if err != nil || len(res.Tools) != len(githubTools)+len(redditTools) {
		t.Fatalf("tools after the add: %v, %v", res, err)
	}
	h.cmd.Process.Signal(syscall.SIGTERM)
	if code := h.wait(t); code != 0 {
		t.Fatalf("host exited with %d", code)
	}
	// Had the open stream held up the shutdown, the grace would have run
	// out, and the host said so.
	if logs := h.stderr.String(); strings.Contains(logs, "shutdown grace period over") {
		t.Errorf("the shutdown waited out its grace with a listen stream open:\n%s", logs)
	}
}

// --http-token-file takes precedence over the environment.
func TestHTTPTokenFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("from-the-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startHTTPHost(t, hostOpts{mock: true, args: []string{"--http-token-file", file}, env: []string{"WASMCP_HTTP_TOKEN=from-the-env"}})
	if resp := rawPost(t, h.url, map[string]string{"Authorization": "Bearer from-the-env"}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the environment's token: %d, want 401", resp.StatusCode)
	}
	if resp := rawPost(t, h.url, map[string]string{"Authorization": "Bearer from-the-file"}); resp.StatusCode != http.StatusOK {
		t.Errorf("the file's token: %d, want 200", resp.StatusCode)
	}
}
