package host

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func digestHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestDigestCache: a file's digest is recorded with its stamp and taken
// from the record while the stamp is unchanged; a file changed since is
// hashed again; a file changed within settledAge of its hashing is not
// recorded at all, since a change in the same tick of the clock could keep
// its stamp.
func TestDigestCache(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.wasm")
	v1 := []byte("\x00asm\x01\x00\x00\x00version one")
	if err := os.WriteFile(path, v1, 0o644); err != nil {
		t.Fatal(err)
	}
	l := newLoader(Config{CacheDir: t.TempDir()}, nil, slog.New(slog.DiscardHandler))

	// Just written: hashed, and not recorded.
	if d, err := l.digestOf(path); err != nil || d != digestHex(v1) {
		t.Fatalf("digest %s, %v; want %s", d, err, digestHex(v1))
	}
	if _, err := os.Stat(l.digestPath(path)); err == nil {
		t.Fatal("a file changed within settledAge of its hashing was recorded")
	}

	l.digestSettle = -time.Hour // as if the file had settled long ago
	if d, _ := l.digestOf(path); d != digestHex(v1) {
		t.Fatalf("digest %s, want %s", d, digestHex(v1))
	}
	b, err := os.ReadFile(l.digestPath(path))
	if err != nil {
		t.Fatalf("the digest was not recorded: %v", err)
	}
	// The record is what answers while the stamp holds: a forged one
	// shows it is read, not the file.
	var rec digestRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.SHA256 != digestHex(v1) {
		t.Fatalf("record %s", b)
	}
	forged := strings.Repeat("f", 64)
	rec.SHA256 = forged
	b, _ = json.Marshal(rec)
	writeCacheFile(l.digestPath(path), b)
	if d, _ := l.digestOf(path); d != forged {
		t.Fatalf("digest %s with an unchanged stamp: the record was not used", d)
	}

	// Changed: another size, and newer times.
	v2 := []byte("\x00asm\x01\x00\x00\x00version two, longer")
	if err := os.WriteFile(path, v2, 0o644); err != nil {
		t.Fatal(err)
	}
	if d, _ := l.digestOf(path); d != digestHex(v2) {
		t.Fatalf("digest %s after a change, want %s", d, digestHex(v2))
	}
	// Replaced by another file (another inode), of the same size.
	v3 := []byte("\x00asm\x01\x00\x00\x00version 3, longer!!")
	tmp := filepath.Join(dir, "new")
	if err := os.WriteFile(tmp, v3, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if d, _ := l.digestOf(path); d != digestHex(v3) {
		t.Fatalf("digest %s after a replacement, want %s", d, digestHex(v3))
	}

	// Without a cache nothing is recorded.
	off := newLoader(Config{CacheDir: "off"}, nil, slog.New(slog.DiscardHandler))
	if off.digestPath(path) != "" {
		t.Error("a loader with no cache has a digest path")
	}
	if d, _ := off.digestOf(path); d != digestHex(v3) {
		t.Errorf("digest %s with no cache, want %s", d, digestHex(v3))
	}
}
