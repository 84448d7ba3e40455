package host

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	dto "github.com/prometheus/client_model/go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/internal/telemetry"
)

// The secrets and identifiers of the telemetry tests. None of them may
// appear in a metric or a span: the tokens are secrets, the userId is
// personal data kept to the logs, the query is the plugin's.
const (
	telAccess    = "gho_TELEACCESSx9Lp_0123456789"
	telUserToken = "utk_TELEUSERTOKx4Rw_0123456789"
	telUserID    = "alice-TELEUSERIDx2Kq"
	telQuery     = "TELEQUERYx8Zt"
)

var telSecrets = []string{telAccess, telUserToken, telUserID, telQuery, "TELEACCESS", "TELEUSERTOK", "TELEUSERID"}

// telHarness is a Host with telemetry: metrics in their registry, spans in
// memory, a token backend and an API that echoes requests.
type telHarness struct {
	host  *Host
	tel   *telemetry.Telemetry
	spans *tracetest.InMemoryExporter
	api   *httptest.Server
	users int
}

func newTelHarness(t *testing.T) *telHarness {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ UserID, UserToken, ProviderID string }
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &req) != nil || req.UserToken != telUserToken {
			writeJSONResponse(w, 401, map[string]any{"error": "unknown token"})
			return
		}
		writeJSONResponse(w, 200, map[string]any{"accessToken": telAccess})
	}))
	t.Cleanup(backend.Close)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Echoes what it got, the token included: the host scrubs it from
		// the guest's answer, and nothing of it may reach telemetry.
		writeJSONResponse(w, 200, map[string]any{"auth": r.Header.Get("Authorization"), "query": r.URL.RawQuery})
	}))
	t.Cleanup(api.Close)
	logger := slog.New(slog.DiscardHandler)
	ex, err := auth.NewBackend(auth.BackendConfig{URL: backend.URL, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tel := telemetry.New(telemetry.Options{TracerProvider: tp, Version: "test", NoRuntimeMetrics: true})
	up := map[string]string{"https://api.github.com": api.URL}
	cfg := Config{
		CacheDir: sharedCacheDir(), Limits: Limits{Timeout: 20 * time.Second}, Pool: PoolConfig{Warm: -1},
		// A user may start one call in 1,000 s: a second call of the same
		// user is refused, whatever the machine's speed.
		Calls:   CallsConfig{MaxInFlight: -1, PerUserInFlight: -1, PerUserRate: 0.001, PerUserBurst: 1},
		Plugins: map[string]PluginConfig{"hostile-echo": {Upstreams: up}, "hostile-undeclared": {Upstreams: up}},
	}
	h, err := New(Options{Config: cfg, Exchanger: ex, Logger: logger, Version: "test", Telemetry: tel})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, g := range []string{"echo", "undeclared"} {
		if err := h.Load(ctx, guestFile(t, g)); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = h.Close(context.Background()) })
	return &telHarness{host: h, tel: tel, spans: spans, api: api}
}

// call sends tools/call with _meta meta and returns the result.
func (th *telHarness) call(t *testing.T, tool string, args, meta map[string]any) *mcp.CallToolResult {
	t.Helper()
	msg, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "id": 1, "method": "tools/call",
		"params": map[string]any{"name": tool, "arguments": args, "_meta": meta},
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp := th.host.MCPServer().HandleMessage(ctx, msg)
	r, ok := resp.(mcp.JSONRPCResponse)
	if !ok {
		t.Fatalf("tools/call %s: %#v", tool, resp)
	}
	res, ok := r.Result.(*mcp.CallToolResult)
	if !ok {
		t.Fatalf("tools/call %s: result %T", tool, r.Result)
	}
	return res
}

// meta is the _meta of a call by a new user (each user may make one call,
// see newTelHarness), with userToken token.
func (th *telHarness) meta(token string) map[string]any {
	th.users++
	return map[string]any{"userId": fmt.Sprintf("%s-%d", telUserID, th.users), "userToken": token, "providerId": "github"}
}

// telCalls makes the calls both tests count: 2 good echo calls (one of 2
// requests, with a query), 1 refused exchange, 1 invalid _meta, 1 call
// refused by the rate cap, 1 request refused for an undeclared host.
func (th *telHarness) telCalls(t *testing.T, first map[string]any) {
	t.Helper()
	if res := th.call(t, "hostile_echo", map[string]any{}, first); res.IsError {
		t.Fatalf("echo: %v", res.Content)
	}
	if res := th.call(t, "hostile_echo", map[string]any{"path": "/echo?q=" + telQuery, "times": 2}, th.meta(telUserToken)); res.IsError {
		t.Fatalf("echo with a query: %v", res.Content)
	}
	if res := th.call(t, "hostile_echo", map[string]any{}, th.meta(telUserToken+"-wrong")); !res.IsError {
		t.Fatal("a wrong userToken was exchanged")
	}
	if res := th.call(t, "hostile_echo", map[string]any{}, map[string]any{"userId": "x", "providerId": "github"}); !res.IsError {
		t.Fatal("a _meta without userToken was accepted")
	}
	limited := th.meta(telUserToken)
	th.call(t, "hostile_echo", map[string]any{}, limited)
	if res := th.call(t, "hostile_echo", map[string]any{}, limited); !res.IsError {
		t.Fatal("a second call of a user past the rate cap was not refused")
	}
	if res := th.call(t, "hostile_undeclared", map[string]any{"url": "https://evil.example/x?q=" + telQuery}, th.meta(telUserToken)); !res.IsError {
		t.Fatal("an undeclared host was reached")
	}
}

