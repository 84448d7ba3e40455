package ociplugin

import (
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/internal/safetext"
)

// FuzzParseSource: any string is parsed or refused, never a panic; a
// refusal is bounded and escaped (it quotes the config); an accepted
// source round-trips through At.
func FuzzParseSource(f *testing.F) {
	for _, s := range []string{
		"oci://registry.example.com/acme/github:1.0",
		"oci://127.0.0.1:5000/a/b@sha256:" + strings.Repeat("ab", 32),
		"oci://localhost:5000/a:t@sha256:" + strings.Repeat("0", 64),
		"oci://registry.example.com/a/b:1\x1b[2J",
		"oci://user:pass@registry.example.com/a/b:1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		src, err := ParseSource(s)
		if err != nil {
			if len(err.Error()) > 600 {
				t.Fatalf("a %d-byte error", len(err.Error()))
			}
			if p, bad := safetext.Check(err.Error(), false); bad {
				t.Fatalf("the error holds %v", p)
			}
			return
		}
		if src.Tag() == "" && src.Digest() == "" {
			t.Fatalf("%q accepted with neither tag nor digest", s)
		}
		if src.Digest() != "" {
			again, err := ParseSource(src.At(src.Digest()))
			if err != nil || again.Digest() != src.Digest() || again.Repository() != src.Repository() {
				t.Fatalf("%q: At does not round-trip: %v", s, err)
			}
		}
	})
}
