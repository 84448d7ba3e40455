package e2e

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// inventoryConfig maps github's API to an enterprise server and lowers its
// request budget, so both show in the inventory.
const inventoryConfig = `plugins:
  github:
    upstreams:
      "https://api.github.com": "https://ghe.example.com/api/v3"
    limits:
      max_http_requests: 4
`

// inventoryDir is a plugin folder with github, reddit and a file that is not
// Wasm at all.
func inventoryDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	installPlugin(t, dir, "github.wasm", pluginBytes(t, "github"))
	installPlugin(t, dir, "reddit.wasm", pluginBytes(t, "reddit"))
	installPlugin(t, dir, "bad.wasm", []byte("this is not a WebAssembly module\n"))
	return dir
}

// runPlugins runs bin/host plugins on dir and returns its stdout, stderr and
// exit code.
func runPlugins(t *testing.T, dir string, extra ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := hostCommand(t, hostOpts{pluginsDir: dir, extraYAML: inventoryConfig, args: extra}, "plugins")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running host plugins: %v", err)
	}
	return out.String(), errOut.String(), code
}

// host plugins lists every plugin of the folder, after the config's
// upstreams and limits, and the files that failed with their reason; a
// failure makes it exit 1.
func TestPluginsInventory(t *testing.T) {
	dir := inventoryDir(t)

	t.Run("table", func(t *testing.T) {
		out, errOut, code := runPlugins(t, dir)
		if code != 1 {
			t.Errorf("exit code %d, want 1 (bad.wasm failed to load)\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if !logLine(out, "github", "0.1.0", "https://ghe.example.com/api/v3", "get_github_user,list_github_repos", "github.wasm") {
			t.Errorf("no table row for github with the mapped host https://ghe.example.com/api/v3:\n%s", out)
		}
		if logLine(out, "https://api.github.com") {
			t.Errorf("the table shows github's declared host, not the upstream it is mapped to:\n%s", out)
		}
		if !logLine(out, "reddit", "0.1.0", "https://oauth.reddit.com", "get_reddit_user,list_user_subreddits", "reddit.wasm") {
			t.Errorf("no table row for reddit:\n%s", out)
		}
		if !logLine(out, "FAILED", "bad.wasm", "not a WebAssembly module") {
			t.Errorf("the table does not list bad.wasm with its reason:\n%s", out)
		}
		if !strings.Contains(errOut, "1 plugin(s) failed to load") {
			t.Errorf("stderr does not say a plugin failed:\n%s", errOut)
		}
	})

	t.Run("json", func(t *testing.T) {
		out, errOut, code := runPlugins(t, dir, "--json")
		if code != 1 {
			t.Errorf("exit code %d, want 1 (bad.wasm failed to load)\nstderr:\n%s", code, errOut)
		}
		type limits struct {
			Timeout              string `json:"timeout"`
			MemoryMiB            *int   `json:"memory_mib"`
			MaxOutputBytes       *int64 `json:"max_output_bytes"`
			MaxHTTPResponseBytes *int64 `json:"max_http_response_bytes"`
			MaxHTTPRequests      *int   `json:"max_http_requests"`
		}
		var rows []struct {
			File     string   `json:"file"`
			Name     string   `json:"name"`
			Version  string   `json:"version"`
			Provider string   `json:"provider"`
			Hosts    []string `json:"hosts"`
			Tools    []string `json:"tools"`
			Limits   *limits  `json:"limits"`
			SHA256   string   `json:"sha256"`
			Error    string   `json:"error"`
		}
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rows); err != nil {
			t.Fatalf("--json output is not an array of plugins: %v\n%s", err, out)
		}
		want := map[string]struct {
			version, provider string
			hosts, tools      []string
			requests          int
		}{
			"github.wasm": {"0.1.0", "github", []string{"https://ghe.example.com/api/v3"}, githubTools, 4},
			"reddit.wasm": {"0.1.0", "reddit", []string{"https://oauth.reddit.com"}, redditTools, 16},
		}
		seen := map[string]bool{}
		for _, r := range rows {
			base := filepath.Base(r.File)
			seen[base] = true
			if base == "bad.wasm" {
				if r.Error == "" || !strings.Contains(r.Error, "not a WebAssembly module") {
					t.Errorf("bad.wasm: error %q, want the reason it is not a WebAssembly module", r.Error)
				}
				if r.Name != "" || r.SHA256 != "" || r.Limits != nil {
					t.Errorf("bad.wasm: a failed file has plugin fields: %+v", r)
				}
				continue
			}
			w, ok := want[base]
			if !ok {
				t.Errorf("unexpected row for file %q: %+v", r.File, r)
				continue
			}
			name := strings.TrimSuffix(base, ".wasm")
			if r.Error != "" {
				t.Errorf("%s: error %q, want none", base, r.Error)
			}
			if r.Name != name || r.Version != w.version || r.Provider != w.provider {
				t.Errorf("%s: name/version/provider = %q/%q/%q, want %q/%q/%q", base, r.Name, r.Version, r.Provider, name, w.version, w.provider)
			}
			if !slices.Equal(r.Hosts, w.hosts) {
				t.Errorf("%s: hosts = %v, want %v (after upstreams)", base, r.Hosts, w.hosts)
			}
			if tools := slices.Sorted(slices.Values(r.Tools)); !slices.Equal(tools, w.tools) {
				t.Errorf("%s: tools = %v, want %v", base, r.Tools, w.tools)
			}
			if l := r.Limits; l == nil || l.MemoryMiB == nil || l.MaxOutputBytes == nil || l.MaxHTTPResponseBytes == nil || l.MaxHTTPRequests == nil {
				t.Errorf("%s: limits %+v lack a key (want timeout, memory_mib, max_output_bytes, max_http_response_bytes, max_http_requests)", base, r.Limits)
			} else {
				if l.Timeout != "30s" || *l.MemoryMiB != 64 || *l.MaxOutputBytes != 1<<20 || *l.MaxHTTPResponseBytes != 4<<20 {
					t.Errorf("%s: limits timeout=%q memory_mib=%d max_output_bytes=%d max_http_response_bytes=%d, want the defaults 30s/64/1048576/4194304",
						base, l.Timeout, *l.MemoryMiB, *l.MaxOutputBytes, *l.MaxHTTPResponseBytes)
				}
				if *l.MaxHTTPRequests != w.requests {
					t.Errorf("%s: max_http_requests = %d, want %d", base, *l.MaxHTTPRequests, w.requests)
				}
			}
			sum := sha256.Sum256(pluginBytes(t, name))
			if r.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: sha256 = %q, want the file's %x", base, r.SHA256, sum)
			}
		}
		for _, f := range []string{"github.wasm", "reddit.wasm", "bad.wasm"} {
			if !seen[f] {
				t.Errorf("no row for %s in:\n%s", f, out)
			}
		}
		if len(rows) != 3 {
			t.Errorf("%d rows, want 3:\n%s", len(rows), out)
		}
	})
}

