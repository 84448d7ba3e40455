package hostfuncs

import (
	"context"
	"net/url"
	"time"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/telemetry"
)

// The telemetry of the guests' HTTP requests: one metric sample and one span
// per request, beside its log line. They name the plugin, the method, the
// host of the declared base the URL fell under (never the URL, its path or
// its query: those are the plugin's, and may hold user data), the status
// and the abi error code.

// requestDone logs a performed request (see logDone) and records it.
func (f *Funcs) requestDone(ctx context.Context, c *Call, o *outgoing, hop *url.URL, status, n, hops int, start time.Time, r *refusal, sc *scrubber) {
	f.logDone(ctx, c, o.method, hop, status, n, hops, start, r, sc)
	if f.tel == nil || c.rehearsal {
		return
	}
	f.tel.HTTPRequestDone(ctx, telemetry.HTTPRequest{
		Plugin: c.Plugin, Method: o.method, Host: c.Policy.declaredHost(o.guest),
		Sent: true, Status: status, Error: r.errCode(), Redirects: hops, Start: start,
	})
}

// requestRefused logs a request refused before it was sent (see logRefusal)
// and records it.
func (f *Funcs) requestRefused(ctx context.Context, c *Call, req abi.HTTPRequest, r *refusal, start time.Time) {
	f.logRefusal(ctx, c, req, r)
	if f.tel == nil || c.rehearsal { // a warm-up's requests are not the plugin's
		return
	}
	f.tel.HTTPRequestDone(ctx, telemetry.HTTPRequest{Plugin: c.Plugin, Method: req.Method, Error: r.errCode(), Start: start})
}

// errCode is the refusal's abi error code; "" for none.
func (r *refusal) errCode() string {
	if r == nil {
		return ""
	}
	return r.code
}

// declaredHost is the host of the declared base that u, a URL in the
// guest's space, falls under: a bounded label, whatever the URL. "" if none.
func (p *Policy) declaredHost(u *url.URL) string {
	if p == nil || u == nil {
		return ""
	}
	for _, r := range p.rules {
		if _, ok := r.from.Contains(u); ok {
			return r.from.Host()
		}
	}
	return ""
}
