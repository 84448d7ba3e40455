package hostfuncs

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Timeouts and sizes of the default transport.
const (
	dialTimeout            = 10 * time.Second
	tlsHandshakeTimeout    = 10 * time.Second
	idleConnTimeout        = 90 * time.Second
	maxResponseHeaderBytes = 64 << 10
)

type privateKey struct{}

// withPrivateDial marks ctx's request as bound for an operator-mapped target,
// which may be dialed on loopback and private addresses.
func withPrivateDial(ctx context.Context, allow bool) context.Context {
	return context.WithValue(ctx, privateKey{}, allow)
}

func privateDialAllowed(ctx context.Context) bool {
	allow, _ := ctx.Value(privateKey{}).(bool)
	return allow
}

// newDefaultTransport returns the hardened transport used when
// Options.Transport is nil. tlsConf, when not nil, is cloned as the base TLS
// configuration (tests use it to trust their own CA).
//
// It is two http.Transports behind a router: requests whose context allows a
// private dial (see withPrivateDial) go to one whose dialer reaches any
// address; all others go to one whose dialer refuses every address that is
// not public. Keeping two connection pools means a connection dialed for an
// operator-mapped target is never reused for a request that was not.
func newDefaultTransport(tlsConf *tls.Config) http.RoundTripper {
	return &router{
		public:  newTransport(false, tlsConf),
		private: newTransport(true, tlsConf),
	}
}

type router struct{ public, private *http.Transport }

func (r *router) RoundTrip(req *http.Request) (*http.Response, error) {
	if privateDialAllowed(req.Context()) {
		return r.private.RoundTrip(req)
	}
	return r.public.RoundTrip(req)
}

// CloseIdleConnections closes the idle connections of both pools.
func (r *router) CloseIdleConnections() {
	r.public.CloseIdleConnections()
	r.private.CloseIdleConnections()
}

func newTransport(allowPrivate bool, tlsConf *tls.Config) *http.Transport {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.ControlContext = refusePrivate
	}
	tc := &tls.Config{}
	if tlsConf != nil {
		tc = tlsConf.Clone()
	}
	if tc.MinVersion < tls.VersionTLS12 {
		tc.MinVersion = tls.VersionTLS12
	}
	return &http.Transport{
		Proxy:                  nil, // never from the environment
		DialContext:            d.DialContext,
		TLSClientConfig:        tc,
		TLSHandshakeTimeout:    tlsHandshakeTimeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        idleConnTimeout,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    8,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		ForceAttemptHTTP2:      true,
	}
}

// refusePrivate is a net.Dialer ControlContext. It runs after name
// resolution, on the very address about to be connected, so a DNS answer
// that points a public name at an internal service is refused as well. The
// dialer then tries the name's next address, if any.
func refusePrivate(_ context.Context, network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &dialRefusedError{addr: address, why: "unparsable address"}
	}
	if why := nonPublic(ap.Addr()); why != "" {
		return &dialRefusedError{addr: ap.Addr().String(), why: why}
	}
	return nil
}

// dialRefusedError is the error of a dial to a non-public address.
type dialRefusedError struct{ addr, why string }

func (e *dialRefusedError) Error() string {
	return fmt.Sprintf("address %s is %s; such addresses are reachable only through an operator upstream mapping", e.addr, e.why)
}

// Address blocks refused besides those netip classifies.
var (
	blockedV4 = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
		netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT, cloud internals
		netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
		netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
		netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
		netip.MustParsePrefix("192.0.2.0/24"),    // documentation
		netip.MustParsePrefix("198.51.100.0/24"), // documentation
		netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	}
	blockedV6 = []netip.Prefix{
		netip.MustParsePrefix("::/96"),         // IPv4-compatible (deprecated)
		netip.MustParsePrefix("100::/64"),      // discard
		netip.MustParsePrefix("2001::/32"),     // Teredo: hides an IPv4 address
		netip.MustParsePrefix("2001:db8::/32"), // documentation
	}
	nat64  = []netip.Prefix{netip.MustParsePrefix("64:ff9b::/96"), netip.MustParsePrefix("64:ff9b:1::/48")}
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// nonPublic says why a is not a public unicast address, or "" when it is.
func nonPublic(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return "invalid"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	}
	blocked := blockedV6
	if a.Is4() {
		blocked = blockedV4
	}
	for _, p := range blocked {
		if p.Contains(a) {
			return "reserved"
		}
	}
	// Translated addresses are judged by the IPv4 address they carry.
	if a.Is6() {
		b := a.As16()
		for _, p := range nat64 {
			if p.Contains(a) {
				return nonPublic(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
			}
		}
		if sixTo4.Contains(a) {
			return nonPublic(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	return ""
}
