package e2e

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// testGuest returns the bytes of dist/testguests/name.wasm, built by make.
func testGuest(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "dist", "testguests", name+".wasm"))
	if err != nil {
		t.Fatalf("%v: run `make dist/testguests/%s.wasm` (`make test` builds every test guest)", err, name)
	}
	return data
}

// buildVersioned builds testdata/guests/versioned with its version set to
// v, into a temporary folder, and returns the module's bytes.
//
// The versions are built here from one source, with -X main.version, rather
// than kept as two guest folders: two copies of the source could drift apart,
// and the Makefile would build both for every test run. The go command is the
// one on PATH, the same that builds the host; its build cache makes the
// second build, and every later run, quick.
func buildVersioned(t *testing.T, v string) []byte {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH to build the versioned guest: %v", err)
	}
	out := filepath.Join(t.TempDir(), "versioned.wasm")
	cmd := exec.Command(goBin, "build", "-buildmode=c-shared", "-trimpath",
		"-ldflags", "-s -w -X main.version="+v, "-o", out, "./testdata/guests/versioned")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the versioned guest at version %s: %v\n%s", v, err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// holdingGitHub is a GitHub API whose /hold answers only once release is
// closed, and says on held when a request for it arrives.
func holdingGitHub(t *testing.T) (api *fake, held <-chan struct{}, release chan struct{}) {
	heldCh := make(chan struct{}, 16)
	release = make(chan struct{})
	api = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/hold" {
			writeJSON(w, 404, map[string]any{"message": "Not Found"})
			return
		}
		heldCh <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		writeJSON(w, 200, map[string]any{"held": true})
	})
	return api, heldCh, release
}

// resultOrNil is the text of a result that may be missing.
func resultOrNil(res *mcp.CallToolResult) string {
	if res == nil {
		return "<none>"
	}
	return text(res)
}

// Replacing a plugin's file with a newer version of the same plugin, with a
// call in flight: clients get list_changed, new calls run on the new
// version, and the call in flight finishes on the version it started on.
func TestHotReplaceSamePluginNewVersion(t *testing.T) {
	v1, v2 := buildVersioned(t, "1"), buildVersioned(t, "2")
	dir := t.TempDir()
	installPlugin(t, dir, "versioned.wasm", v1)

	// The slow call is held open by the fake API rather than by a sleep in
	// the guest, so it is in flight for certain, however slow the reload is
	// on a loaded machine, until the test lets it finish.
	api, held, release := holdingGitHub(t)
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
	})
	changed := make(chan struct{}, 64)
	r := startHost(t, hostOpts{
		mock: true, pluginsDir: dir,
		// upstreams are per plugin name; the harness's upstreams field
		// configures the github and reddit plugins only.
		extraYAML:     "plugins:\n  versioned:\n    upstreams: {\"https://api.github.com\": \"" + api.URL + "\"}\n",
		onListChanged: func() { changed <- struct{}{} },
	})
	if got := r.toolNames(t); !slices.Equal(got, []string{"which_version"}) {
		t.Fatalf("tools at start = %v, want [which_version]", got)
	}
	version := func(res *mcp.CallToolResult) any { return structured(t, res)["version"] }
	if res := r.call(t, "which_version", nil, meta("u1", "temp-token-u1-0001", "github")); res.IsError || version(res) != "1" {
		t.Fatalf("before the replacement: %s, want version 1", text(res))
	}

	type result struct {
		res *mcp.CallToolResult
		err error
	}
	inFlight := make(chan result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		res, err := r.session.CallTool(ctx, &mcp.CallToolParams{Name: "which_version", Arguments: map[string]any{"hold": true}, Meta: meta("u2", "temp-token-u2-0002", "github")})
		inFlight <- result{res, err}
	}()
	select {
	case <-held:
	case got := <-inFlight:
		t.Fatalf("the slow call on version 1 ended before reaching the API: err=%v result=%s", got.err, resultOrNil(got.res))
	case <-time.After(30 * time.Second):
		t.Fatal("the slow call on version 1 never reached the API")
	}

	// Install version 2 the recommended way: a dotfile, renamed into place.
	drain(changed)
	tmp := filepath.Join(dir, ".versioned.wasm.tmp")
	if err := os.WriteFile(tmp, v2, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "versioned.wasm")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(30 * time.Second):
		t.Fatalf("no notifications/tools/list_changed after the replacement\nhost stderr:\n%s", r.stderr.String())
	}
	r.stderr.waitFor(t, "log line of version 2 replacing version 1", func(logs string) bool {
		return logLine(logs, "plugin loaded", "versioned.wasm", "plugin=versioned", "version=2", "replaced=true")
	})
	if got := r.toolNames(t); !slices.Equal(got, []string{"which_version"}) {
		t.Fatalf("tools after the replacement = %v, want [which_version]", got)
	}
	select {
	case got := <-inFlight:
		t.Fatalf("the call in flight ended before it was released: err=%v result=%s", got.err, resultOrNil(got.res))
	default:
	}
	for _, user := range []string{"u1", "u3"} { // a user with an instance of v1, and a new one
		if res := r.call(t, "which_version", nil, meta(user, "temp-token-of-"+user, "github")); res.IsError || version(res) != "2" {
			t.Fatalf("a new call by %s after the replacement: %s, want version 2", user, text(res))
		}
	}

	close(release)
	released = true
	var got result
	select {
	case got = <-inFlight:
	case <-time.After(60 * time.Second):
		t.Fatal("the call in flight never finished")
	}
	if got.err != nil {
		t.Fatalf("the call in flight failed: %v", got.err)
	}
	if got.res.IsError || version(got.res) != "1" {
		t.Fatalf("the call in flight: %s, want success on version 1", text(got.res))
	}
	if res := r.call(t, "which_version", nil, meta("u2", "temp-token-u2-0002", "github")); res.IsError || version(res) != "2" {
		t.Fatalf("a call after the one in flight finished: %s, want version 2", text(res))
	}
	if logs := r.stderr.String(); strings.Contains(logs, "plugin not loaded") || strings.Contains(logs, "plugin call failed") {
		t.Errorf("the replacement logged a failure:\n%s", logs)
	}
}

