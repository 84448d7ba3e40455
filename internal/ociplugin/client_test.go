package ociplugin

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/wasmcp/wasmcp/internal/ociplugin/ocitest"
)

// tlsRegistry is go-containerregistry's registry behind an https test
// server on loopback, whose answers a test may replace.
type tlsRegistry struct {
	srv    *httptest.Server
	mu     sync.Mutex
	tamper func(w http.ResponseWriter, r *http.Request) bool
}

func newTLSRegistry(t *testing.T) *tlsRegistry {
	r := &tlsRegistry{}
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		tamper := r.tamper
		r.mu.Unlock()
		if tamper != nil && tamper(w, req) {
			return
		}
		h.ServeHTTP(w, req)
	}))
	r.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes the pings' races cut short
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)
	return r
}

func (r *tlsRegistry) setTamper(f func(w http.ResponseWriter, r *http.Request) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tamper = f
}

// transport trusts the server's certificate (valid for 127.0.0.1 and
// example.com) and, when remote, dials the server for example.com: the
// registry is then "example.com", a remote https registry as far as the
// host can tell.
func (r *tlsRegistry) transport(remote bool) *http.Transport {
	tr := r.srv.Client().Transport.(*http.Transport).Clone()
	if remote {
		addr := r.srv.Listener.Addr().String()
		tr.DialContext = func(ctx context.Context, network, to string) (net.Conn, error) {
			if to == "example.com:443" {
				to = addr
			}
			return (&net.Dialer{}).DialContext(ctx, network, to)
		}
	}
	return tr
}

// host is the registry part of a reference: example.com, or the server's
// loopback address.
func (r *tlsRegistry) host(remote bool) string {
	if remote {
		return "example.com"
	}
	return strings.TrimPrefix(r.srv.URL, "https://")
}

// push pushes wasm as a plugin under host/repo:tag over tr.
func push(t *testing.T, ref string, wasm []byte, tr http.RoundTripper) {
	t.Helper()
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), ocitest.WasmConfig)
	img, err := mutate.AppendLayers(img, static.NewLayer(wasm, LayerMediaType))
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img, remote.WithTransport(tr)); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
}

// localService is a plain http server on loopback that counts the
// requests it gets and answers every one with body: a service of the
// host's machine a registry should not be able to reach through it.
func localService(t *testing.T, body []byte) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// redirectBlobs answers every blob GET with a redirect to target.
func redirectBlobs(target string) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/blobs/") {
			return false
		}
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
		return true
	}
}

// An https registry, remote or on loopback, that redirects a blob to a
// plain http loopback URL is refused, and the URL is never fetched: even
// though it serves the very bytes of the blob.
func TestHTTPSRegistryRedirectToLoopbackHTTPRefused(t *testing.T) {
	for _, remoteReg := range []bool{true, false} {
		reg := newTLSRegistry(t)
		wasm := ocitest.Wasm("over https")
		tr := reg.transport(remoteReg)
		ref := reg.host(remoteReg) + "/acme/github:1.0"
		push(t, ref, wasm, tr)

		// Control: the registry serves the plugin over https.
		r, err := pull(t, newPuller(t, t.TempDir(), Options{Transport: tr}), "github", "oci://"+ref, nil)
		if err != nil {
			t.Fatalf("remote %v: the https registry: %v", remoteReg, err)
		}
		checkInstalled(t, r, wasm)

		local, hits := localService(t, wasm)
		for _, target := range []string{local.URL, strings.Replace(local.URL, "127.0.0.1", "localhost", 1)} {
			reg.setTamper(redirectBlobs(target + "/blob"))
			_, err = pull(t, newPuller(t, t.TempDir(), Options{Transport: tr}), "github", "oci://"+ref, nil)
			if err == nil {
				t.Errorf("remote %v: a redirect from https to %s was followed", remoteReg, target)
			}
			// The library refuses a redirect to another host's loopback
			// IP literal on its own; every other one is the guard's.
			ours := !remoteReg || strings.Contains(target, "localhost")
			if ours && (err == nil || !strings.Contains(err.Error(), "plain http")) {
				t.Errorf("remote %v: a redirect from https to %s: err %v, want the guard's refusal of plain http", remoteReg, target, err)
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("remote %v: the loopback service got %d requests", remoteReg, n)
			}
		}
	}
}

// A remote https registry whose token endpoint (realm) is plain http on
// loopback never has the host reach it.
func TestHTTPSRegistryRealmOnLoopbackHTTPRefused(t *testing.T) {
	reg := newTLSRegistry(t)
	tr := reg.transport(true)
	ref := reg.host(true) + "/acme/github:1.0"
	wasm := ocitest.Wasm("realm")
	push(t, ref, wasm, tr)
	local, hits := localService(t, []byte(`{"token":"t"}`))
	reg.setTamper(func(w http.ResponseWriter, r *http.Request) bool {
		realm := strings.Replace(local.URL, "127.0.0.1", "localhost", 1) + "/token"
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`",service="registry"`)
		w.WriteHeader(http.StatusUnauthorized)
		return true
	})
	if _, err := pull(t, newPuller(t, t.TempDir(), Options{Transport: tr}), "github", "oci://"+ref, nil); err == nil {
		t.Fatal("pulled through a registry that answers only 401")
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the loopback token endpoint got %d requests", n)
	}
}

