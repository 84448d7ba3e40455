package hostfuncs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/secret"
	"github.com/wasmcp/wasmcp/jsonsel"
)

// Do performs one guest HTTP request for the Call in ctx: it is the pure-Go
// core of the FuncHTTPRequest host function, usable from tests and
// benchmarks.
//
// Steps, any of which may end the request with an HTTPResponse whose Error
// is set (and Status 0):
//
//  1. No Call in ctx: ErrHostNotAllowed (HTTP exists only during a tool call).
//     A Token shorter than secret.MinLen, which the scrubber could not
//     catch: ErrTransport, nothing sent.
//  2. The Call's request budget is spent: ErrTooManyRequests.
//  3. Method, URL, headers or body malformed or too large: ErrBadRequest.
//  4. A header the host owns (Authorization, Cookie, Host, hop-by-hop, ...):
//     ErrHeaderNotAllowed.
//  5. The URL is not under a declared base: ErrHostNotAllowed.
//  6. In a rehearsal (NewRehearsal), the request is answered without
//     being sent.
//  7. The URL is rewritten onto its target, "Authorization: Bearer <token>"
//     is added, and the request is sent, following redirects within the
//     policy's targets (see exchange). DNS, connection, TLS, timeout and
//     redirect-loop failures: ErrTransport.
//  8. A body longer than Limits.MaxResponseBytes: ErrResponseTooLarge.
//
// Every Secret of the Call is replaced by "[REDACTED]" in the body, header
// names and values, and error messages handed back, in any ASCII case (Go
// canonicalises header names); Set-Cookie headers are dropped; repeated
// headers are joined with ", ".
func (f *Funcs) Do(ctx context.Context, req abi.HTTPRequest) abi.HTTPResponse {
	c, ok := CallFrom(ctx)
	if !ok {
		return refuse(abi.ErrHostNotAllowed, "HTTP requests are allowed only during a tool call").response(nil)
	}
	start := time.Now()
	lim := c.Limits.withDefaults()
	sc := c.scrubber()
	if c.Token != "" && !secret.LongEnough(c.Token) {
		// The scrubber does not look for so short a token (it would alter
		// legitimate data), so it must not be sent where it could be echoed.
		r := refuse(abi.ErrTransport, "the host has no usable access token for this call")
		f.requestRefused(ctx, c, req, r, start)
		return r.response(sc)
	}
	if n := c.requests.Add(1); n > int64(lim.MaxRequests) {
		c.hitLimit(abi.ErrTooManyRequests)
		r := refuse(abi.ErrTooManyRequests, "the plugin has used all %d HTTP requests of this call", lim.MaxRequests)
		f.requestRefused(ctx, c, req, r, start)
		return r.response(sc)
	}
	o, err := prepare(req, c.Policy, f.userAgent)
	if err != nil {
		var r *refusal
		if !errors.As(err, &r) {
			r = refuse(abi.ErrBadRequest, "%v", err)
		}
		f.requestRefused(ctx, c, req, r, start)
		return r.response(sc)
	}
	if c.rehearsal {
		return rehearsed(o)
	}

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, lim.RequestTimeout)
	defer cancel()
	done := c.onNetwork()
	resp, hop, hops, err := f.exchange(ctx, c, o)
	if err != nil {
		done()
		r := refuse(abi.ErrTransport, "%s %s: %s", o.method, safeURL(hop), transportCause(parent, ctx, err, lim.RequestTimeout))
		f.requestDone(ctx, c, o, hop, 0, 0, hops, start, r, sc)
		return r.response(sc)
	}
	defer resp.Body.Close()
	c.lastStatus.Store(int64(resp.StatusCode))

	body, err := io.ReadAll(io.LimitReader(resp.Body, lim.MaxResponseBytes+1)) // +1: detect "longer than"
	done()
	if err != nil {
		r := refuse(abi.ErrTransport, "%s %s: reading the response body: %s", o.method, safeURL(hop), transportCause(parent, ctx, err, lim.RequestTimeout))
		f.requestDone(ctx, c, o, hop, resp.StatusCode, len(body), hops, start, r, sc)
		return r.response(sc)
	}
	if int64(len(body)) > lim.MaxResponseBytes {
		c.hitLimit(abi.ErrResponseTooLarge)
		r := refuse(abi.ErrResponseTooLarge, "%s %s: the response body is larger than %d bytes", o.method, safeURL(hop), lim.MaxResponseBytes)
		f.requestDone(ctx, c, o, hop, resp.StatusCode, len(body), hops, start, r, sc)
		return r.response(sc)
	}
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") && !resp.Uncompressed {
		// An encoding the transport did not undo (one it did not ask for)
		// would hide an echoed token from the scrubber.
		r := refuse(abi.ErrTransport, "%s %s: the response is encoded with %q, which the host does not decode", o.method, safeURL(hop), ce)
		f.requestDone(ctx, c, o, hop, resp.StatusCode, len(body), hops, start, r, sc)
		return r.response(sc)
	}
	f.requestDone(ctx, c, o, hop, resp.StatusCode, len(body), hops, start, nil, sc)
	out := abi.HTTPResponse{
		Status:  resp.StatusCode,
		Headers: responseHeader(resp.Header, sc),
		Body:    sc.String(string(body)),
	}
	// The body was scrubbed whole; the selection is scrubbed again, since a
	// path builds new JSON around the values it picks.
	if sel, ok := jsonsel.Apply([]byte(out.Body), o.sel, resp.StatusCode); ok {
		out.Body, out.Selected = sc.String(string(sel)), true
	}
	return out
}

// onNetwork counts a request on the network in c.Waiting, until the
// function it returns is called.
func (c *Call) onNetwork() func() {
	if c.Waiting == nil {
		return func() {}
	}
	c.Waiting.Add(1)
	return func() { c.Waiting.Add(-1) }
}

// response turns a refusal into the HTTPResponse the guest sees, scrubbed.
func (r *refusal) response(sc *scrubber) abi.HTTPResponse {
	return abi.HTTPResponse{Error: r.code, ErrorMessage: sc.String(r.msg)}
}

// responseHeader is h as the guest sees it: Set-Cookie dropped, repeated
// values joined with ", ", secrets scrubbed.
func responseHeader(h http.Header, sc *scrubber) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, vs := range h {
		switch textproto.CanonicalMIMEHeaderKey(k) {
		case "Set-Cookie", "Set-Cookie2":
			continue
		}
		out[sc.String(k)] = sc.String(strings.Join(vs, ", "))
	}
	return out
}

// transportCause explains a failed exchange without the URL (the caller
// names it) and without anything from the request's headers.
func transportCause(parent, ctx context.Context, err error, timeout time.Duration) string {
	var refused *dialRefusedError
	var nerr net.Error
	switch {
	case errors.As(err, &refused):
		return refused.Error()
	case errors.Is(err, errTooManyRedirects):
		return err.Error()
	case parent.Err() != nil:
		return "the tool call ended before the response arrived"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("no complete response within the %s request timeout", timeout)
	case errors.As(err, &nerr) && nerr.Timeout():
		return "timed out"
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}

// safeURL is scheme://host/path of u, without userinfo or query, for
// messages and logs.
func safeURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}
