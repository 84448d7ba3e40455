package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/internal/ociplugin/ocitest"
)

func runPull(t *testing.T, yml string, extra ...string) (int, string, string) {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // no credentials of the machine
	code := run(context.Background(), append([]string{"pull", "--config", cfg}, extra...), nil, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestPullCommand(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	repo := reg.Ref("acme/github")
	wasm := ocitest.Wasm("github")
	digest := ocitest.PushWasm(t, repo+":1.0", wasm)
	sum := sha256.Sum256(wasm)
	fileSHA := hex.EncodeToString(sum[:])
	dir := filepath.Join(t.TempDir(), "oci")
	base := fmt.Sprintf("registry:\n  dir: %q\nplugins:\n  github:\n    source: oci://%s:1.0\n", dir, repo)

	code, stdout, stderr := runPull(t, base)
	if code != 0 || !strings.Contains(stdout, digest) || !strings.Contains(stdout, fileSHA) || !strings.Contains(stdout, "not asked for") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "plugins", "github.wasm")); err != nil || !bytes.Equal(got, wasm) {
		t.Fatalf("the pulled file: %q, %v", got, err)
	}

	// The operator's sha256 pin must match the pulled file.
	code, stdout, stderr = runPull(t, base+"    sha256: "+strings.Repeat("a", 64)+"\n")
	if code != 1 || !strings.Contains(stdout, "sha256 mismatch: the config pins "+strings.Repeat("a", 64)+", the pulled file has "+fileSHA) {
		t.Fatalf("a wrong sha256 pin: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, _ = runPull(t, base+"    sha256: "+fileSHA+"\n")
	if code != 0 {
		t.Fatalf("the right sha256 pin: exit %d", code)
	}

	// --offline checks the store and asks no registry.
	before := len(reg.Requests())
	if code, stdout, stderr := runPull(t, base, "--offline"); code != 0 || len(reg.Requests()) != before {
		t.Fatalf("--offline: exit %d, requests %v\n%s%s", code, reg.Requests()[before:], stdout, stderr)
	}

	// A key that cannot be read is a configuration mistake: exit 2.
	code, _, stderr = runPull(t, base+"    verify:\n      key: /nonexistent/cosign.pub\n")
	if code != exitUsage || !strings.Contains(stderr, "plugins.github.verify.key") {
		t.Fatalf("an unreadable key: exit %d, %s", code, stderr)
	}
	notKey := filepath.Join(t.TempDir(), "cosign.pub")
	os.WriteFile(notKey, []byte("not a key"), 0o644)
	code, _, stderr = runPull(t, base+"    verify:\n      key: "+notKey+"\n")
	if code != exitUsage || !strings.Contains(stderr, "not a PEM public key") {
		t.Fatalf("a file that is no key: exit %d, %s", code, stderr)
	}

	// No source: nothing to do, said on stderr.
	if code, stdout, stderr := runPull(t, "plugins:\n  github:\n    sha256: "+fileSHA+"\n"); code != 0 || stdout != "" || !strings.Contains(stderr, "nothing to pull") {
		t.Fatalf("no source: exit %d, %q, %q", code, stdout, stderr)
	}
	// cache_dir off and no registry.dir: nowhere to put them.
	if code, _, stderr := runPull(t, fmt.Sprintf("cache_dir: \"off\"\nplugins:\n  github:\n    source: oci://%s:1.0\n", repo)); code != exitUsage || !strings.Contains(stderr, "registry.dir") {
		t.Fatalf("no folder: exit %d, %s", code, stderr)
	}
}