// After calls, the metrics count them: calls by plugin, tool and outcome,
// exchanges by outcome and status, requests by declared host and status
// class, refusals, loads and the pools; the scrape holds no secret.
func TestMetricsCountCalls(t *testing.T) {
	th := newTelHarness(t)
	th.telCalls(t, th.meta(telUserToken))

	fams := gather(t, th.tel)
	echo := []string{"plugin", "hostile-echo", "tool", "hostile_echo"}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"wasmcp_tool_calls_total", append(echo, "outcome", "ok"), 3},
		{"wasmcp_tool_calls_total", append(echo, "outcome", "api_error"), 1},
		{"wasmcp_tool_calls_total", append(echo, "outcome", "missing_parameters"), 1},
		{"wasmcp_tool_calls_total", append(echo, "outcome", "rate_limited"), 1},
		{"wasmcp_tool_calls_total", []string{"plugin", "hostile-undeclared", "tool", "hostile_undeclared", "outcome", "tool_error"}, 1},
		{"wasmcp_tool_call_duration_seconds", append(echo, "outcome", "ok"), 3},
		{"wasmcp_tool_call_duration_seconds", append(echo, "outcome", "api_error"), 1},
		{"wasmcp_calls_refused_total", []string{"reason", "rate_limited"}, 1},
		{"wasmcp_token_exchange_duration_seconds", []string{"provider", "github", "outcome", "ok", "status", "200"}, 4},
		{"wasmcp_token_exchange_duration_seconds", []string{"provider", "github", "outcome", "api_error", "status", "401"}, 1},
		{"wasmcp_http_requests_total", []string{"plugin", "hostile-echo", "host", "api.github.com", "status_class", "2xx"}, 4},
		{"wasmcp_http_requests_total", []string{"plugin", "hostile-undeclared", "host", "none", "status_class", "refused"}, 1},
		{"wasmcp_http_request_duration_seconds", []string{"plugin", "hostile-echo", "host", "api.github.com"}, 4},
		{"wasmcp_plugin_loads_total", []string{"outcome", "ok"}, 2},
		{"wasmcp_plugins_loaded", nil, 2},
		{"wasmcp_calls_in_flight", nil, 0},
		{"wasmcp_pool_instances_discarded_total", []string{"plugin", "hostile-echo"}, 0},
	} {
		if got, ok := value(fams, c.name, c.labels...); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	// The pool served the echo calls: every call took an instance made for
	// it, or one reset after an earlier call.
	created, _ := value(fams, "wasmcp_pool_instances_created_total", "plugin", "hostile-echo")
	reused, _ := value(fams, "wasmcp_pool_instances_reused_total", "plugin", "hostile-echo")
	fresh, _ := value(fams, "wasmcp_pool_instances_fresh_total", "plugin", "hostile-echo")
	if created+reused+fresh < 3 || created < 1 {
		t.Errorf("pool: created %v, reused %v, fresh %v for 3 calls", created, reused, fresh)
	}
	if b, ok := value(fams, "wasmcp_instance_memory_bytes", "plugin", "hostile-echo"); !ok || b <= 0 {
		t.Errorf("wasmcp_instance_memory_bytes = %v (found %v)", b, ok)
	}
	// No series counts an HTTP request by anything but a declared host.
	for _, m := range family(fams, "wasmcp_http_requests_total") {
		if h := label(m, "host"); h != "api.github.com" && h != "none" {
			t.Errorf("http_requests_total has host %q", h)
		}
	}

	// The scrape, as Prometheus reads it, names no secret, userId or query.
	srv := httptest.NewServer(th.tel.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `wasmcp_tool_calls_total{outcome="ok",plugin="hostile-echo",tool="hostile_echo"} 3`) {
		t.Errorf("the scrape lacks the ok calls:\n%s", body)
	}
	for _, s := range telSecrets {
		if strings.Contains(strings.ToLower(string(body)), strings.ToLower(s)) {
			t.Errorf("the metrics hold %q", s)
		}
	}
}

