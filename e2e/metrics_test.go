package e2e

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is a fake OTLP/HTTP collector: it decodes every export and
// keeps the spans.
type otlpReceiver struct {
	*fake
	mu    sync.Mutex
	spans []*tracepb.Span
	res   []string // resource attributes, as key=value
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	o := &otlpReceiver{}
	o.fake = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" {
			http.NotFound(w, r)
			return
		}
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			gz, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			body = gz
		}
		raw, _ := io.ReadAll(body)
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(raw, &req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		o.mu.Lock()
		for _, rs := range req.GetResourceSpans() {
			for _, a := range rs.GetResource().GetAttributes() {
				o.res = append(o.res, a.GetKey()+"="+a.GetValue().String())
			}
			for _, ss := range rs.GetScopeSpans() {
				o.spans = append(o.spans, ss.GetSpans()...)
			}
		}
		o.mu.Unlock()
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	})
	return o
}

func (o *otlpReceiver) received() ([]*tracepb.Span, []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*tracepb.Span(nil), o.spans...), append([]string(nil), o.res...)
}

var metricsURL = regexp.MustCompile(`msg="serving metrics" url=(\S+)`)

// scrape GETs a /metrics URL, with a bearer token if one is given, and
// returns the status and the body.
func scrape(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sample returns the value of the series whose line starts with series (the
// name and its labels in Prometheus' order, sorted by name), or -1.
func sample(metrics, series string) float64 {
	sc := bufio.NewScanner(strings.NewReader(metrics))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// A whole session over stdio, with --metrics-addr and tracing to an OTLP
// collector: /metrics counts the calls made, by outcome, the exchanges by
// status and the plugin's requests by declared host; the spans continue
// the caller's trace; and neither the metrics, nor the spans, nor the logs
// hold a token or a userToken (nor, in metrics and spans, a userId).
func TestMetricsAndTracesEndToEnd(t *testing.T) {
	backend := defaultBackend(t)
	gh := fakeGitHub(t)
	otlp := newOTLPReceiver(t)
	r := startHost(t, hostOpts{
		backendURL: backend.URL,
		upstreams:  map[string]string{"https://api.github.com": gh.URL},
		args:       []string{"--metrics-addr", "127.0.0.1:0"},
		env:        []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp.URL, "OTEL_SERVICE_NAME=wasmcp-e2e"},
	})
	var url string
	r.stderr.waitFor(t, "metrics listener", func(logs string) bool {
		m := metricsURL.FindStringSubmatch(logs)
		if m != nil {
			url = m[1]
		}
		return m != nil
	})

	const (
		traceID = "0af7651916cd43dd8448eb211c80319c"
		parent  = "b7ad6b7169203331"
	)
	users := []string{"alice-E2EUSERIDx7", "bob-E2EUSERIDx7"}
	userTokens := []string{"tmp_E2EUSERTOKx1_0123456789", "tmp_E2EUSERTOKx2_0123456789"}
	for i, u := range users {
		m := meta(u, userTokens[i], "github")
		if i == 0 {
			m["traceparent"] = "00-" + traceID + "-" + parent + "-01"
		}
		if res := r.call(t, "get_github_user", nil, m); res.IsError {
			t.Fatalf("get_github_user as %s: %s", u, text(res))
		}
	}
	if res := r.call(t, "get_github_user", nil, meta("carol-E2EUSERIDx7", "expired-temp-token", "github")); !res.IsError {
		t.Fatal("an expired userToken was exchanged")
	}
	if res := r.call(t, "get_github_user", nil, map[string]any{"userId": "dave-E2EUSERIDx7", "providerId": "github"}); !res.IsError {
		t.Fatal("a call without userToken ran")
	}

	status, metrics := scrape(t, url, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", url, status, metrics)
	}
	call := `wasmcp_tool_calls_total{outcome="%s",plugin="github",tool="get_github_user"}`
	for series, want := range map[string]float64{
		fmt.Sprintf(call, "ok"):                 2,
		fmt.Sprintf(call, "api_error"):          1,
		fmt.Sprintf(call, "missing_parameters"): 1,
		`wasmcp_tool_call_duration_seconds_count{outcome="ok",plugin="github",tool="get_github_user"}`:     2,
		`wasmcp_token_exchange_duration_seconds_count{outcome="ok",provider="github",status="200"}`:        2,
		`wasmcp_token_exchange_duration_seconds_count{outcome="api_error",provider="github",status="401"}`: 1,
		`wasmcp_http_requests_total{host="api.github.com",plugin="github",status_class="2xx"}`:             2,
		`wasmcp_http_request_duration_seconds_count{host="api.github.com",plugin="github"}`:                2,
		`wasmcp_calls_in_flight`:                                 0,
		`wasmcp_pool_instances_discarded_total{plugin="github"}`: 0,
	} {
		if got := sample(metrics, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if loads, loaded := sample(metrics, `wasmcp_plugin_loads_total{outcome="ok"}`), sample(metrics, "wasmcp_plugins_loaded"); loads < 1 || loads != loaded || loaded > float64(len(loadedPlugins(t))) {
		t.Errorf("plugin loads ok = %v, plugins loaded = %v, of %d files", loads, loaded, len(loadedPlugins(t)))
	}
	if got := sample(metrics, `wasmcp_instance_memory_bytes{plugin="github"}`); got <= 0 {
		t.Errorf("wasmcp_instance_memory_bytes{plugin=\"github\"} = %v", got)
	}
	// The github plugin was called, so its code is in memory: loaded once,
	// at start to describe itself or at its first call, and never unloaded.
	if r, l, u := sample(metrics, `wasmcp_plugin_code_resident{plugin="github"}`), sample(metrics, `wasmcp_plugin_code_loads_total{plugin="github"}`), sample(metrics, `wasmcp_plugin_code_unloads_total{plugin="github"}`); r != 1 || l != 1 || u != 0 {
		t.Errorf("github: code resident %v, loads %v, unloads %v; want 1, 1, 0", r, l, u)
	}
	// Whether the warm set's second instance is made yet is a race; the
	// series is there either way.
	if got := sample(metrics, `wasmcp_pool_instances_from_template_total{plugin="github"}`); got < 0 {
		t.Error("no wasmcp_pool_instances_from_template_total series for the github plugin")
	}
	if !strings.Contains(metrics, "go_goroutines") || !strings.Contains(metrics, "process_resident_memory_bytes") {
		t.Error("the Go runtime and process metrics are missing")
	}

	// The session ends: the host flushes its spans before it exits.
	r.session.Close()
	r.cmd.Wait()
	spans, resource := otlp.received()
	if !strings.Contains(strings.Join(resource, " "), `service.name=string_value:"wasmcp-e2e"`) {
		t.Errorf("resource = %v, want OTEL_SERVICE_NAME's service.name", resource)
	}
	byID := map[string]*tracepb.Span{}
	var root *tracepb.Span
	for _, s := range spans {
		byID[fmt.Sprintf("%x", s.GetSpanId())] = s
		if s.GetName() == "tools/call get_github_user" && fmt.Sprintf("%x", s.GetTraceId()) == traceID {
			root = s
		}
	}
	if root == nil {
		t.Fatalf("no call span in the caller's trace among %d spans", len(spans))
	}
	if got := fmt.Sprintf("%x", root.GetParentSpanId()); got != parent {
		t.Errorf("the call span's parent is %s, want the caller's %s", got, parent)
	}
	// Every step of the call is under the call's span, the request under
	// the guest call's.
	under := map[string]string{}
	for _, s := range spans {
		if fmt.Sprintf("%x", s.GetTraceId()) != traceID || s == root {
			continue
		}
		p := byID[fmt.Sprintf("%x", s.GetParentSpanId())]
		if p == nil {
			t.Errorf("span %q of the trace has no parent span", s.GetName())
			continue
		}
		under[s.GetName()] = p.GetName()
	}
	for child, want := range map[string]string{
		"validate _meta": root.GetName(), "token exchange": root.GetName(), "get instance": root.GetName(),
		"guest call": root.GetName(), "GET": "guest call",
	} {
		if under[child] != want {
			t.Errorf("span %q is under %q, want %q (trace: %v)", child, under[child], want, under)
		}
	}

	// No secret anywhere: not in metrics, spans or logs; no userId in
	// metrics or spans.
	secrets := append(append([]string{}, userTokens...), "expired-temp-token", "E2EUSERTOK")
	for _, u := range users {
		secrets = append(secrets, tokenFor(u, "github"))
	}
	ids := append([]string{"E2EUSERID"}, users...)
	var dump strings.Builder
	for _, s := range spans {
		fmt.Fprintf(&dump, "%s|%s|", s.GetName(), s.GetStatus().String())
		for _, a := range s.GetAttributes() {
			fmt.Fprintf(&dump, "%s=%s|", a.GetKey(), a.GetValue().String())
		}
		for _, e := range s.GetEvents() {
			fmt.Fprintf(&dump, "event %s %v|", e.GetName(), e.GetAttributes())
		}
		fmt.Fprintf(&dump, "%s\n", s.GetTraceState())
	}
	for _, secret := range append(secrets, ids...) {
		for what, text := range map[string]string{"metrics": metrics, "spans": dump.String()} {
			if strings.Contains(strings.ToLower(text), strings.ToLower(secret)) {
				t.Errorf("the %s hold %q", what, secret)
			}
		}
	}
	// The call's log line, which names the userId, joins its trace by id
	// (it may reach the test's copy of stderr after the answer: wait).
	r.stderr.waitFor(t, "tool call log line with trace_id="+traceID, func(logs string) bool {
		return logLine(logs, `msg="tool call"`, "userId="+users[0], "trace_id="+traceID)
	})
	logs := r.stderr.String()
	for _, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs hold %q", secret)
		}
	}
}

// loadedPlugins lists the plugins the e2e hosts serve.
func loadedPlugins(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(pluginsDir, "*.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Over HTTP, /metrics is on the MCP listener, behind the bearer token when
// one is set, like /mcp; /healthz stays open.
func TestMetricsOnHTTPListener(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	const token = "e2e-metrics-bearer-0123456789"
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startHTTPHost(t, hostOpts{mock: true, args: []string{"--http-token-file", tokenFile}})
	base := strings.TrimSuffix(h.url, "/mcp")
	if status, _ := scrape(t, base+"/metrics", ""); status != http.StatusUnauthorized {
		t.Errorf("GET /metrics without the token: %d, want 401", status)
	}
	status, body := scrape(t, base+"/metrics", token)
	if status != http.StatusOK || !strings.Contains(body, "wasmcp_build_info{") || !strings.Contains(body, "wasmcp_plugins_loaded") {
		t.Fatalf("GET /metrics with the token: %d\n%s", status, body)
	}
	if strings.Contains(body, token) {
		t.Error("the metrics hold the HTTP bearer token")
	}
}