// With --log-format json every line of stderr is a JSON object, and each
// tool call, served or refused, logs exactly one "tool call" line with its
// fields. No token reaches the logs.
func TestJSONLogs(t *testing.T) {
	gh := fakeGitHub(t)
	r := startHost(t, hostOpts{
		mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL},
		args: []string{"--log-format", "json"},
	})
	const userToken = "temp-json-Secret-42"
	if res := r.call(t, "get_github_user", nil, meta("alice", userToken, "github")); res.IsError || structured(t, res)["login"] != "octocat" {
		t.Fatalf("the good call failed: %s", text(res))
	}
	if res := r.call(t, "list_github_repos", nil, nil); !res.IsError || structured(t, res)["error"] != "missing_parameters" {
		t.Fatalf("the call without _meta was not refused with missing_parameters: %s", text(res))
	}
	// Closing the session waits for the host to exit, so stderr is complete.
	r.session.Close()
	if r.cmd.ProcessState == nil {
		t.Fatal("the host has not exited after the session closed")
	}

	logs := r.stderr.String()
	var calls []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("stderr line %d is not a JSON object (%v): %s", n, err, sc.Text())
			continue
		}
		if line["msg"] == "tool call" {
			calls = append(calls, line)
		}
	}
	if n == 0 {
		t.Fatal("no log lines at all")
	}
	want := map[string]struct{ plugin, userID, outcome string }{
		"get_github_user":   {"github", "alice", "ok"},
		"list_github_repos": {"github", "", "missing_parameters"},
	}
	if len(calls) != len(want) {
		t.Errorf("%d \"tool call\" lines, want one per call (%d):\n%s", len(calls), len(want), logs)
	}
	seen := map[string]int{}
	for _, c := range calls {
		tool, _ := c["tool"].(string)
		seen[tool]++
		w, ok := want[tool]
		if !ok {
			t.Errorf("a \"tool call\" line for an unexpected tool: %v", c)
			continue
		}
		for _, k := range []string{"tool", "plugin", "provider", "userId", "outcome", "latency_ms"} {
			if _, ok := c[k]; !ok {
				t.Errorf("%s: the \"tool call\" line lacks %q: %v", tool, k, c)
			}
		}
		if c["plugin"] != w.plugin || c["provider"] != "github" || c["userId"] != w.userID || c["outcome"] != w.outcome {
			t.Errorf("%s: plugin=%v provider=%v userId=%v outcome=%v, want %s/github/%q/%s",
				tool, c["plugin"], c["provider"], c["userId"], c["outcome"], w.plugin, w.userID, w.outcome)
		}
		if ms, ok := c["latency_ms"].(float64); !ok || ms < 0 {
			t.Errorf("%s: latency_ms = %#v, want a non-negative number", tool, c["latency_ms"])
		}
	}
	for tool := range want {
		if seen[tool] != 1 {
			t.Errorf("%d \"tool call\" lines for %s, want 1", seen[tool], tool)
		}
	}
	for _, secret := range []string{mockGitHub, userToken} {
		if strings.Contains(logs, secret) {
			t.Errorf("a token (%q) appears in the logs", secret)
		}
	}
}
