package host

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigSourceKeys(t *testing.T) {
	d := "sha256:" + strings.Repeat("ab", 32)
	c, err := ParseConfig([]byte(`
registry:
  dir: /var/cache/wasmcp/oci
plugins:
  github:
    source: oci://registry.example.com/acme/github-plugin:1.0.0
    verify:
      key: /etc/wasmcp/cosign.pub
  reddit:
    source: oci://registry.example.com/acme/reddit-plugin@` + d + `
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Plugins["github"]; got.Source != "oci://registry.example.com/acme/github-plugin:1.0.0" || got.Verify.Key != "/etc/wasmcp/cosign.pub" {
		t.Fatalf("github: %+v", got)
	}
	if c.Registry.Dir != "/var/cache/wasmcp/oci" {
		t.Fatalf("registry.dir: %q", c.Registry.Dir)
	}
	if got := strings.Join(c.PluginSources(), ","); got != "github,reddit" {
		t.Fatalf("PluginSources = %s", got)
	}

	bad := map[string]string{
		"plugins:\n  github:\n    verify:\n      key: k.pub\n      keyless: true\n":                                     "keyless",
		"plugins:\n  github:\n    source: oci://registry.example.com/a/b:1\n    sources: x\n":                           "sources",
		"plugins:\n  github:\n    pulledfile: /x\n":                                                                     "unknown field", // set only by whoever pulled
		"plugins:\n  github:\n    PulledFile: /x\n":                                                                     "unknown field",
		"registry:\n  directory: /x\n":                                                                                  "directory",
		"plugins:\n  github:\n    verify:\n      key: k.pub\n":                                                          "verify.key needs plugins.github.source",
		"plugins:\n  github:\n    source: registry.example.com/a/b:1\n":                                                 "want oci://",
		"plugins:\n  github:\n    source: oci://registry.example.com/a/b\n":                                             "no tag and no digest",
		"plugins:\n  Git/Hub:\n    source: oci://registry.example.com/a/b:1\n":                                          "plugin name",
		"require_sha256: true\nplugins:\n  github:\n    source: oci://registry.example.com/a/b:1\n":                     "require_sha256 is on",
		"plugins:\n  github:\n    source: \"oci://registry.example.com/a/b:1\\e[2J" + strings.Repeat("x", 300) + "\"\n": `\x1b`,
	}
	for yml, want := range bad {
		_, err := ParseConfig([]byte(yml))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error with %q", yml, err, want)
			continue
		}
		if len(err.Error()) > 600 {
			t.Errorf("%q: the error is %d bytes long, not clipped", yml, len(err.Error()))
		}
	}
	// A digest pin satisfies require_sha256, and so does a sha256.
	for _, yml := range []string{
		"require_sha256: true\nplugins:\n  github:\n    source: oci://registry.example.com/a/b@" + d + "\n",
		"require_sha256: true\nplugins:\n  github:\n    source: oci://registry.example.com/a/b:1\n    sha256: " + strings.Repeat("cd", 32) + "\n",
	} {
		if _, err := ParseConfig([]byte(yml)); err != nil {
			t.Errorf("%q: %v", yml, err)
		}
	}
}

func TestRegistryDir(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Registry: RegistryConfig{Dir: "/r"}, CacheDir: "off"}, "/r"},
		{Config{CacheDir: "/c"}, filepath.Join("/c", "oci")},
	} {
		if got, err := c.cfg.RegistryDir(); err != nil || got != c.want {
			t.Errorf("%+v: %q, %v; want %q", c.cfg, got, err, c.want)
		}
	}
	if _, err := (Config{CacheDir: "off"}).RegistryDir(); err == nil || !strings.Contains(err.Error(), "registry.dir") {
		t.Errorf("cache_dir off without registry.dir: %v", err)
	}
}

// A name configured with a source is served only by the file pulled from
// it: a folder file of that name, or declaring it, is refused; the pulled
// file must declare the name it is configured under.
func TestPulledFileBindsTheName(t *testing.T) {
	precompile()
	github, err := os.ReadFile(wasmFile(t, "dist/plugins/github.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	folder := writeFiles(t, map[string][]byte{"github.wasm": github, "other.wasm": github})
	pulledDir := t.TempDir()
	pulled := filepath.Join(pulledDir, "github.wasm")
	misnamed := filepath.Join(pulledDir, "reddit.wasm") // declares github
	for _, f := range []string{pulled, misnamed} {
		if err := os.WriteFile(f, github, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := "oci://registry.example.com/acme/github:1.0"
	cfg := Config{Plugins: map[string]PluginConfig{
		"github": {Source: src, PulledFile: pulled},
		"reddit": {Source: "oci://registry.example.com/acme/reddit:1.0", PulledFile: misnamed},
	}}
	h, byFile := loadDir(t, folder, cfg, nil)
	for file, want := range map[string]string{
		"github.wasm": "comes from " + src + " (plugins.github.source), not from this file",
		"other.wasm":  "comes from " + src + " (plugins.github.source); this file declares the same name",
	} {
		if !strings.Contains(byFile[file], want) {
			t.Errorf("%s: refused with %q, want %q", file, byFile[file], want)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := h.Load(ctx, misnamed); err == nil || !strings.Contains(err.Error(), `declares the name "github"`) {
		t.Errorf("a pulled file declaring another name: %v", err)
	}
	if err := h.Load(ctx, pulled); err != nil {
		t.Fatalf("the pulled file: %v", err)
	}
	if pl := h.Plugin(pulled); pl == nil || pl.Name() != "github" {
		t.Fatalf("the pulled file is not served as github")
	}

	// Its pull failed (no PulledFile): the name is served by nobody.
	cfg.Plugins["github"] = PluginConfig{Source: src}
	_, byFile = loadDir(t, folder, cfg, nil)
	if !strings.Contains(byFile["github.wasm"], "not from this file") {
		t.Errorf("with the pull failed, the folder's github.wasm: %q", byFile["github.wasm"])
	}
}
