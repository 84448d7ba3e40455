package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wasmcp/wasmcp/host/auth"
)

// TestLoadDirRefusesBadPlugins: a plugin built for another ABI version, a
// file that is not Wasm and a truncated module are each refused with their
// reason, naming the file, and the good plugin beside them loads and serves.
// A config entry naming no loaded plugin is reported.
func TestLoadDirRefusesBadPlugins(t *testing.T) {
	precompile()
	good, err := os.ReadFile(wasmFile(t, "dist/plugins/github.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := os.ReadFile(guestFile(t, "badabi"))
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	h, byFile := loadDir(t, writeFiles(t, map[string][]byte{
		"github.wasm":    good,
		"badabi.wasm":    bad,
		"notwasm.wasm":   []byte("#!/bin/sh\necho this is not WebAssembly\n"),
		"truncated.wasm": good[:len(good)/2],
		"ignored.txt":    []byte("not a plugin"),
	}), Config{Plugins: map[string]PluginConfig{"github": {}, "githb": {}}}, &logs)
	var failed []string
	for f := range byFile {
		failed = append(failed, f)
	}
	sort.Strings(failed)
	if strings.Join(failed, " ") != "badabi.wasm notwasm.wasm truncated.wasm" {
		t.Fatalf("refused files = %v, want badabi, notwasm and truncated: %v", failed, byFile)
	}
	for file, want := range map[string][]string{
		"badabi.wasm":    {"badabi.wasm: ", "ABI version 2", "ABI version 1"},
		"notwasm.wasm":   {"notwasm.wasm: "},
		"truncated.wasm": {"truncated.wasm: "},
	} {
		for _, w := range want {
			if !strings.Contains(byFile[file], w) {
				t.Errorf("%s refused with %q, which lacks %q", file, byFile[file], w)
			}
		}
		if !strings.Contains(logs.String(), file) {
			t.Errorf("the refusal of %s is not logged", file)
		}
	}
	pls := h.Plugins()
	if len(pls) != 1 || pls[0].Name() != "github" {
		t.Fatalf("loaded plugins = %v, want github only", pls)
	}
	if h.MCPServer().GetTool("get_github_user") == nil || h.MCPServer().GetTool("hostile_badabi") != nil {
		t.Error("the tools registered do not match the plugins loaded")
	}
	if got := h.UnmatchedPluginConfigs(); len(got) != 1 || got[0] != "githb" {
		t.Errorf("UnmatchedPluginConfigs = %v, want [githb] (a typo the operator must hear of)", got)
	}
}

// TestSHA256Pins: a pin binds the file named like the plugin as well as the
// plugin that declares the name, so that a file put in the place of a pinned
// plugin is refused whatever it calls itself; require_sha256 refuses every
// file whose digest is not pinned, before any of its code runs.
func TestSHA256Pins(t *testing.T) {
	precompile()
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	github := read(wasmFile(t, "dist/plugins/github.wasm"))
	reddit := read(wasmFile(t, "dist/plugins/reddit.wasm"))
	echo := read(guestFile(t, "echo"))
	digest := func(b []byte) string {
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:])
	}
	tests := []struct {
		name    string
		files   map[string][]byte
		cfg     Config
		loaded  []string          // plugin names
		refused map[string]string // file → part of its error
	}{
		{
			name:    "another plugin in the place of a pinned one",
			files:   map[string][]byte{"github.wasm": echo, "reddit.wasm": reddit},
			cfg:     Config{Plugins: map[string]PluginConfig{"github": {SHA256: digest(github)}}},
			loaded:  []string{"reddit"},
			refused: map[string]string{"github.wasm": `sha256 mismatch for plugin "github": the config pins ` + digest(github)},
		},
		{
			name:    "a pinned plugin under another file name",
			files:   map[string][]byte{"gh-v2.wasm": github},
			cfg:     Config{Plugins: map[string]PluginConfig{"github": {SHA256: digest(reddit)}}},
			refused: map[string]string{"gh-v2.wasm": `sha256 mismatch for plugin "github"`},
		},
		{
			name:   "require_sha256 with pins that match",
			files:  map[string][]byte{"github.wasm": github, "reddit-renamed.wasm": reddit},
			cfg:    Config{RequireSHA256: true, Plugins: map[string]PluginConfig{"github": {SHA256: digest(github)}, "reddit": {SHA256: digest(reddit)}}},
			loaded: []string{"github", "reddit"},
		},
		{
			name:   "require_sha256 refuses what is not pinned",
			files:  map[string][]byte{"github.wasm": github, "reddit.wasm": reddit, "extra.wasm": echo},
			cfg:    Config{RequireSHA256: true, Plugins: map[string]PluginConfig{"github": {SHA256: digest(github)}}},
			loaded: []string{"github"},
			refused: map[string]string{
				"reddit.wasm": "no plugin is pinned to this file's sha256 " + digest(reddit) + ", and require_sha256 is on",
				"extra.wasm":  "no plugin is pinned to this file's sha256",
			},
		},
		{
			name:    "require_sha256: a pinned file must declare the plugin it is pinned for",
			files:   map[string][]byte{"other.wasm": echo},
			cfg:     Config{RequireSHA256: true, Plugins: map[string]PluginConfig{"github": {SHA256: digest(echo)}}},
			refused: map[string]string{"other.wasm": `plugin "hostile-echo" has no sha256 pin, and require_sha256 is on`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, refused := loadDir(t, writeFiles(t, tt.files), tt.cfg, nil)
			if len(refused) != len(tt.refused) {
				t.Errorf("refused %v, want %v", refused, tt.refused)
			}
			for file, want := range tt.refused {
				if !strings.Contains(refused[file], want) {
					t.Errorf("%s: refused with %q, want %q", file, refused[file], want)
				}
			}
			var loaded []string
			for _, pl := range h.Plugins() {
				loaded = append(loaded, pl.Name())
			}
			if strings.Join(loaded, ",") != strings.Join(tt.loaded, ",") {
				t.Errorf("loaded %v, want %v", loaded, tt.loaded)
			}
		})
	}
}

// loadDir loads dir on a new Host with cfg (the shared compilation cache, no
// warm set) and returns it, with the error of each refused file by base name.
func loadDir(t *testing.T, dir string, cfg Config, logs *syncBuffer) (*Host, map[string]string) {
	t.Helper()
	cfg.CacheDir = sharedCacheDir()
	cfg.Pool = PoolConfig{Warm: -1}
	o := Options{Config: cfg, Exchanger: auth.NewMock()}
	if logs != nil {
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t.Cleanup(func() { h.Close(context.Background()) })
	refused := map[string]string{}
	for _, err := range h.LoadDir(ctx, dir) {
		var le *LoadError
		if !errors.As(err, &le) {
			t.Fatalf("LoadDir error %v is not a *LoadError", err)
		}
		refused[filepath.Base(le.File)] = err.Error()
	}
	return h, refused
}

// writeFiles writes files (by name) into a new temporary folder.
func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
