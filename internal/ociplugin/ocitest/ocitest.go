// Package ocitest runs an in-process OCI registry (go-containerregistry's
// pkg/registry behind httptest, on loopback) and pushes and signs plugin
// artefacts in it the way oras and cosign do, for the tests of package
// ociplugin, cmd/host and e2e.
package ocitest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// Media types of the artefacts pushed here; package ociplugin defines the
// ones it reads, and its tests check that the two agree.
const (
	WasmLayer       = "application/vnd.wasm.content.layer.v1+wasm"
	WasmConfig      = "application/vnd.wasm.config.v0+json"
	SimpleSigning   = "application/vnd.dev.cosign.simplesigning.v1+json"
	SigAnnotation   = "dev.cosignproject.cosign/signature"
	CosignClaimType = "cosign container image signature"
)

// Registry is an in-process registry that records the requests it gets.
type Registry struct {
	*httptest.Server
	// Host is host:port, the registry part of a reference.
	Host string

	mu   sync.Mutex
	reqs []string
	// tamper, when set, may replace a response: see Tamper.
	tamper func(w http.ResponseWriter, r *http.Request) bool
}

// NewRegistry starts a registry, closed when the test ends.
func NewRegistry(t testing.TB) *Registry {
	r := &Registry{}
	h := registryHandler()
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.reqs = append(r.reqs, req.Method+" "+req.URL.Path)
		tamper := r.tamper
		r.mu.Unlock()
		if tamper != nil && tamper(w, req) {
			return
		}
		h.ServeHTTP(w, req)
	}))
	r.Host = strings.TrimPrefix(r.Server.URL, "http://")
	t.Cleanup(r.Server.Close)
	return r
}

// registryHandler is go-containerregistry's registry, quiet.
func registryHandler() http.Handler {
	return registry.New(registry.Logger(log.New(io.Discard, "", 0)))
}

// Requests returns "METHOD /path" of every request so far.
func (r *Registry) Requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

// Tamper makes f answer the requests it returns true for, instead of the
// registry: a registry that lies.
func (r *Registry) Tamper(f func(w http.ResponseWriter, req *http.Request) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tamper = f
}

// Ref is host/repo:tag in this registry.
func (r *Registry) Ref(repoTag string) string { return r.Host + "/" + repoTag }

// PushWasm pushes wasm as a plugin artefact (an OCI manifest with one Wasm
// layer, as "oras push REF plugin.wasm:application/vnd.wasm.content.layer.v1+wasm"
// makes) under ref, host/repo:tag, and returns the manifest digest.
func PushWasm(t testing.TB, ref string, wasm []byte) string {
	t.Helper()
	return PushLayers(t, ref, static.NewLayer(wasm, WasmLayer))
}

// PushLayers pushes an OCI manifest with the given layers under ref.
func PushLayers(t testing.TB, ref string, layers ...v1.Layer) string {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, WasmConfig)
	img, err := mutate.AppendLayers(img, layers...)
	if err != nil {
		t.Fatal(err)
	}
	return write(t, ref, img)
}

func write(t testing.TB, ref string, img v1.Image) string {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// Key is a cosign key pair: ECDSA P-256, as "cosign generate-key-pair"
// makes.
type Key struct {
	Priv *ecdsa.PrivateKey
	// PubFile is the public key, PEM, in a file of the test's temporary
	// folder: what plugins.<name>.verify.key names.
	PubFile string
}

// NewKey makes a key pair and writes its public key to a file.
func NewKey(t testing.TB) *Key {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := cryptoutils.MarshalPublicKeyToPEM(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cosign.pub")
	if err := os.WriteFile(path, pem, 0o644); err != nil {
		t.Fatal(err)
	}
	return &Key{Priv: priv, PubFile: path}
}

// Payload is the simple-signing payload cosign signs for a manifest
// digest of repo (host/repo).
func Payload(repo, digest string) []byte {
	b, _ := json.Marshal(map[string]any{
		"critical": map[string]any{
			"identity": map[string]any{"docker-reference": repo},
			"image":    map[string]any{"docker-manifest-digest": digest},
			"type":     CosignClaimType,
		},
		"optional": nil,
	})
	return b
}

// Sign signs the manifest digest of repo (host/repo) with k, as "cosign
// sign --key" does: the payload for digest, at tag sha256-<hex>.sig.
func (k *Key) Sign(t testing.TB, repo, digest string) {
	t.Helper()
	k.SignPayload(t, repo, digest, Payload(repo, digest))
}

// SignPayload pushes payload, signed with k, as the signature of digest.
func (k *Key) SignPayload(t testing.TB, repo, digest string, payload []byte) {
	t.Helper()
	sum := sha256.Sum256(payload)
	sig, err := ecdsa.SignASN1(rand.Reader, k.Priv, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	PushSignature(t, repo, digest, payload, base64.StdEncoding.EncodeToString(sig))
}

// PushSignature pushes a cosign signature manifest for digest with one
// layer: payload, annotated with sig (base64).
func PushSignature(t testing.TB, repo, digest string, payload []byte, sig string) {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img, err := mutate.Append(img, mutate.Addendum{
		Layer:       static.NewLayer(payload, SimpleSigning),
		Annotations: map[string]string{SigAnnotation: sig},
	})
	if err != nil {
		t.Fatal(err)
	}
	write(t, repo+":"+strings.Replace(digest, ":", "-", 1)+".sig", img)
}

// Wasm returns a small byte string that starts like a Wasm module, unique
// to seed: enough for the store, which does not run it.
func Wasm(seed string) []byte {
	return append([]byte("\x00asm\x01\x00\x00\x00"), []byte(seed)...)
}
