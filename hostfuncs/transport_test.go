package hostfuncs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// hardened returns Funcs on the default transport, trusting srv's certificate.
func hardened(t *testing.T, srv *upstream) *Funcs {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	f := New(Options{Transport: newDefaultTransport(&tls.Config{RootCAs: pool})})
	t.Cleanup(f.CloseIdleConnections)
	return f
}

// A declared host that resolves to loopback is refused at dial time unless
// the operator mapped it.
func TestDialRefusesLoopbackUnlessMapped(t *testing.T) {
	srv := newUpstream(t, true, nil)
	f := hardened(t, srv)
	base := "https://localhost:" + srv.port()
	ip := "https://127.0.0.1:" + srv.port()

	for _, declared := range []string{base, ip} {
		c := newCall(mustPolicy(t, []string{declared}, nil))
		resp := f.Do(callCtx(c), abi.HTTPRequest{URL: declared + "/internal"})
		wantErr(t, resp, abi.ErrTransport)
		if !strings.Contains(resp.ErrorMessage, "loopback") {
			t.Errorf("%s: message = %q", declared, resp.ErrorMessage)
		}
	}
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("internal server received %d requests", n)
	}

	// The same server as an operator mapping target is reachable, and a
	// later unmapped request does not ride on the mapped connection.
	mapped := newCall(mustPolicy(t, []string{"https://api.example.com"}, map[string]string{"https://api.example.com": ip}))
	wantOK(t, f.Do(callCtx(mapped), abi.HTTPRequest{URL: "https://api.example.com/ok"}), 200)
	unmapped := newCall(mustPolicy(t, []string{ip}, nil))
	wantErr(t, f.Do(callCtx(unmapped), abi.HTTPRequest{URL: ip + "/internal"}), abi.ErrTransport)
	if reqs := srv.requests(); len(reqs) != 1 || reqs[0].Path != "/ok" || reqs[0].Auth != "Bearer "+testToken {
		t.Fatalf("server saw %+v", reqs)
	}
}

// A redirect from a public-looking host to a loopback name would be refused
// by the policy already; this checks the dial rule for hops: a hop to an
// unmapped target that resolves to loopback is refused at dial time.
func TestDialRefusesRedirectHopToLoopback(t *testing.T) {
	var srv *upstream
	srv = newUpstream(t, true, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/start" {
			http.Redirect(w, r, "https://localhost:"+srv.port()+"/inside", http.StatusFound)
		}
	})
	port := srv.port()
	f := hardened(t, srv)
	c := newCall(mustPolicy(t,
		[]string{"https://api.example.com", "https://localhost:" + port},
		map[string]string{"https://api.example.com": "https://127.0.0.1:" + port}))
	resp := f.Do(callCtx(c), abi.HTTPRequest{URL: "https://api.example.com/start"})
	wantErr(t, resp, abi.ErrTransport)
	for _, r := range srv.requests() {
		if r.Path == "/inside" {
			t.Fatal("hop reached the loopback service")
		}
	}
}

func TestNonPublic(t *testing.T) {
	for _, tt := range []struct {
		addr string
		want string
	}{
		{"127.0.0.1", "loopback"}, {"127.255.0.1", "loopback"}, {"::1", "loopback"}, {"::ffff:127.0.0.1", "loopback"},
		{"10.1.2.3", "private"}, {"172.16.0.1", "private"}, {"192.168.1.1", "private"}, {"fd00::1", "private"}, {"fc00::1", "private"},
		{"169.254.169.254", "link-local"}, {"fe80::1", "link-local"},
		{"0.0.0.0", "unspecified"}, {"::", "unspecified"},
		{"224.0.0.1", "multicast"}, {"ff02::1", "multicast"}, {"ff05::1", "multicast"},
		{"100.100.100.200", "reserved"}, {"0.1.2.3", "reserved"}, {"255.255.255.255", "reserved"}, {"198.18.0.1", "reserved"},
		{"::127.0.0.1", "reserved"}, {"2001::1", "reserved"},
		{"64:ff9b::7f00:1", "loopback"}, {"64:ff9b::a00:1", "private"}, {"2002:7f00:1::", "loopback"}, {"2002:c0a8:101::", "private"},
		{"140.82.112.6", ""}, {"8.8.8.8", ""}, {"2606:4700::1111", ""}, {"64:ff9b::808:808", ""}, {"::ffff:8.8.8.8", ""},
	} {
		if got := nonPublic(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("nonPublic(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestRefusePrivateControl(t *testing.T) {
	if err := refusePrivate(context.Background(), "tcp4", "127.0.0.1:443", nil); err == nil {
		t.Error("loopback allowed")
	}
	if err := refusePrivate(context.Background(), "tcp6", "[fe80::1]:443", nil); err == nil {
		t.Error("link-local allowed")
	}
	if err := refusePrivate(context.Background(), "tcp4", "140.82.112.6:443", nil); err != nil {
		t.Errorf("public refused: %v", err)
	}
	if err := refusePrivate(context.Background(), "tcp4", "garbage", nil); err == nil {
		t.Error("garbage allowed")
	}
}

func TestDefaultTransportSettings(t *testing.T) {
	r := newDefaultTransport(nil).(*router)
	for _, tr := range []*http.Transport{r.public, r.private} {
		if tr.Proxy != nil {
			t.Error("proxy from environment")
		}
		if tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
			t.Error("TLS below 1.2 allowed")
		}
		if tr.TLSHandshakeTimeout == 0 || tr.MaxResponseHeaderBytes == 0 {
			t.Error("unbounded handshake or headers")
		}
	}
}
