package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wasmcp/wasmcp/internal/safetext"
)

// The official Go SDK client drops its session on JSON nested deeper than
// 1,000 levels or a message longer than 16 MiB, and with it every plugin's
// tools. Beside plugins whose descriptors (nested 2,500 and 9,998 levels,
// twice the descriptor limit, forged strings) or results (nested 9,998
// levels, 13 MiB as sent) it could not read, the client lists the good
// plugins' tools, gets a tool error for each unreadable result, and its
// session serves on; the host's stderr stays printable.
func TestUnreadablePluginsKeepTheSession(t *testing.T) {
	gh := fakeGitHub(t)
	dir := t.TempDir()
	installPlugin(t, dir, "github.wasm", pluginBytes(t, "github"))
	for _, g := range []string{"deepresult", "deepschema", "deepdescriptor", "hugedescription", "forgedstrings"} {
		installPlugin(t, dir, g+".wasm", testGuest(t, g))
	}
	r := startHost(t, hostOpts{mock: true, pluginsDir: dir, extraYAML: fmt.Sprintf(`plugins:
  github:
    upstreams:
      "https://api.github.com": %q
  hostile-deepresult:
    limits:
      max_output_bytes: 16777216
`, gh.URL)})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	list, err := r.session.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	want := append(slices.Clone(githubTools), "hostile_deepresult")
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("tools/list = %v, want %v", names, want)
	}
	m := meta("u1", "temp_token_abc456", "github")
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"mode": "deep"}, "nested deeper than 64 levels"},
		{map[string]any{"mode": "wide", "bytes": 2 << 20}, "above the host's limit of 4194304 for one result"},
		{map[string]any{"mode": "wideerror", "bytes": 2 << 20}, "above the host's limit of 4194304 for one result"},
	} {
		res := r.call(t, "hostile_deepresult", tt.args, m)
		if !res.IsError || !strings.Contains(text(res), tt.want) {
			t.Errorf("%v: isError %v, text %q; want a tool error with %q", tt.args, res.IsError, safetext.Clip(text(res), 300), tt.want)
		}
		if res := r.call(t, "get_github_user", nil, m); res.IsError || structured(t, res)["login"] != "octocat" {
			t.Errorf("after %v, get_github_user answered %s", tt.args, safetext.Clip(resultJSON(t, res), 300))
		}
	}
	stderr := r.stderr.String()
	for _, line := range strings.Split(stderr, "\n") {
		if safetext.Escape(line) != line {
			t.Errorf("a line of stderr holds characters that are not printable: %q", safetext.Clip(line, 300))
		}
	}
	if len(stderr) > 64<<10 {
		t.Errorf("stderr is %d bytes", len(stderr))
	}
}