// A loopback registry over plain http (a developer's or a test's) may
// still send the host to another plain http loopback address: the whole
// exchange is local.
func TestLoopbackHTTPRegistryRedirectToLoopback(t *testing.T) {
	reg := ocitest.NewRegistry(t)
	wasm := ocitest.Wasm("local")
	ocitest.PushWasm(t, reg.Ref("acme/github:1.0"), wasm)
	local, hits := localService(t, wasm)
	reg.Tamper(redirectBlobs(local.URL + "/blob"))
	r, err := pull(t, newPuller(t, t.TempDir(), Options{}), "github", "oci://"+reg.Ref("acme/github:1.0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkInstalled(t, r, wasm)
	if hits.Load() != 1 {
		t.Fatalf("the redirect target got %d requests, want 1", hits.Load())
	}
}

// The guard's decisions, request by request.
func TestGuardTransportHops(t *testing.T) {
	var sent []string
	ok := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = append(sent, r.URL.String())
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
	})
	g := guardTransport{ok}
	get := func(ctx context.Context, u string, from ...string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		// A redirect: req.Response is the answer that sent it, as
		// http.Client sets it; from lists the earlier hops, first first.
		var prev *http.Response
		for _, f := range from {
			r, _ := http.NewRequest(http.MethodGet, f, nil)
			r.Response = prev
			prev = &http.Response{Request: r}
		}
		req.Response = prev
		_, err := g.RoundTrip(req)
		return err
	}
	reg := func(s string) context.Context {
		r, err := name.NewRegistry(s)
		if err != nil {
			t.Fatal(err)
		}
		return withHops(context.Background(), r)
	}

	remoteReg, loopReg, localhostReg := reg("registry.example.com"), reg("127.0.0.1:5000"), reg("localhost:5000")
	for _, c := range []struct {
		name  string
		ctx   context.Context
		url   string
		from  []string
		allow bool
	}{
		{"no source", context.Background(), "http://127.0.0.1:5000/v2/", nil, false},
		{"remote registry, https", remoteReg, "https://registry.example.com/v2/", nil, true},
		{"remote registry, https loopback", remoteReg, "https://127.0.0.1:8443/x", nil, true},
		{"remote registry, http itself", remoteReg, "http://registry.example.com/v2/", nil, false},
		{"remote registry, http loopback realm", remoteReg, "http://127.0.0.1:9000/token", nil, false},
		{"remote registry, http localhost", remoteReg, "http://localhost:9000/token", nil, false},
		{"remote registry, http ::1", remoteReg, "http://[::1]:9000/x", nil, false},
		{"remote registry, redirect to http loopback", remoteReg, "http://127.0.0.1:9000/blob", []string{"https://registry.example.com/v2/a/blobs/x"}, false},
		{"loopback registry, http", loopReg, "http://127.0.0.1:5000/v2/", nil, true},
		{"loopback registry, http other loopback", loopReg, "http://localhost:9000/token", nil, true},
		{"loopback registry, http private", loopReg, "http://10.0.0.1:5000/v2/", nil, false},
		{"loopback registry, http remote", loopReg, "http://evil.example.com/blob", nil, false},
		{"loopback registry, http redirect from http", loopReg, "http://127.0.0.1:9000/blob", []string{"http://127.0.0.1:5000/v2/a/blobs/x"}, true},
		{"loopback registry, redirect from https", loopReg, "http://127.0.0.1:9000/blob", []string{"https://cdn.example.com/x"}, false},
		{"loopback registry, redirect via https", loopReg, "http://127.0.0.1:9000/blob", []string{"http://127.0.0.1:5000/v2/a/blobs/x", "https://cdn.example.com/x"}, false},
		{"localhost registry, http", localhostReg, "http://localhost:5000/v2/", nil, true},
		{"any registry, ftp", loopReg, "ftp://127.0.0.1/x", nil, false},
	} {
		sent = nil
		err := get(c.ctx, c.url, c.from...)
		if c.allow && (err != nil || len(sent) != 1) {
			t.Errorf("%s: %s refused: %v", c.name, c.url, err)
		}
		if !c.allow && (err == nil || len(sent) != 0) {
			t.Errorf("%s: %s went out", c.name, c.url)
		}
	}

	// A loopback registry that answers over https is an https registry:
	// no request of the same fetch steps down to http after that, its
	// realm's included; an https answer from another host does not count.
	ctx := reg("127.0.0.1:5000")
	if err := get(ctx, "https://127.0.0.1:9443/token"); err != nil {
		t.Fatal(err)
	}
	if err := get(ctx, "http://127.0.0.1:5000/v2/"); err != nil {
		t.Fatalf("after an https answer from another host: %v", err)
	}
	if err := get(ctx, "https://127.0.0.1:5000/v2/"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://127.0.0.1:5000/v2/", "http://127.0.0.1:9000/token"} {
		if err := get(ctx, u); err == nil || !strings.Contains(err.Error(), "answered over https") {
			t.Errorf("%s after the registry answered over https: %v", u, err)
		}
	}
	// Another fetch starts afresh.
	if err := get(reg("127.0.0.1:5000"), "http://127.0.0.1:5000/v2/"); err != nil {
		t.Errorf("a new fetch: %v", err)
	}
}
