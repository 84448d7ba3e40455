package telemetry

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// noopSpan is the span of every step while tracing is off: a zero-size
// value, so returning it allocates nothing.
var noopSpan trace.Span = noop.Span{}

// Names of the spans of a call's steps (the call's own is "tools/call
// TOOL", an HTTP request's its method).
const (
	SpanValidateMeta = "validate _meta"
	SpanGetInstance  = "get instance"
	SpanGuestCall    = "guest call"
)

// Start starts a span named name under the span in ctx. With tracing off it
// returns ctx and a no-op span, touching neither.
func (t *Telemetry) Start(ctx context.Context, name string) (context.Context, trace.Span) {
	if t == nil || !t.tracing {
		return ctx, noopSpan
	}
	return t.tracer.Start(ctx, name)
}

// End ends span; a non-empty code (an outcome or error code chosen by the
// host, never free text) marks it failed.
func End(span trace.Span, code string) {
	if code != "" && span.IsRecording() {
		span.SetAttributes(attribute.String(AttrOutcome, code))
		span.SetStatus(codes.Error, code)
	}
	span.End()
}

// EndGuestCall ends the span of a guest call with the guest's return code,
// and failed when the call returned an error or a non-zero code. The
// error's text is not recorded: the guest wrote it.
func EndGuestCall(span trace.Span, rc uint32, failed bool) {
	if span.IsRecording() {
		span.SetAttributes(attribute.Int64("wasmcp.guest.rc", int64(rc)))
		if failed || rc != 0 {
			span.SetStatus(codes.Error, "guest call failed")
		}
	}
	span.End()
}

// W3C trace context keys in a call's _meta, as the MCP semantic conventions
// of OpenTelemetry carry them.
const (
	MetaTraceparent = "traceparent"
	MetaTracestate  = "tracestate"
)

// Bounds on the trace context read from _meta. A version-00 traceparent is
// 55 characters; W3C asks that at least 512 characters of tracestate be
// propagated, and lets longer ones be dropped.
const (
	maxTraceparent = 256
	maxTracestate  = 512
)

var traceContext = propagation.TraceContext{}

// extractMeta returns ctx with the remote span context of meta's
// traceparent (and tracestate), when it holds a valid one; else ctx.
func extractMeta(ctx context.Context, meta map[string]any) context.Context {
	tp, _ := meta[MetaTraceparent].(string)
	if tp == "" || len(tp) > maxTraceparent {
		return ctx
	}
	c := metaCarrier{traceparent: tp}
	if ts, _ := meta[MetaTracestate].(string); len(ts) <= maxTracestate {
		c.tracestate = ts
	}
	return traceContext.Extract(ctx, c)
}

// metaCarrier reads the trace context of a call's _meta.
type metaCarrier struct{ traceparent, tracestate string }

func (c metaCarrier) Get(key string) string {
	switch key {
	case MetaTraceparent:
		return c.traceparent
	case MetaTracestate:
		return c.tracestate
	}
	return ""
}

func (metaCarrier) Set(string, string) {}

func (metaCarrier) Keys() []string { return []string{MetaTraceparent, MetaTracestate} }

// TraceIDAttr is the trace_id of the span in ctx, for the call's log line,
// so that a log line (which names the userId) and a trace (which does not)
// can be joined by who may read both; an empty Attr, which handlers omit,
// when tracing is off.
func (t *Telemetry) TraceIDAttr(ctx context.Context) slog.Attr {
	if t == nil || !t.tracing {
		return slog.Attr{}
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return slog.Attr{}
	}
	return slog.String("trace_id", sc.TraceID().String())
}