// Two different plugins declaring the same tool name: the one loaded second
// is refused, whole, with a message naming both files, and the first keeps
// serving the tool. When the first goes away, the refused one takes its
// place.
//
// Files are loaded in sorted order at start, so the first is the one whose
// name sorts first: the guest's file is named to sort after github.wasm.
func TestToolNameCollisionBetweenPlugins(t *testing.T) {
	dir := t.TempDir()
	dupe := testGuest(t, "dupetool")
	installPlugin(t, dir, "github.wasm", pluginBytes(t, "github"))
	installPlugin(t, dir, "z-dupetool.wasm", dupe)
	gh := fakeGitHub(t)
	changed := make(chan struct{}, 64)
	r := startHost(t, hostOpts{
		mock: true, pluginsDir: dir,
		upstreams:     map[string]string{"https://api.github.com": gh.URL},
		onListChanged: func() { changed <- struct{}{} },
	})
	github, z, d := filepath.Join(dir, "github.wasm"), filepath.Join(dir, "z-dupetool.wasm"), filepath.Join(dir, "dupetool.wasm")
	refused := func(first, second string) bool {
		return logLine(r.stderr.String(), "plugin not loaded", "file="+second, `tool \"get_github_user\" is declared by both `+first+" and "+second)
	}
	// The host logs the refusal before it serves, but its stderr reaches
	// the test through a pipe: wait for the line, as for any event.
	r.stderr.waitFor(t, "refusal naming both files", func(string) bool { return refused(github, z) })
	if got := r.toolNames(t); !slices.Equal(got, githubTools) {
		t.Fatalf("tools = %v, want github's only: %v", got, githubTools)
	}
	servedByGitHub := func(when string) {
		t.Helper()
		before := len(gh.requests())
		res := r.call(t, "get_github_user", nil, meta("u1", "temp-token-u1-0001", "github"))
		if res.IsError || structured(t, res)["login"] != "octocat" {
			t.Fatalf("%s: get_github_user = %s, want the fake API's login octocat (served by the github plugin)", when, text(res))
		}
		if n := len(gh.requests()) - before; n != 1 {
			t.Fatalf("%s: get_github_user made %d API requests, want 1", when, n)
		}
	}
	servedByGitHub("at start")

	// A copy whose name sorts before github.wasm, added while running, is
	// refused too: the plugin loaded first keeps the tool.
	installPlugin(t, dir, "dupetool.wasm", dupe)
	r.stderr.waitFor(t, "refusal of dupetool.wasm", func(string) bool { return refused(github, d) })
	if got := r.toolNames(t); !slices.Equal(got, githubTools) {
		t.Fatalf("tools after adding dupetool.wasm = %v, want %v", got, githubTools)
	}
	servedByGitHub("after adding dupetool.wasm")

	// Remove github.wasm: a refused dupetool file is loaded in its place and
	// serves get_github_user itself.
	drain(changed)
	if err := os.Remove(github); err != nil {
		t.Fatal(err)
	}
	r.waitTools(t, changed, "get_github_user")
	r.stderr.waitFor(t, "load of a refused dupetool file", func(logs string) bool {
		return logLine(logs, "plugin loaded", "file="+d, "plugin=dupetool") ||
			logLine(logs, "plugin loaded", "file="+z, "plugin=dupetool")
	})
	before := len(gh.requests())
	if res := r.call(t, "get_github_user", nil, meta("u1", "temp-token-u1-0001", "github")); res.IsError || structured(t, res)["served_by"] != "dupetool" {
		t.Fatalf("get_github_user after github.wasm went away: %s, want dupetool's answer", text(res))
	}
	if n := len(gh.requests()) - before; n != 0 {
		t.Errorf("dupetool's get_github_user reached the API %d times", n)
	}
}
