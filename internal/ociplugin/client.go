package ociplugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/wasmcp/wasmcp/internal/loopback"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// Bounds on what a registry may send. A plugin is the registry's bytes
// until it is verified, so none of them is read unbounded.
const (
	// MaxManifestBytes caps a manifest (the plugin's or its signature's).
	// A plugin's manifest, with its one layer, is well under 1 KiB.
	MaxManifestBytes = 256 << 10
	// MaxWasmBytes caps the Wasm layer: the host's limit on a plugin file.
	MaxWasmBytes = 128 << 20
	// MaxPayloadBytes caps one cosign simple-signing payload (about 300
	// bytes as cosign writes it).
	MaxPayloadBytes = 64 << 10
	// maxOtherBytes caps every other response body: token endpoints,
	// errors.
	maxOtherBytes = 1 << 20
	// minBodyBytes is the least bound of any body: the token requests
	// made on the way to a small blob carry its bound too.
	minBodyBytes = 64 << 10
)

// client reaches registries through go-containerregistry, with the bounds
// above and https required except for a loopback registry (see guardTransport).
type client struct {
	opts []remote.Option
}

func newClient(o Options) client {
	base := o.Transport
	if base == nil {
		base = remote.DefaultTransport.(*http.Transport).Clone()
	}
	keychain := o.Keychain
	if keychain == nil {
		keychain = authn.DefaultKeychain
	}
	ua := o.UserAgent
	if ua == "" {
		ua = "wasmcp"
	}
	return client{opts: []remote.Option{
		remote.WithTransport(guardTransport{base}),
		remote.WithAuthFromKeychain(keychain),
		remote.WithUserAgent(ua),
		// Three tries over about 1.5 s: a registry that is down fails the
		// start quickly, and the store serves what it holds.
		remote.WithRetryBackoff(remote.Backoff{Duration: 500 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 3}),
	}}
}

func (c client) with(ctx context.Context) []remote.Option {
	return append(append([]remote.Option(nil), c.opts...), remote.WithContext(ctx))
}

// manifest fetches the manifest ref names and returns its bytes and
// digest. Pulled by digest, the library checks the bytes against it.
func (c client) manifest(ctx context.Context, ref name.Reference) ([]byte, string, error) {
	ctx = withHops(withBodyLimit(ctx, MaxManifestBytes), ref.Context().Registry)
	d, err := remote.Get(ref, c.with(ctx)...)
	if err != nil {
		return nil, "", registryError(err)
	}
	if len(d.Manifest) > MaxManifestBytes {
		return nil, "", fmt.Errorf("the manifest is %d bytes, above the limit of %d", len(d.Manifest), MaxManifestBytes)
	}
	if got := digestOf(d.Manifest); got != d.Digest.String() {
		return nil, "", fmt.Errorf("the registry sent a manifest with digest %s for %s", got, d.Digest)
	}
	return d.Manifest, d.Digest.String(), nil
}

// blob opens the blob with digest in repo, reading at most max bytes.
func (c client) blob(ctx context.Context, repo name.Repository, digest string, max int64) (io.ReadCloser, error) {
	ctx = withHops(withBodyLimit(ctx, max), repo.Registry)
	l, err := remote.Layer(repo.Digest(digest), c.with(ctx)...)
	if err != nil {
		return nil, registryError(err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, registryError(err)
	}
	return rc, nil
}

// errNotFound is a manifest or blob the registry does not have.
var errNotFound = errors.New("not found in the registry")

// registryError words a registry library error: bounded and escaped, as
// it may quote the registry's answer; a 404 is errNotFound.
func registryError(err error) error {
	var te *transport.Error
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		return errNotFound
	}
	return errors.New(clipErr(err))
}

// guardTransport refuses plain http but to a loopback registry (see
// hops.allowHTTP), and bounds every response body (see withBodyLimit).
type guardTransport struct{ base http.RoundTripper }

