package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/internal/ociplugin/ocitest"
)

// ociYAML is a config whose github plugin comes from source, verified with
// key when it is not "", its requests going to the fake at upstream.
func ociYAML(source, key, upstream, registryDir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "registry:\n  dir: %q\nplugins:\n  github:\n    source: %q\n", registryDir, source)
	if key != "" {
		fmt.Fprintf(&b, "    verify:\n      key: %q\n", key)
	}
	fmt.Fprintf(&b, "    upstreams:\n      \"https://api.github.com\": %q\n", upstream)
	return b.String()
}

// The github plugin pushed to a registry, signed: "host pull" pulls and
// verifies it, "host serve" serves it from an empty plugin folder and its
// tool reaches the API with the token, and once the registry is gone a new
// start serves it from the store.
func TestPluginFromRegistry(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	key := ocitest.NewKey(t)
	repo := reg.Ref("acme/github")
	digest := ocitest.PushWasm(t, repo+":1.0", pluginBytes(t, "github"))
	key.Sign(t, repo, digest)

	gh := fakeGitHub(t)
	o := hostOpts{
		mock:       true,
		pluginsDir: t.TempDir(), // empty: github comes from the registry only
		extraYAML:  ociYAML("oci://"+repo+":1.0", key.PubFile, gh.URL, filepath.Join(t.TempDir(), "oci")),
	}

	cmd := hostCommand(t, o, "pull")
	out, err := cmd.CombinedOutput()
	t.Logf("host pull:\n%s", out)
	if err != nil {
		t.Fatalf("host pull: %v\n%s", err, out)
	}
	for _, want := range []string{"github", digest, "verified", "source: oci://" + repo + ":1.0@" + digest} {
		if !strings.Contains(string(out), want) {
			t.Errorf("host pull's output lacks %q:\n%s", want, out)
		}
	}

	// host plugins lists it as serve loads it, from the cache.
	list, err := hostCommand(t, o, "plugins").CombinedOutput()
	if err != nil || !strings.Contains(string(list), "github") || !strings.Contains(string(list), "get_github_user") {
		t.Errorf("host plugins: %v\n%s", err, list)
	}

	r := startHost(t, o)
	res := r.call(t, "get_github_user", nil, meta("u1", "temp_token_abc456", "github"))
	if res.IsError || structured(t, res)["login"] != "octocat" {
		t.Fatalf("get_github_user from the pulled plugin: %s", resultJSON(t, res))
	}
	if reqs := gh.requests(); len(reqs) != 1 || reqs[0].Auth != "Bearer "+mockGitHub {
		t.Fatalf("the API got %+v, want one request with the github token", reqs)
	}
	// Log lines reach the test through the stderr copier: wait for it.
	r.stderr.waitFor(t, "start from the pulled plugin, without asking the registry", func(logs string) bool {
		return logLine(logs, "plugin pulled", "plugin=github", "verified=true", "fetched=false")
	})
	r.session.Close()

	reg.Close()
	r = startHost(t, o)
	res = r.call(t, "get_github_user", nil, meta("u1", "temp_token_abc456", "github"))
	if res.IsError {
		t.Fatalf("offline start: %s", resultJSON(t, res))
	}
}

// An unsigned or mis-signed artefact is refused, by "host pull" (exit 1)
// and at start (the host serves without it, and says why).
func TestPluginFromRegistryRefused(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	key := ocitest.NewKey(t)
	repo := reg.Ref("acme/github")
	wasm := pluginBytes(t, "github")
	ocitest.PushWasm(t, repo+":unsigned", wasm)
	other := ocitest.NewKey(t)
	d := ocitest.PushWasm(t, repo+":missigned", append(append([]byte(nil), wasm...), 0)) // another digest
	other.Sign(t, repo, d)

	gh := fakeGitHub(t)
	for tag, want := range map[string]string{
		"unsigned":  "is not signed",
		"missigned": "verifies with",
	} {
		t.Run(tag, func(t *testing.T) {
			o := hostOpts{
				mock:       true,
				pluginsDir: t.TempDir(),
				extraYAML:  ociYAML("oci://"+repo+":"+tag, key.PubFile, gh.URL, filepath.Join(t.TempDir(), "oci")),
			}
			out, err := hostCommand(t, o, "pull").CombinedOutput()
			t.Logf("host pull:\n%s", out)
			if err == nil || !strings.Contains(string(out), "FAILED") || !strings.Contains(string(out), want) {
				t.Fatalf("host pull of a %s artefact: %v\n%s", tag, err, out)
			}
			r := startHost(t, o)
			if names := r.toolNames(t); len(names) != 0 {
				t.Fatalf("a %s artefact is served: %v", tag, names)
			}
			r.stderr.waitFor(t, "logged refusal", func(logs string) bool {
				return logLine(logs, "plugin not pulled", "plugin=github", want)
			})
			if _, err := os.Stat(filepath.Join(o.pluginsDir, "github.wasm")); err == nil {
				t.Fatal("something was written to the plugin folder")
			}
		})
	}
}
