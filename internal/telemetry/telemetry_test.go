package telemetry

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// With tracing off, recording a call, an exchange and a request allocates
// nothing once their label sets are resolved, and no span touches the
// context: the hooks cost the hot path a few map reads.
func TestRecordingAllocatesNothing(t *testing.T) {
	tel := New(Options{NoRuntimeMetrics: true})
	tool := tel.Tool("github", "github", "get_github_user")
	ctx := context.Background()
	req := HTTPRequest{Plugin: "github", Method: "GET", Host: "api.github.com", Sent: true, Status: 200, Start: time.Now()}
	// Resolve the label sets once.
	tool.Done(ctx, OutcomeOK, time.Millisecond)
	tel.ExchangeDone(noopSpan, "github", OutcomeOK, 200, time.Millisecond)
	tel.HTTPRequestDone(ctx, req)
	allocs := testing.AllocsPerRun(100, func() {
		cctx, span := tool.StartCall(ctx, map[string]any{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
		if cctx != ctx {
			t.Fatal("StartCall with tracing off changed the context")
		}
		sctx, s := tel.Start(cctx, SpanGuestCall)
		if sctx != ctx {
			t.Fatal("Start with tracing off changed the context")
		}
		EndGuestCall(s, 0, false)
		_, xs := tel.StartExchange(ctx, "github")
		tel.ExchangeDone(xs, "github", OutcomeOK, 200, time.Millisecond)
		tel.HTTPRequestDone(ctx, req)
		tool.Done(cctx, OutcomeOK, time.Millisecond)
		End(span, "")
	})
	if allocs != 0 {
		t.Errorf("%v allocations per call with tracing off, want 0", allocs)
	}
	if got := testutil.ToFloat64(tel.m.calls.WithLabelValues("github", "get_github_user", OutcomeOK)); got != 102 { // once before, once to warm AllocsPerRun up, 100 runs
		t.Errorf("calls counted = %v, want 102", got)
	}
}

// A nil Telemetry records nothing and never panics: hosts built without one.
func TestNilTelemetry(t *testing.T) {
	var tel *Telemetry
	ctx := context.Background()
	tool := tel.Tool("p", "prov", "t")
	c, span := tool.StartCall(ctx, nil)
	tool.Done(c, OutcomeOK, time.Second)
	tool.Refused(c, "host_busy")
	End(span, "x")
	_, xs := tel.StartExchange(ctx, "prov")
	tel.ExchangeDone(xs, "prov", OutcomeOK, 200, time.Second)
	tel.HTTPRequestDone(ctx, HTTPRequest{Plugin: "p"})
	tel.PluginLoad(LoadOK)
	tel.ObserveHost(func() HostSample { t.Fatal("sampled"); return HostSample{} })
	if tel.Tracing() {
		t.Error("a nil Telemetry traces")
	}
}

// A traceparent in _meta is continued when valid and well bounded, with its
// tracestate; anything else starts a new trace.
func TestExtractMeta(t *testing.T) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for _, c := range []struct {
		name  string
		meta  map[string]any
		valid bool
		state string
	}{
		{"valid", map[string]any{"traceparent": tp, "tracestate": "a=1,b=2"}, true, "a=1,b=2"},
		{"no tracestate", map[string]any{"traceparent": tp}, true, ""},
		{"tracestate too long is dropped", map[string]any{"traceparent": tp, "tracestate": "a=" + strings.Repeat("x", 600)}, true, ""},
		{"tracestate not a string", map[string]any{"traceparent": tp, "tracestate": 3}, true, ""},
		{"absent", map[string]any{"userId": "u"}, false, ""},
		{"nil meta", nil, false, ""},
		{"not a string", map[string]any{"traceparent": 42}, false, ""},
		{"malformed", map[string]any{"traceparent": "00-zz-00f067aa0ba902b7-01"}, false, ""},
		{"all-zero trace id", map[string]any{"traceparent": "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}, false, ""},
		{"too long", map[string]any{"traceparent": tp + strings.Repeat("-x", 200)}, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := trace.SpanContextFromContext(extractMeta(context.Background(), c.meta))
			if sc.IsValid() != c.valid {
				t.Fatalf("valid = %v, want %v", sc.IsValid(), c.valid)
			}
			if c.valid && (sc.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" || !sc.IsRemote() || !sc.IsSampled()) {
				t.Errorf("span context = %+v", sc)
			}
			if got := sc.TraceState().String(); got != c.state {
				t.Errorf("tracestate = %q, want %q", got, c.state)
			}
		})
	}
}

// A refused request has no host and no duration; a sent one is classed by
// its status, and a plugin cannot name a span with its method.
func TestHTTPRequestLabels(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer tp.Shutdown(context.Background())
	tel := New(Options{TracerProvider: tp, NoRuntimeMetrics: true})
	start := time.Now()
	for _, r := range []HTTPRequest{
		{Plugin: "p", Method: "GET", Host: "api.example.com", Sent: true, Status: 200, Start: start},
		{Plugin: "p", Method: "GET", Host: "api.example.com", Sent: true, Status: 503, Start: start},
		{Plugin: "p", Method: "GET", Host: "api.example.com", Sent: true, Error: "transport_error", Start: start},
		{Plugin: "p", Method: "BREW\x1b[31m", Error: "host_not_allowed", Start: start},
	} {
		tel.HTTPRequestDone(context.Background(), r)
	}
	for class, want := range map[string]float64{"2xx": 1, "5xx": 1, "error": 1} {
		if got := testutil.ToFloat64(tel.m.httpReqs.WithLabelValues("p", "api.example.com", class)); got != want {
			t.Errorf("%s = %v, want %v", class, got, want)
		}
	}
	if got := testutil.ToFloat64(tel.m.httpReqs.WithLabelValues("p", "none", "refused")); got != 1 {
		t.Errorf("refused = %v, want 1", got)
	}
	if n := testutil.CollectAndCount(tel.m.httpTime); n != 1 {
		t.Errorf("%d duration series, want 1 (none for refusals)", n)
	}
	got := spans.GetSpans()
	if len(got) != 4 {
		t.Fatalf("%d spans, want 4", len(got))
	}
	if got[3].Name != "_OTHER" {
		t.Errorf("the span of an unknown method is named %q", got[3].Name)
	}
	for _, s := range got {
		if s.SpanKind != trace.SpanKindClient || !s.StartTime.Equal(start) {
			t.Errorf("span %q: kind %v, start %v", s.Name, s.SpanKind, s.StartTime)
		}
	}
}

// Tracing is off unless the environment asks for it, and an exporter that
// would write to stdout, or an unknown one, is refused.
func TestTracerProviderFromEnv(t *testing.T) {
	for _, c := range []struct {
		name    string
		env     map[string]string
		on      bool
		wantErr string
	}{
		{"nothing set", nil, false, ""},
		{"endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true, ""},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true, ""},
		{"otlp", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true, ""},
		{"grpc", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, true, ""},
		{"none wins over an endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, false, ""},
		{"sdk disabled", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, false, ""},
		{"console", map[string]string{"OTEL_TRACES_EXPORTER": "console"}, false, "stdout"},
		{"zipkin", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, "not supported"},
		{"http/json", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"}, false, "not supported"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tp, err := TracerProviderFromEnv(context.Background(), "test", func(k string) string { return c.env[k] })
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (tp != nil) != c.on {
				t.Fatalf("tracing on = %v, want %v", tp != nil, c.on)
			}
			if tp != nil {
				_ = tp.Shutdown(context.Background()) // nothing was recorded: nothing is sent
			}
		})
	}
}
