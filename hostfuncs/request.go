package hostfuncs

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/reqrules"
	"github.com/wasmcp/wasmcp/jsonsel"
)

// MaxRequestBody caps HTTPRequest.Body.
const MaxRequestBody = reqrules.MaxBody

// DefaultUserAgent is sent when neither the guest nor Options set one.
const DefaultUserAgent = "wasmcp"

// outgoing is a validated guest request, ready to send.
type outgoing struct {
	method  string
	guest   *url.URL // the URL the guest asked for, normalized
	target  *url.URL // the URL to send, in the target space
	private bool     // target is operator-mapped: private dials allowed
	header  http.Header
	body    string
	sel     string // the GJSON path of HTTPRequest.Select, or ""
}

// prepare validates req against the rules of package reqrules (which
// pdktest applies too) and the policy, and builds the request to send. The
// error is a *refusal.
//
// Select is checked first, then the rules in reqrules.Check's order, then
// the policy.
func prepare(req abi.HTTPRequest, p *Policy, userAgent string) (*outgoing, error) {
	if err := jsonsel.Check(req.Select); err != nil {
		return nil, refuse(abi.ErrBadRequest, "%v", err)
	}
	r, err := reqrules.Check(reqrules.Request{Method: req.Method, URL: req.URL, Headers: req.Headers, Body: req.Body})
	if err != nil {
		return nil, ruleRefusal(err)
	}
	target, private, err := p.route(r.URL)
	if err != nil {
		return nil, err
	}
	return &outgoing{method: r.Method, guest: r.URL, target: target, private: private,
		header: requestHeader(req.Headers, userAgent), body: req.Body, sel: req.Select}, nil
}

// requestHeader returns the guest's headers, which passed
// reqrules.CheckHeaders, canonicalized, with a User-Agent.
func requestHeader(in map[string]string, userAgent string) http.Header {
	names := make([]string, 0, len(in))
	for k := range in {
		names = append(names, k)
	}
	sort.Strings(names) // deterministic order for names differing in case
	h := make(http.Header, len(in)+1)
	for _, k := range names {
		h.Add(k, in[k])
	}
	if h.Get("User-Agent") == "" {
		if userAgent == "" {
			userAgent = DefaultUserAgent
		}
		h.Set("User-Agent", userAgent)
	}
	return h
}

// parseRequestURL is reqrules.ParseURL with its error a *refusal.
func parseRequestURL(s string) (*url.URL, error) {
	u, err := reqrules.ParseURL(s)
	if err != nil {
		return nil, ruleRefusal(err)
	}
	return u, nil
}

// ruleRefusal turns an error of package reqrules into a *refusal with the
// same code and message.
func ruleRefusal(err error) *refusal {
	var r *reqrules.Refusal
	if errors.As(err, &r) {
		return &refusal{code: r.Code, msg: r.Message}
	}
	return refuse(abi.ErrBadRequest, "%v", err)
}

// clip shortens a guest-supplied string quoted in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// refusal is a request the host would not (or could not) perform; code is
// one of the abi.Err* codes.
type refusal struct{ code, msg string }

func (r *refusal) Error() string { return r.code + ": " + r.msg }

func refuse(code, format string, args ...any) *refusal {
	return &refusal{code: code, msg: fmt.Sprintf(format, args...)}
}
