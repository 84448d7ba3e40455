// Package reqrules holds the rules a plugin's HTTP request must obey before
// the host sends it: the methods, the size bounds, the headers the host keeps
// to itself, the shape of the URL (no userinfo, no "." or ".." segment
// however it is escaped), and when a URL falls under a declared base URL.
//
// They are the host's rules, in one place. Package hostfuncs applies them to
// every guest request; pdk/pdktest applies the same functions, so a plugin
// whose native tests pass is not refused in production; pdk's path builder
// applies the segment rule, so it never builds a path the host refuses. The
// package imports nothing but light parts of the standard library (no net,
// no net/http), abi and internal/safetext, which import no more, so a Wasm
// guest may link it. Rules only the host can apply (its operator's upstream
// mapping, the dialer's address checks, budgets) stay in hostfuncs; Select
// paths are checked by package jsonsel, which both sides call as well.
//
// reqrulestest holds the one table of requests that hostfuncs and pdktest
// both run, so that the two cannot drift apart.
package reqrules

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// Bounds on what a guest may send.
const (
	// MaxBody caps a request body, in bytes.
	MaxBody = 1 << 20
	// MaxHeaders caps the number of request headers.
	MaxHeaders = 64
	// MaxHeaderValue caps each header value, in bytes.
	MaxHeaderValue = 8 << 10
	// MaxURL caps the URL, in bytes.
	MaxURL = 8 << 10
)

// Refusal is a request the rules forbid: Code is abi.ErrBadRequest,
// abi.ErrHeaderNotAllowed or abi.ErrHostNotAllowed, and Message says why,
// for the plugin (and through it the model).
type Refusal struct {
	Code    string
	Message string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Message }

func refuse(code, format string, args ...any) *Refusal {
	return &Refusal{Code: code, Message: fmt.Sprintf(format, args...)}
}

// methods a guest may use. CONNECT and TRACE are left out on purpose.
var methods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true,
	"PATCH": true, "DELETE": true, "OPTIONS": true,
}

// Method returns the method to send for m: m trimmed and upper-cased, ""
// meaning GET. The error is a *Refusal (abi.ErrBadRequest) for any method
// but GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS.
func Method(m string) (string, error) {
	method := strings.ToUpper(strings.TrimSpace(m))
	if method == "" {
		method = "GET"
	}
	if !methods[method] {
		return "", refuse(abi.ErrBadRequest, "method %q is not supported", safetext.Clip(m, 32))
	}
	return method, nil
}

// Request is the part of a guest's HTTP request the rules read, as
// abi.HTTPRequest carries it.
type Request struct {
	Method  string
	URL     string
	Headers map[string]string
	Body    string
}

// Checked is a request that obeys the rules, its URL not yet matched to a
// declared base (see Base.Contains).
type Checked struct {
	// Method is upper-case, GET for "".
	Method string
	// URL is normalized, as ParseURL returns it.
	URL *url.URL
}

// Check applies the rules to r: its method, the lengths of its URL and body,
// its headers (CheckHeaders) and its URL (ParseURL), in that order. The
// error is a *Refusal for the first rule r breaks.
func Check(r Request) (Checked, error) {
	method, err := Method(r.Method)
	if err != nil {
		return Checked{}, err
	}
	if len(r.URL) > MaxURL {
		return Checked{}, refuse(abi.ErrBadRequest, "the URL is longer than %d bytes", MaxURL)
	}
	if len(r.Body) > MaxBody {
		return Checked{}, refuse(abi.ErrBadRequest, "the body is longer than %d bytes", MaxBody)
	}
	if err := CheckHeaders(r.Headers); err != nil {
		return Checked{}, err
	}
	u, err := ParseURL(r.URL)
	if err != nil {
		return Checked{}, err
	}
	return Checked{Method: method, URL: u}, nil
}
