package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// connPrefix starts the details of every failure to reach the backend.
const connPrefix = "Could not connect to backend API: "

// transportFailure turns an error of http.Client.Do, or of reading a
// response body, into api_error details, and says whether a retry may help.
// The details are fixed sentences: the error's own text (which names the URL
// and addresses) goes to the debug log only.
//
//   - timeouts, whoever set them                   → "Backend API request timed out", retry
//   - refused, reset, unreachable, other net errors → "Could not connect to backend API: …", retry
//   - DNS failures                                 → "… DNS lookup failed", retry unless the name does not exist
//   - TLS failures, certificate ones included      → "… TLS handshake failed[ (why)]", no retry
func transportFailure(err error) (details string, retry bool) {
	var (
		netErr   net.Error
		dnsErr   *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		opErr    *net.OpError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return detailsTimeout, true
	case errors.Is(err, context.Canceled):
		return "Token exchange was canceled", false

	case errors.As(err, &unknown):
		return connPrefix + "TLS handshake failed (certificate signed by unknown authority)", false
	case errors.As(err, &hostname):
		return connPrefix + "TLS handshake failed (certificate is not valid for the host)", false
	case errors.As(err, &invalid):
		return connPrefix + "TLS handshake failed (certificate is invalid or expired)", false
	case errors.As(err, &verify), errors.As(err, &record):
		return connPrefix + "TLS handshake failed", false
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return connPrefix + "TLS handshake failed (the server answered in plain HTTP)", false
	case strings.Contains(err.Error(), "tls: "):
		// Alerts and protocol errors of crypto/tls have no exported type.
		return connPrefix + "TLS handshake failed", false

	case errors.As(err, &dnsErr):
		return connPrefix + "DNS lookup failed", !dnsErr.IsNotFound
	case errors.Is(err, syscall.ECONNREFUSED):
		return connPrefix + "connection refused", true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return connPrefix + "connection closed unexpectedly", true
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return connPrefix + "host unreachable", true
	case errors.As(err, &opErr):
		return connPrefix + "network error", true
	}
	return connPrefix + "request failed", false
}