// A traceparent in _meta continues the caller's trace; each step of a call
// has its span under the call's; no span holds a secret, a userId or a
// query, in its name, attributes, events, links, status or resource.
func TestTracesContinueAndHoldNoSecret(t *testing.T) {
	th := newTelHarness(t)
	const (
		traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		parent  = "00f067aa0ba902b7"
		state   = "vendor=opaque1"
	)
	first := th.meta(telUserToken)
	first["traceparent"] = "00-" + traceID + "-" + parent + "-01"
	first["tracestate"] = state
	th.telCalls(t, first)

	spans := th.spans.GetSpans()
	var root *tracetest.SpanStub
	for i, s := range spans {
		if s.SpanContext.TraceID().String() == traceID && s.Name == "tools/call hostile_echo" {
			root = &spans[i]
		}
	}
	if root == nil {
		t.Fatalf("no call span in the caller's trace %s among %d spans", traceID, len(spans))
	}
	if root.Parent.SpanID().String() != parent || !root.Parent.IsRemote() {
		t.Errorf("call span's parent = %s (remote %v), want the caller's %s", root.Parent.SpanID(), root.Parent.IsRemote(), parent)
	}
	if got := root.SpanContext.TraceState().String(); got != state {
		t.Errorf("tracestate = %q, want %q", got, state)
	}
	if root.SpanKind != trace.SpanKindServer {
		t.Errorf("call span kind = %v", root.SpanKind)
	}
	children := func(of trace.SpanID) map[string]tracetest.SpanStub {
		out := map[string]tracetest.SpanStub{}
		for _, s := range spans {
			if s.Parent.SpanID() == of && s.SpanContext.TraceID() == root.SpanContext.TraceID() {
				out[s.Name] = s
			}
		}
		return out
	}
	steps := children(root.SpanContext.SpanID())
	for _, name := range []string{telemetry.SpanValidateMeta, "token exchange", telemetry.SpanGetInstance, telemetry.SpanGuestCall} {
		if _, ok := steps[name]; !ok {
			t.Errorf("no %q span under the call's (have %v)", name, slicesKeys(steps))
		}
	}
	get, ok := children(steps[telemetry.SpanGuestCall].SpanContext.SpanID())["GET"]
	if !ok {
		t.Fatal("no GET span under the guest call's")
	}
	if a := attrs(get); a["server.address"] != "api.github.com" || a["http.response.status_code"] != "200" || a["http.request.method"] != "GET" {
		t.Errorf("GET span attributes = %v", a)
	}
	if a := attrs(*root); a[telemetry.AttrOutcome] != "ok" || a["gen_ai.tool.name"] != "hostile_echo" || a[telemetry.AttrPlugin] != "hostile-echo" {
		t.Errorf("call span attributes = %v", a)
	}

	// The outcomes of the other calls are on their spans.
	outcomes := map[string]bool{}
	for _, s := range spans {
		if strings.HasPrefix(s.Name, "tools/call ") {
			outcomes[attrs(s)[telemetry.AttrOutcome]] = true
		}
		if s.Name == "GET" && attrs(s)["error.type"] == "host_not_allowed" && attrs(s)["server.address"] != "" {
			t.Errorf("a refused request's span names a server: %v", attrs(s))
		}
	}
	for _, o := range []string{"ok", "api_error", "missing_parameters", "rate_limited", "tool_error"} {
		if !outcomes[o] {
			t.Errorf("no call span with outcome %q (have %v)", o, outcomes)
		}
	}

	// No span holds a secret anywhere.
	for _, s := range spans {
		dump := spanText(s)
		for _, secret := range telSecrets {
			if strings.Contains(strings.ToLower(dump), strings.ToLower(secret)) {
				t.Errorf("span %q holds %q: %s", s.Name, secret, dump)
			}
		}
	}
}

// spanText is everything a span exports, as text.
func spanText(s tracetest.SpanStub) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|", s.Name, s.Status.Code, s.Status.Description)
	for _, a := range s.Attributes {
		fmt.Fprintf(&b, "%s=%s|", a.Key, a.Value.Emit())
	}
	for _, e := range s.Events {
		fmt.Fprintf(&b, "event %s|", e.Name)
		for _, a := range e.Attributes {
			fmt.Fprintf(&b, "%s=%s|", a.Key, a.Value.Emit())
		}
	}
	for _, l := range s.Links {
		for _, a := range l.Attributes {
			fmt.Fprintf(&b, "link %s=%s|", a.Key, a.Value.Emit())
		}
	}
	fmt.Fprintf(&b, "tracestate=%s|", s.SpanContext.TraceState())
	if s.Resource != nil {
		for _, a := range s.Resource.Attributes() {
			fmt.Fprintf(&b, "res %s=%s|", a.Key, a.Value.Emit())
		}
	}
	return b.String()
}

func attrs(s tracetest.SpanStub) map[string]string {
	m := map[string]string{}
	for _, a := range s.Attributes {
		m[string(a.Key)] = a.Value.Emit()
	}
	return m
}

func gather(t *testing.T, tel *telemetry.Telemetry) []*dto.MetricFamily {
	t.Helper()
	fams, err := tel.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

func family(fams []*dto.MetricFamily, name string) []*dto.Metric {
	for _, f := range fams {
		if f.GetName() == name {
			return f.GetMetric()
		}
	}
	return nil
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// value is the value of the series of name with the given label pairs (a
// histogram's count), and whether there is one.
func value(fams []*dto.MetricFamily, name string, pairs ...string) (float64, bool) {
	for _, m := range family(fams, name) {
		match := true
		for i := 0; i+1 < len(pairs); i += 2 {
			match = match && label(m, pairs[i]) == pairs[i+1]
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}
