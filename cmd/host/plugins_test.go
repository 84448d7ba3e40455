package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// host plugins in a folder with no .wasm says so, on stderr, and exits 0;
// with --json it prints an empty list.
func TestPluginsEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not a plugin"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args   []string
		stdout string
	}{{nil, ""}, {[]string{"--json"}, "[]\n"}} {
		var stdout, stderr strings.Builder
		code := run(t.Context(), append([]string{"plugins", "--plugins", dir, "--cache-dir", "off"}, tt.args...), strings.NewReader(""), &stdout, &stderr)
		if code != 0 {
			t.Errorf("%v: exit %d, want 0\n%s", tt.args, code, stderr.String())
		}
		if stdout.String() != tt.stdout {
			t.Errorf("%v: stdout %q, want %q", tt.args, stdout.String(), tt.stdout)
		}
		if want := "no plugins: the folder " + dir + " has no .wasm file\n"; stderr.String() != want {
			t.Errorf("%v: stderr %q, want %q", tt.args, stderr.String(), want)
		}
	}
}

// The table escapes every cell: a plugin's version (or any field) holding a
// newline, ANSI escapes, a tab or bidi controls prints as one row of
// printable text, and a failure's reason as one line.
func TestPluginTableEscapes(t *testing.T) {
	forged := "1.0\n\x1b[2K\rgithub\t9.9.9\u202e"
	rows := []pluginInfo{
		{File: "x.wasm", Name: "x", Version: forged, Provider: "github", Hosts: []string{"https://api.github.com\u2066"},
			Tools: []string{"t"}, Limits: newLimitsInfo(host.DefaultLimits()), SHA256: "abc"},
		{File: "bad\x1b[31m.wasm", Error: "refused\nFAILED forged.wasm: \u202eevil"},
	}
	var b strings.Builder
	printPluginTable(&b, rows)
	out := b.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// header, 2 rows, a blank line, one FAILED line
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 5:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if safetext.Escape(l) != l {
			t.Errorf("line %q holds characters that are not printable", l)
		}
	}
	for _, want := range []string{`1.0\n\x1b[2K\rgithub\t9.9.9\u202e`, `https://api.github.com\u2066`, `FAILED bad\x1b[31m.wasm: refused\nFAILED forged.wasm: \u202eevil`} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
}

// host plugins stopped (by SIGINT or SIGTERM, which end run's context)
// stops loading and exits 1 saying so, whatever its plugins do.
func TestPluginsStops(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "dist", "testguests", "slowdescribe.wasm"))
	if err != nil {
		t.Fatalf("%v: run `make dist/testguests/slowdescribe.wasm` (`make test` builds every test guest)", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "slow.wasm"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stderr strings.Builder
	code := run(ctx, []string{"plugins", "--plugins", dir, "--cache-dir", "off"}, strings.NewReader(""), io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "host: stopped: context canceled") {
		t.Errorf("exit %d, stderr %q; want 1 and the reason", code, stderr.String())
	}
}
