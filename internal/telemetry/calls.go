package telemetry

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// OutcomeOK is the outcome of a call, or an exchange, that succeeded.
const OutcomeOK = "ok"

// Tool is the instruments of one tool of one plugin, made when the tool is
// registered, so that a call resolves no label set. The outcomes it records
// are the host's own codes (those of the call's log line), a bounded set;
// the plugin and tool names passed the descriptor's patterns.
type Tool struct {
	t                      *Telemetry
	plugin, provider, name string
	spanName               string
	attrs                  []attribute.KeyValue
	counts                 cache[string, prometheus.Counter]
	times                  cache[string, prometheus.Observer]
}

// Tool returns the instruments of a tool; nil when t is nil.
func (t *Telemetry) Tool(plugin, provider, tool string) *Tool {
	if t == nil {
		return nil
	}
	m := &Tool{t: t, plugin: plugin, provider: provider, name: tool, spanName: "tools/call " + tool}
	m.attrs = []attribute.KeyValue{
		attribute.String("mcp.method.name", "tools/call"),
		attribute.String("gen_ai.operation.name", "execute_tool"),
		attribute.String("gen_ai.tool.name", tool),
		attribute.String(AttrPlugin, plugin),
		attribute.String(AttrProvider, provider),
	}
	m.count(OutcomeOK) // a tool's ok series exists from its load on, at 0
	return m
}

// Attribute keys of the host's own, beside OpenTelemetry's semantic ones.
const (
	AttrPlugin   = "wasmcp.plugin"
	AttrProvider = "wasmcp.provider"
	AttrOutcome  = "wasmcp.outcome"
)

func (m *Tool) count(outcome string) prometheus.Counter {
	return m.counts.get(outcome, func(o string) prometheus.Counter {
		return m.t.m.calls.WithLabelValues(m.plugin, m.name, o)
	})
}

func (m *Tool) time(outcome string) prometheus.Observer {
	return m.times.get(outcome, func(o string) prometheus.Observer {
		return m.t.m.callTime.WithLabelValues(m.plugin, m.name, o)
	})
}

// StartCall starts the span of a tool call, continuing the caller's trace
// when meta (the call's _meta) carries a W3C traceparent. With tracing off
// it returns ctx and a no-op span, at no cost.
func (m *Tool) StartCall(ctx context.Context, meta map[string]any) (context.Context, trace.Span) {
	if m == nil || !m.t.tracing {
		return ctx, noopSpan
	}
	ctx = extractMeta(ctx, meta)
	return m.t.tracer.Start(ctx, m.spanName, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(m.attrs...))
}

// Done records a call admitted by the caps, answered after d with outcome,
// and sets the outcome on the call's span in ctx.
func (m *Tool) Done(ctx context.Context, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.count(outcome).Inc()
	m.time(outcome).Observe(d.Seconds())
	if m.t.tracing {
		setOutcome(trace.SpanFromContext(ctx), outcome)
	}
}

// Refused records a call the caps refused, with the refusal's outcome
// (host_busy, user_busy, rate_limited), on its span too.
func (m *Tool) Refused(ctx context.Context, outcome string) {
	if m == nil {
		return
	}
	m.count(outcome).Inc()
	m.t.refusal(outcome).Inc()
	if m.t.tracing {
		setOutcome(trace.SpanFromContext(ctx), outcome)
	}
}

func (t *Telemetry) refusal(reason string) prometheus.Counter {
	return t.m.refused.WithLabelValues(reason) // refusals are the slow path
}

// setOutcome marks span with outcome: an error status, described by the
// outcome code, unless it is ok.
func setOutcome(span trace.Span, outcome string) {
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(attribute.String(AttrOutcome, outcome))
	if outcome != OutcomeOK {
		span.SetStatus(codes.Error, outcome)
	}
}

// exchangeKey is the label set of an exchange.
type exchangeKey struct {
	provider, outcome string
	status            int
}

// StartExchange starts the span of a token exchange.
func (t *Telemetry) StartExchange(ctx context.Context, provider string) (context.Context, trace.Span) {
	if t == nil || !t.tracing {
		return ctx, noopSpan
	}
	return t.tracer.Start(ctx, "token exchange", trace.WithAttributes(attribute.String(AttrProvider, provider)))
}

