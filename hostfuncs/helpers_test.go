package hostfuncs

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

const (
	testToken     = "gho_T0ken+/with=odd&chars"
	testUserToken = "user-temp-token-0123456789"
)

// seen is one request as an upstream server received it.
type seen struct {
	Method, Path, RawQuery, Auth, UserAgent, ContentType, Cookie string
	Header                                                       http.Header
	Body                                                         string
}

// upstream is a fake provider API that records what it receives.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

// newUpstream starts a fake API served by h (nil: 200 "ok"), over TLS when
// tlsOn. It records every request before h runs.
func newUpstream(t *testing.T, tlsOn bool, h http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{}
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, seen{
			Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
			Auth: r.Header.Get("Authorization"), UserAgent: r.Header.Get("User-Agent"),
			ContentType: r.Header.Get("Content-Type"), Cookie: r.Header.Get("Cookie"),
			Header: r.Header.Clone(), Body: string(b),
		})
		u.mu.Unlock()
		h(w, r)
	})
	if tlsOn {
		u.Server = httptest.NewTLSServer(handler)
	} else {
		u.Server = httptest.NewServer(handler)
	}
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) requests() []seen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]seen(nil), u.reqs...)
}

func (u *upstream) addr() string { return u.Listener.Addr().String() }

func (u *upstream) port() string {
	_, port, _ := net.SplitHostPort(u.addr())
	return port
}

// fakeDNS is a test transport that dials "host:port" at the address the
// test assigned to it, records every dial, and fails any other dial. TLS is
// not verified (the servers' certificates name 127.0.0.1, not the fake hosts).
type fakeDNS struct {
	mu     sync.Mutex
	routes map[string]string
	dials  []string
	*http.Transport
}

func newFakeDNS(routes map[string]string) *fakeDNS {
	f := &fakeDNS{routes: routes}
	var d net.Dialer
	f.Transport = &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			f.mu.Lock()
			f.dials = append(f.dials, addr)
			to, ok := f.routes[addr]
			f.mu.Unlock()
			if !ok {
				return nil, &net.DNSError{Err: "no such host (fake DNS)", Name: addr, IsNotFound: true}
			}
			return d.DialContext(ctx, network, to)
		},
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
	return f
}

func (f *fakeDNS) dialed(addr string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.dials {
		if d == addr {
			return true
		}
	}
	return false
}

func mustPolicy(t *testing.T, declared []string, upstreams map[string]string) *Policy {
	t.Helper()
	p, err := NewPolicy(declared, upstreams)
	if err != nil {
		t.Fatalf("NewPolicy(%q, %v): %v", declared, upstreams, err)
	}
	return p
}

func newCall(p *Policy) *Call {
	return &Call{Plugin: "test", Provider: "github", Token: testToken, Secrets: []string{testToken, testUserToken}, Policy: p}
}

func callCtx(c *Call) context.Context { return WithCall(context.Background(), c) }

// wantOK fails unless resp is a successful exchange with the given status.
func wantOK(t *testing.T, resp abi.HTTPResponse, status int) {
	t.Helper()
	if resp.Error != "" || resp.Status != status {
		t.Fatalf("got status %d error %q (%s), want status %d", resp.Status, resp.Error, resp.ErrorMessage, status)
	}
}

// wantErr fails unless resp carries the error code.
func wantErr(t *testing.T, resp abi.HTTPResponse, code string) {
	t.Helper()
	if resp.Error != code || resp.Status != 0 {
		t.Fatalf("got status %d error %q (%s), want error %q", resp.Status, resp.Error, resp.ErrorMessage, code)
	}
	noSecret(t, resp)
}

// noSecret fails if any part of resp holds a secret of newCall.
func noSecret(t *testing.T, resp abi.HTTPResponse) {
	t.Helper()
	all := resp.Body + resp.ErrorMessage
	for k, v := range resp.Headers {
		all += k + v
	}
	for _, s := range []string{testToken, testUserToken, "T0ken"} {
		if strings.Contains(all, s) {
			t.Fatalf("response leaks %q: %+v", s, resp)
		}
	}
}
