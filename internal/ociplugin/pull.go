package ociplugin

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Options configure a Puller.
type Options struct {
	// Dir is the store's folder (see store). Required.
	Dir string
	// Refresh resolves tags again even if the store recorded them, and
	// fetches signatures again: "host pull". Starts leave it off, so that a
	// tag resolved once keeps its digest until the next "host pull".
	Refresh bool
	// Offline never contacts a registry: only what the store holds is used.
	Offline bool
	// Transport carries the registry requests; nil is the library's
	// default (which honours HTTPS_PROXY: a registry is the operator's
	// choice, unlike a plugin's hosts). Tests set it.
	Transport http.RoundTripper
	// Keychain finds registry credentials; nil reads the Docker config
	// ($DOCKER_CONFIG/config.json, ~/.docker/config.json) and its
	// credential helpers. Credentials are never logged.
	Keychain authn.Keychain
	// UserAgent is sent to registries.
	UserAgent string
	// Now is the clock of the index's timestamps; nil is time.Now.
	Now func() time.Time
}

// Plugin is one configured plugin to pull: plugins.<Name>.source, and the
// key its signature must verify with (nil: no signature is asked for).
type Plugin struct {
	Name   string
	Source Source
	Key    *Key
}

// Result is a pulled plugin, ready for the host to load.
type Result struct {
	Name string
	// File is plugins/<name>.wasm in the store: the file to load.
	File string
	// Digest is the manifest digest the source resolved to.
	Digest string
	// SHA256 is the hex SHA-256 of the .wasm (its layer's digest): the
	// host pins the plugin to it, so the loader checks the file again.
	SHA256 string
	// Verified says a signature verified with the plugin's Key.
	Verified bool
	// Fetched says the registry was contacted; false means every byte
	// came from the store.
	Fetched bool
}

// Puller pulls plugins into a store. Its methods may be called from
// several goroutines; pulls run one at a time.
type Puller struct {
	opts   Options
	st     store
	client client
	mu     sync.Mutex
}