// ExchangeDone records an exchange for provider that took d, with its
// outcome (ok or an error code) and the backend's HTTP status (0: none),
// and ends its span.
func (t *Telemetry) ExchangeDone(span trace.Span, provider, outcome string, status int, d time.Duration) {
	if t == nil {
		return
	}
	t.exchanges.get(exchangeKey{provider, outcome, status}, func(k exchangeKey) prometheus.Observer {
		return t.m.exchTime.WithLabelValues(k.provider, k.outcome, statusLabel(k.status))
	}).Observe(d.Seconds())
	if span.IsRecording() {
		if status > 0 {
			span.SetAttributes(attribute.Int("http.response.status_code", status))
		}
		setOutcome(span, outcome)
	}
	span.End()
}

// statusLabel is an HTTP status as a label: its three digits, or none.
func statusLabel(status int) string {
	if status < 100 || status > 999 {
		return "none"
	}
	return strconv.Itoa(status)
}

// HTTPRequest is one HTTP request a plugin asked the host for.
type HTTPRequest struct {
	// Plugin made the request; Method is its method.
	Plugin, Method string
	// Host is the host of the declared base the URL fell under; "" when
	// the request was refused before one was found.
	Host string
	// Sent says the request left the host; Status is then the response's
	// status, or 0 when none was read.
	Sent   bool
	Status int
	// Error is the abi error code the plugin got, "" for none.
	Error string
	// Redirects is the redirects followed; Start when the host took the
	// request.
	Redirects int
	Start     time.Time
}

// requestKey is the label set of an HTTP request.
type requestKey struct{ plugin, host, class string }

// HTTPRequestDone records r, and its span as a child of the span in ctx
// (the guest call's).
func (t *Telemetry) HTTPRequestDone(ctx context.Context, r HTTPRequest) {
	if t == nil {
		return
	}
	d := time.Since(r.Start)
	host := r.Host
	if host == "" || !r.Sent {
		host = "none"
	}
	o := t.requests.get(requestKey{r.Plugin, host, statusClass(r.Sent, r.Status)}, func(k requestKey) observed {
		o := observed{count: t.m.httpReqs.WithLabelValues(k.plugin, k.host, k.class)}
		if k.class != classRefused {
			o.time = t.m.httpTime.WithLabelValues(k.plugin, k.host)
		}
		return o
	})
	o.count.Inc()
	if o.time != nil {
		o.time.Observe(d.Seconds())
	}
	if !t.tracing {
		return
	}
	method := knownMethod(r.Method)
	_, span := t.tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(r.Start))
	if !span.IsRecording() {
		span.End()
		return
	}
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, attribute.String("http.request.method", method), attribute.String(AttrPlugin, r.Plugin))
	if r.Sent {
		attrs = append(attrs, attribute.String("server.address", r.Host))
	}
	if r.Status > 0 {
		attrs = append(attrs, attribute.Int("http.response.status_code", r.Status))
	}
	if r.Redirects > 0 {
		attrs = append(attrs, attribute.Int("wasmcp.http.redirects", r.Redirects))
	}
	if r.Error != "" {
		attrs = append(attrs, attribute.String("error.type", r.Error))
		span.SetStatus(codes.Error, r.Error)
	} else if r.Status >= 500 {
		attrs = append(attrs, attribute.String("error.type", strconv.Itoa(r.Status)))
		span.SetStatus(codes.Error, "")
	}
	span.SetAttributes(attrs...)
	span.End()
}

// Status classes of http_requests_total beside 1xx..5xx.
const (
	classRefused = "refused" // not sent: the host refused it
	classError   = "error"   // sent, and no response read
)

func statusClass(sent bool, status int) string {
	switch {
	case !sent:
		return classRefused
	case status >= 100 && status < 200:
		return "1xx"
	case status >= 200 && status < 300:
		return "2xx"
	case status >= 300 && status < 400:
		return "3xx"
	case status >= 400 && status < 500:
		return "4xx"
	case status >= 500 && status < 600:
		return "5xx"
	}
	return classError
}

// knownMethod is method if it is one of HTTP's, else _OTHER (as the
// semantic conventions have it), so that a plugin cannot name spans.
func knownMethod(method string) string {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH":
		return method
	}
	return "_OTHER"
}
