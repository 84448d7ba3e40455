// Package loopback is the rule for a host name that may be reached without
// TLS because it names this machine: the token backend's URL (host/auth)
// and a registry's (internal/ociplugin) follow it.
package loopback

import (
	"net/netip"
	"strings"
)

// Host reports whether host (no port) is "localhost", in any case and with
// or without a final dot, or a loopback IP address (IPv4-mapped IPv6
// included). Other names that may resolve to loopback, such as
// "foo.localhost", are not trusted.
func Host(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