func (g guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h, _ := req.Context().Value(hopsKey{}).(*hops)
	switch req.URL.Scheme {
	case "https":
	case "http":
		if err := h.allowHTTP(req); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("scheme %q refused", clip(req.URL.Scheme))
	}
	resp, err := g.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if req.URL.Scheme == "https" {
		h.answered(req)
	}
	limit := int64(maxOtherBytes)
	if n, ok := req.Context().Value(bodyLimitKey{}).(int64); ok {
		limit = max(n, minBodyBytes)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: limit}
	return resp, nil
}

// hops is what the transport knows of the source a request is made for:
// its registry, and whether that registry answered over https. Every
// request of one manifest or blob fetch (the pings, the token requests,
// the redirects) carries the same hops.
type hops struct {
	registry string // host:port of the source's registry, as the source names it
	loopback bool   // the registry's host is loopback
	secure   atomic.Bool
}

type hopsKey struct{}

// withHops records in ctx that its requests are made for reg.
func withHops(ctx context.Context, reg name.Registry) context.Context {
	host := reg.RegistryStr()
	return context.WithValue(ctx, hopsKey{}, &hops{registry: host, loopback: loopback.Host(hostname(host))})
}

// allowHTTP says whether req may go out over plain http: only when the
// source's registry is itself a loopback registry reached over http (the
// local registry of a developer or a test), only to loopback, and never
// one step down from https. A remote registry names where its redirects
// and its token endpoint (the realm) are; over http to loopback, that
// would let it make the host fetch from any local service. So plain http
// is refused when the registry is not loopback; when it answered over
// https (then it is an https registry, and its realm too must be); and on
// a redirect from an https URL.
func (h *hops) allowHTTP(req *http.Request) error {
	if h == nil || !h.loopback {
		return fmt.Errorf("plain http to %s refused: registries are reached over https, except a registry on loopback", clip(req.URL.Host))
	}
	if !loopback.Host(req.URL.Hostname()) {
		return fmt.Errorf("plain http to %s refused: a loopback registry may send the host over http only to loopback", clip(req.URL.Host))
	}
	if h.secure.Load() {
		return fmt.Errorf("plain http to %s refused: the registry answered over https, and the host does not step down to http", clip(req.URL.Host))
	}
	for r := req.Response; r != nil && r.Request != nil; r = r.Request.Response {
		if r.Request.URL.Scheme != "http" {
			return fmt.Errorf("plain http to %s refused: a redirect from https does not step down to http", clip(req.URL.Host))
		}
	}
	return nil
}

// answered records an https answer to req: from the registry's own host,
// it makes the registry an https one for the rest of the fetch.
func (h *hops) answered(req *http.Request) {
	if h != nil && h.loopback && sameAddress(req.URL, h.registry) {
		h.secure.Store(true)
	}
}

// sameAddress reports whether u is at registry (host[:port]), the port
// defaulting to the scheme's.
func sameAddress(u *url.URL, registry string) bool {
	port := func(p, scheme string) string {
		if p != "" {
			return p
		}
		if scheme == "http" {
			return "80"
		}
		return "443"
	}
	rh, rp := hostname(registry), ""
	if h, p, err := net.SplitHostPort(registry); err == nil {
		rh, rp = h, p
	}
	return strings.EqualFold(strings.TrimSuffix(u.Hostname(), "."), strings.TrimSuffix(rh, ".")) &&
		port(u.Port(), u.Scheme) == port(rp, u.Scheme)
}

// hostname is the host of host[:port], without brackets.
func hostname(hostport string) string {
	return (&url.URL{Host: hostport}).Hostname()
}

type bodyLimitKey struct{}

// withBodyLimit sets the bound on the bodies of the requests made with
// ctx, redirects and token requests included (a blob is often served by a
// CDN elsewhere): the manifest's bound, or the layer's declared size.
func withBodyLimit(ctx context.Context, n int64) context.Context {
	return context.WithValue(ctx, bodyLimitKey{}, n)
}

// limitedBody fails a read past its bound instead of truncating: a
// truncated blob would only fail its digest, less clearly.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

var errTooLarge = errors.New("the registry's response is above the host's size limit")

// clip bounds and escapes a short value quoted in an error.
func clip(s string) string { return safetext.Bounded(s, 160) }
