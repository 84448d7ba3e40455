package ociplugin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/static"

	"github.com/wasmcp/wasmcp/internal/ociplugin/ocitest"
)

func newPuller(t *testing.T, dir string, o Options) *Puller {
	t.Helper()
	o.Dir = dir
	o.Keychain = authn.NewMultiKeychain() // anonymous: no Docker config of the machine
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustSource(t *testing.T, s string) Source {
	t.Helper()
	src, err := ParseSource(s)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func pull(t *testing.T, p *Puller, name, src string, key *Key) (Result, error) {
	t.Helper()
	return p.Pull(context.Background(), Plugin{Name: name, Source: mustSource(t, src), Key: key})
}

func loadKey(t *testing.T, k *ocitest.Key) *Key {
	t.Helper()
	key, err := LoadKey(k.PubFile)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkInstalled checks that r's file holds want and r pins its digest.
func checkInstalled(t *testing.T, r Result, want []byte) {
	t.Helper()
	got, err := os.ReadFile(r.File)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("installed %q, want %q", got, want)
	}
	if r.SHA256 != sha(want) {
		t.Fatalf("SHA256 %s, want %s", r.SHA256, sha(want))
	}
	if filepath.Base(r.File) != r.Name+".wasm" {
		t.Fatalf("file %s is not named after the plugin %s", r.File, r.Name)
	}
}

func TestMediaTypesMatchOCITest(t *testing.T) {
	if ocitest.WasmLayer != LayerMediaType || ocitest.SimpleSigning != SignatureMediaType || ocitest.SigAnnotation != SignatureAnnotation {
		t.Fatal("ocitest pushes other media types than ociplugin reads")
	}
}

func TestPullByTag(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	wasm := ocitest.Wasm("v1")
	digest := ocitest.PushWasm(t, reg.Ref("acme/github:1.0"), wasm)
	p := newPuller(t, t.TempDir(), Options{})

	r, err := pull(t, p, "github", "oci://"+reg.Ref("acme/github:1.0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkInstalled(t, r, wasm)
	if r.Digest != digest || !r.Fetched || r.Verified {
		t.Fatalf("result %+v, want digest %s, fetched, not verified", r, digest)
	}
	ix, err := p.st.loadIndex()
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.Tags[reg.Ref("acme/github:1.0")].Digest; got != digest {
		t.Fatalf("index records %q for the tag, want %s", got, digest)
	}
}

// A tag is resolved once: later pulls (starts) use the recorded digest,
// without asking the registry, until a refresh ("host pull").
func TestTagStaysPinnedUntilRefresh(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	ref := reg.Ref("acme/github:stable")
	d1 := ocitest.PushWasm(t, ref, ocitest.Wasm("v1"))
	dir := t.TempDir()
	if _, err := pull(t, newPuller(t, dir, Options{}), "github", "oci://"+ref, nil); err != nil {
		t.Fatal(err)
	}
	d2 := ocitest.PushWasm(t, ref, ocitest.Wasm("v2"))
	before := len(reg.Requests())

	r, err := pull(t, newPuller(t, dir, Options{}), "github", "oci://"+ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Digest != d1 || r.Fetched || len(reg.Requests()) != before {
		t.Fatalf("a start moved with the tag: digest %s (first %s), fetched %v, requests %v", r.Digest, d1, r.Fetched, reg.Requests()[before:])
	}
	checkInstalled(t, r, ocitest.Wasm("v1"))

	r, err = pull(t, newPuller(t, dir, Options{Refresh: true}), "github", "oci://"+ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Digest != d2 {
		t.Fatalf("refresh resolved %s, want %s", r.Digest, d2)
	}
	checkInstalled(t, r, ocitest.Wasm("v2"))
}

func TestPullByDigest(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	d1 := ocitest.PushWasm(t, reg.Ref("acme/github:1.0"), ocitest.Wasm("v1"))
	ocitest.PushWasm(t, reg.Ref("acme/github:1.0"), ocitest.Wasm("v2")) // the tag moved on
	p := newPuller(t, t.TempDir(), Options{})

	r, err := pull(t, p, "github", "oci://"+reg.Ref("acme/github@"+d1), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkInstalled(t, r, ocitest.Wasm("v1"))
	// tag@digest: the digest wins.
	r, err = pull(t, p, "github", "oci://"+reg.Ref("acme/github:1.0@"+d1), nil)
	if err != nil || r.Digest != d1 {
		t.Fatalf("tag@digest pulled %s (%v), want %s", r.Digest, err, d1)
	}
	missing := "sha256:" + strings.Repeat("0", 64)
	if _, err := pull(t, p, "github", "oci://"+reg.Ref("acme/github@"+missing), nil); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("pulling a digest the registry lacks: %v", err)
	}
}

func TestSignatures(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	repo := reg.Ref("acme/github")
	good := ocitest.NewKey(t)
	other := ocitest.NewKey(t)

	signed := ocitest.PushWasm(t, repo+":signed", ocitest.Wasm("signed"))
	good.Sign(t, repo, signed)
	misSigned := ocitest.PushWasm(t, repo+":missigned", ocitest.Wasm("missigned"))
	other.Sign(t, repo, misSigned)
	unsigned := ocitest.PushWasm(t, repo+":unsigned", ocitest.Wasm("unsigned"))
	otherDigest := ocitest.PushWasm(t, repo+":replayed", ocitest.Wasm("replayed"))
	// A good key's signature of another manifest, put beside this one.
	good.SignPayload(t, repo, otherDigest, ocitest.Payload(repo, signed))
	corrupt := ocitest.PushWasm(t, repo+":corrupt", ocitest.Wasm("corrupt"))
	ocitest.PushSignature(t, repo, corrupt, ocitest.Payload(repo, corrupt), "bm90IGEgc2lnbmF0dXJl")

	key := loadKey(t, good)
	cases := []struct {
		tag, want string
		wasm      []byte
	}{
		{"signed", "", ocitest.Wasm("signed")},
		{"missigned", "does not verify with the key", nil},
		{"unsigned", "is not signed: no cosign signature at " + repo + ":sha256-", nil},
		{"replayed", "it signs " + signed, nil},
		{"corrupt", "does not verify with the key", nil},
	}
	_ = unsigned
	for _, c := range cases {
		t.Run(c.tag, func(t *testing.T) {
			dir := t.TempDir()
			r, err := pull(t, newPuller(t, dir, Options{}), "github", "oci://"+repo+":"+c.tag, key)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !r.Verified {
					t.Fatal("not marked verified")
				}
				checkInstalled(t, r, c.wasm)
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "refused") {
				t.Fatalf("got %v, want a refusal saying %q", err, c.want)
			}
			if !strings.Contains(err.Error(), `plugin "github"`) {
				t.Fatalf("the refusal does not name the plugin: %v", err)
			}
			// Refused before any plugin byte was fetched or installed.
			if _, err := os.Stat(filepath.Join(dir, "plugins", "github.wasm")); err == nil {
				t.Fatal("a refused plugin was installed")
			}
			if ix, _ := newPuller(t, dir, Options{}).st.loadIndex(); len(ix.Tags) != 0 {
				t.Fatalf("a refused tag was recorded: %v", ix.Tags)
			}
		})
	}
}

// What was pulled once works with the registry gone, signature included;
// bytes altered in the store are never served.
func TestOfflineFromStore(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	repo := reg.Ref("acme/github")
	k := ocitest.NewKey(t)
	wasm := ocitest.Wasm("offline")
	digest := ocitest.PushWasm(t, repo+":1.0", wasm)
	k.Sign(t, repo, digest)
	key := loadKey(t, k)
	dir := t.TempDir()
	if _, err := pull(t, newPuller(t, dir, Options{}), "github", "oci://"+repo+":1.0", key); err != nil {
		t.Fatal(err)
	}
	reg.Close() // offline from now on

	for _, o := range []Options{{}, {Offline: true}} {
		r, err := pull(t, newPuller(t, dir, o), "github", "oci://"+repo+":1.0", key)
		if err != nil {
			t.Fatalf("offline %v: %v", o.Offline, err)
		}
		if r.Fetched || !r.Verified || r.Digest != digest {
			t.Fatalf("offline %v: %+v", o.Offline, r)
		}
		checkInstalled(t, r, wasm)
	}
	// By digest, too.
	if _, err := pull(t, newPuller(t, dir, Options{Offline: true}), "github", "oci://"+repo+"@"+digest, key); err != nil {
		t.Fatal(err)
	}

	// Another key than the one the store's signature was made with.
	other := loadKey(t, ocitest.NewKey(t))
	if _, err := pull(t, newPuller(t, dir, Options{Offline: true}), "github", "oci://"+repo+":1.0", other); err == nil ||
		!strings.Contains(err.Error(), "does not verify with") {
		t.Fatalf("a stored signature verified with another key: %v", err)
	}

	// The Wasm layer altered in the store: refused, not served.
	layer, err := filepath.Glob(filepath.Join(dir, "blobs", "sha256", sha(wasm)))
	if err != nil || len(layer) != 1 {
		t.Fatalf("the layer blob is not in the store: %v %v", layer, err)
	}
	if err := os.WriteFile(layer[0], ocitest.Wasm("evil"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := pull(t, newPuller(t, dir, Options{Offline: true}), "github", "oci://"+repo+":1.0", key); err == nil ||
		!strings.Contains(err.Error(), "not in the store") {
		t.Fatalf("an altered layer was served: %v", err)
	}
	if _, err := os.Stat(layer[0]); err == nil {
		t.Fatal("the altered blob was kept")
	}

	// A tag never resolved cannot be pulled offline.
	if _, err := pull(t, newPuller(t, dir, Options{Offline: true}), "github", "oci://"+repo+":2.0", nil); err == nil ||
		!strings.Contains(err.Error(), "never resolved") {
		t.Fatalf("an unresolved tag offline: %v", err)
	}
}

// The installed file replaced by other bytes is put back from the store.
func TestInstalledFileRestored(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	wasm := ocitest.Wasm("v1")
	ocitest.PushWasm(t, reg.Ref("acme/github:1.0"), wasm)
	dir := t.TempDir()
	r, err := pull(t, newPuller(t, dir, Options{}), "github", "oci://"+reg.Ref("acme/github:1.0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(r.File); err != nil { // hard-linked to the blob: replace, don't write through
		t.Fatal(err)
	}
	if err := os.WriteFile(r.File, ocitest.Wasm("evil"), 0o644); err != nil {
		t.Fatal(err)
	}
	reg.Close()
	r, err = pull(t, newPuller(t, dir, Options{}), "github", "oci://"+reg.Ref("acme/github:1.0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkInstalled(t, r, wasm)
}

func TestNotAPlugin(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	ocitest.PushLayers(t, reg.Ref("acme/image:1"), static.NewLayer([]byte("tar"), "application/vnd.oci.image.layer.v1.tar+gzip"))
	ocitest.PushLayers(t, reg.Ref("acme/two:1"), static.NewLayer(ocitest.Wasm("a"), LayerMediaType), static.NewLayer(ocitest.Wasm("b"), LayerMediaType))
	p := newPuller(t, t.TempDir(), Options{})
	for ref, want := range map[string]string{
		"acme/image:1": "a container image is not a plugin",
		"acme/two:1":   "2 Wasm layers",
	} {
		if _, err := pull(t, p, "x", "oci://"+reg.Ref(ref), nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", ref, err, want)
		}
	}
}

// A registry that lies about a blob, or sends too much, is refused.
func TestLyingRegistry(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	wasm := ocitest.Wasm("honest")
	ocitest.PushWasm(t, reg.Ref("acme/github:1.0"), wasm)
	layerPath := "/v2/acme/github/blobs/sha256:" + sha(wasm)

	reg.Tamper(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != layerPath || r.Method != http.MethodGet {
			return false
		}
		w.Write(ocitest.Wasm("liar!!")) // same length, other bytes
		return true
	})
	dir := t.TempDir()
	if _, err := pull(t, newPuller(t, dir, Options{}), "github", "oci://"+reg.Ref("acme/github:1.0"), nil); err == nil {
		t.Fatal("a blob that does not match its digest was accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "plugins", "github.wasm")); err == nil {
		t.Fatal("a bad blob was installed")
	}

	reg.Tamper(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "/manifests/") {
			return false
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		big := bytes.Repeat([]byte(" "), MaxManifestBytes*4)
		w.Write(big)
		return true
	})
	_, err := pull(t, newPuller(t, t.TempDir(), Options{}), "github", "oci://"+reg.Ref("acme/github:1.0"), nil)
	if err == nil || !strings.Contains(err.Error(), "size limit") {
		t.Fatalf("an oversized manifest: %v", err)
	}
}

func TestGuardTransport(t *testing.T) {
	never := roundTripFunc(func(*http.Request) (*http.Response, error) {
		t.Fatal("the request went out")
		return nil, nil
	})
	g := guardTransport{never}
	for _, u := range []string{"http://registry.example.com/v2/", "http://10.0.0.1:5000/v2/", "ftp://x/"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if _, err := g.RoundTrip(req); err == nil {
			t.Errorf("%s was not refused", u)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestParseSource(t *testing.T) {
	d := "sha256:" + strings.Repeat("ab", 32)
	good := map[string][3]string{ // source → repository, tag, digest
		"oci://registry.example.com/acme/github:1.2.0":      {"registry.example.com/acme/github", "1.2.0", ""},
		"oci://registry.example.com/acme/github@" + d:       {"registry.example.com/acme/github", "", d},
		"oci://registry.example.com/acme/github:1.2.0@" + d: {"registry.example.com/acme/github", "1.2.0", d},
		"oci://127.0.0.1:5000/plugins/github:dev":           {"127.0.0.1:5000/plugins/github", "dev", ""},
		"oci://localhost:5000/github@" + d:                  {"localhost:5000/github", "", d},
		"oci://registry.example.com:8443/a/b/c:v1":          {"registry.example.com:8443/a/b/c", "v1", ""},
	}
	for s, want := range good {
		src, err := ParseSource(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		if got := [3]string{src.Repository(), src.Tag(), src.Digest()}; got != want {
			t.Errorf("%s: got %v, want %v", s, got, want)
		}
	}
	bad := map[string]string{
		"registry.example.com/acme/github:1.0":                                      "want oci://",
		"oci://registry.example.com/acme/github":                                    "no tag and no digest",
		"oci://acme/github:1.0":                                                     "name the registry host",
		"oci://registry.example.com/acme/github@sha256:12":                          "",
		"oci://registry.example.com/acme/github@sha512:" + strings.Repeat("ab", 64): "",
		"oci://registry.example.com/Acme/github:1.0":                                "",
		"oci://": "not a registry reference",
		"oci://registry.example.com/a/b:1.0\x1b[2J": `\x1b`,
	}
	for s, want := range bad {
		_, err := ParseSource(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error with %q", s, err, want)
		}
	}
	src, _ := ParseSource("oci://registry.example.com/acme/github:1.2.0")
	if got := src.At(d); got != "oci://registry.example.com/acme/github:1.2.0@"+d {
		t.Errorf("At: %s", got)
	}
}