// New makes a Puller over the store at o.Dir.
func New(o Options) (*Puller, error) {
	if o.Dir == "" {
		return nil, errors.New("no folder for pulled plugins")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Puller{opts: o, st: store{dir: o.Dir}, client: newClient(o)}, nil
}

// Pull resolves, fetches (unless the store has it) and verifies one
// plugin, and installs its .wasm. The error names the plugin and says what
// to do; it is bounded and escaped, since it may quote a registry.
func (p *Puller) Pull(ctx context.Context, pl Plugin) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if strings.ContainsAny(pl.Name, `/\`) || strings.HasPrefix(pl.Name, ".") || pl.Name == "" {
		return Result{}, fmt.Errorf("plugin name %q cannot name a file", clip(pl.Name))
	}
	r, err := p.pull(ctx, pl)
	if err != nil {
		return Result{}, fmt.Errorf("plugin %q from %s: %w", pl.Name, clip(pl.Source.String()), err)
	}
	return r, nil
}

func (p *Puller) pull(ctx context.Context, pl Plugin) (Result, error) {
	ix, err := p.st.loadIndex()
	if err != nil {
		return Result{}, err
	}
	changed := false
	res := Result{Name: pl.Name}
	src := pl.Source

	// 1. The manifest digest: the source's own, the one recorded for its
	// tag, or the tag resolved now.
	digest := src.Digest()
	var fetchedManifest []byte
	if digest == "" {
		e, recorded := ix.Tags[src.tagRef()]
		switch {
		case recorded && !p.opts.Refresh:
			digest = e.Digest
		case p.opts.Offline:
			return res, fmt.Errorf("the tag %s was never resolved, and pulls are offline: run \"host pull\" where the registry can be reached", clip(src.Tag()))
		default:
			if fetchedManifest, digest, err = p.client.manifest(ctx, src.repo.Tag(src.tag)); err != nil {
				return res, fmt.Errorf("resolving the tag: %w", err)
			}
			res.Fetched = true
			if !recorded || e.Digest != digest {
				ix.Tags = setTag(ix.Tags, src.tagRef(), tagEntry{Digest: digest, Resolved: p.opts.Now().UTC()})
				changed = true
			}
		}
	}
	res.Digest = digest

	// 2. The manifest, from the store or the registry.
	mb, err := p.st.readBlob(digest, MaxManifestBytes)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errCorrupt) {
			return res, err
		}
		if fetchedManifest == nil {
			if p.opts.Offline {
				return res, fmt.Errorf("the manifest %s is not in the store (%s), and pulls are offline", digest, p.st.dir)
			}
			if fetchedManifest, _, err = p.client.manifest(ctx, src.repo.Digest(digest)); err != nil {
				return res, fmt.Errorf("fetching the manifest %s: %w", digest, err)
			}
			res.Fetched = true
		}
		if err := p.st.putBlob(digest, fetchedManifest); err != nil {
			return res, err
		}
		mb = fetchedManifest
	}
	m, err := parseManifest(mb)
	if err != nil {
		return res, err
	}
	layer, err := wasmLayer(m)
	if err != nil {
		return res, err
	}

	// 3. The signature, before any byte of the plugin is fetched.
	if pl.Key != nil {
		fetched, recorded, err := p.verify(ctx, &ix, pl, digest)
		res.Fetched = res.Fetched || fetched
		changed = changed || recorded
		if err != nil {
			return res, err
		}
		res.Verified = true
	}

	// 4. The Wasm layer.
	ok, err := p.st.hasBlob(layer.Digest, MaxWasmBytes)
	if err != nil {
		return res, err
	}
	if !ok {
		if p.opts.Offline {
			return res, fmt.Errorf("the Wasm layer %s is not in the store (%s), and pulls are offline", layer.Digest, p.st.dir)
		}
		if err := p.fetchBlob(ctx, src, layer.Digest, layer.Size); err != nil {
			return res, fmt.Errorf("fetching the Wasm layer %s: %w", layer.Digest, err)
		}
		res.Fetched = true
	}
	if changed {
		if err := p.st.saveIndex(ix); err != nil {
			return res, fmt.Errorf("recording what was resolved: %w", err)
		}
	}
	if res.File, err = p.st.install(pl.Name, layer.Digest, MaxWasmBytes); err != nil {
		return res, fmt.Errorf("installing the plugin file: %w", err)
	}
	res.SHA256 = strings.TrimPrefix(layer.Digest, "sha256:")
	return res, nil
}

// fetchBlob streams a blob of the source's repository into the store.
func (p *Puller) fetchBlob(ctx context.Context, src Source, digest string, size int64) error {
	rc, err := p.client.blob(ctx, src.repo, digest, size)
	if err != nil {
		return err
	}
	defer rc.Close()
	return p.st.putBlobFrom(digest, rc, size)
}

// verify checks that a cosign signature of the manifest digest verifies
// with key: first the one the store recorded (no network), then, unless
// offline, the one the registry has now. It reports whether it fetched,
// and whether it changed ix.
func (p *Puller) verify(ctx context.Context, ix *index, pl Plugin, digest string) (fetched, changed bool, err error) {
	src, key := pl.Source, pl.Key
	sigKey := src.Repository() + "@" + digest
	var cachedErr error
	if d, ok := ix.Signatures[sigKey]; ok && !p.opts.Refresh {
		if cachedErr = p.verifyStored(d, digest, key); cachedErr == nil {
			return false, false, nil
		}
	}
	if p.opts.Offline {
		if cachedErr != nil {
			return false, false, fmt.Errorf("refused: the signature in the store does not verify with %s (%v), and pulls are offline", key.File(), cachedErr)
		}
		return false, false, fmt.Errorf("refused: no signature of %s is in the store, and pulls are offline: run \"host pull\" where the registry can be reached", digest)
	}
	tag := signatureTag(digest)
	sb, sigDigest, err := p.client.manifest(ctx, src.repo.Tag(tag))
	if errors.Is(err, errNotFound) {
		return true, false, fmt.Errorf("refused: %s is not signed: no cosign signature at %s:%s, and plugins.%s.verify.key asks for one "+
			"(sign it with \"cosign sign --key cosign.key %s@%s\")", digest, src.Repository(), tag, pl.Name, src.Repository(), digest)
	}
	if err != nil {
		return true, false, fmt.Errorf("fetching the signature %s: %w", tag, err)
	}
	if err := p.st.putBlob(sigDigest, sb); err != nil {
		return true, false, err
	}
	layers, err := signatureLayers(sb)
	if err == nil {
		err = key.verifyLayers(layers, digest, func(d string) ([]byte, error) { return p.payload(ctx, src, d) })
	}
	if err != nil {
		return true, false, fmt.Errorf("refused: no cosign signature of %s verifies with %s: %v", digest, key.File(), err)
	}
	if ix.Signatures[sigKey] != sigDigest {
		ix.Signatures = setSig(ix.Signatures, sigKey, sigDigest)
		changed = true
	}
	return true, changed, nil
}

// verifyStored verifies with the signature manifest and payloads the
// store holds.
func (p *Puller) verifyStored(sigDigest, digest string, key *Key) error {
	sb, err := p.st.readBlob(sigDigest, MaxManifestBytes)
	if err != nil {
		return err
	}
	layers, err := signatureLayers(sb)
	if err != nil {
		return err
	}
	return key.verifyLayers(layers, digest, func(d string) ([]byte, error) { return p.st.readBlob(d, MaxPayloadBytes) })
}

// payload returns a signature payload, from the store or the registry.
func (p *Puller) payload(ctx context.Context, src Source, digest string) ([]byte, error) {
	if b, err := p.st.readBlob(digest, MaxPayloadBytes); err == nil {
		return b, nil
	}
	if err := p.fetchBlob(ctx, src, digest, MaxPayloadBytes); err != nil {
		return nil, fmt.Errorf("fetching its payload: %w", err)
	}
	return p.st.readBlob(digest, MaxPayloadBytes)
}

func setTag(m map[string]tagEntry, k string, v tagEntry) map[string]tagEntry {
	if m == nil {
		m = map[string]tagEntry{}
	}
	m[k] = v
	return m
}

func setSig(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}
