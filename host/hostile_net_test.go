package host

// The hostile guests that reach for the network, the sandbox's edges and the
// host functions: refused hosts, redirects and headers, an echoing API, a
// look around the sandbox, and garbage given to the raw host functions. See
// hostile_test.go for what every test checks.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestHostileUndeclared: requests to hosts the plugin did not declare are
// refused before anything is sent, whatever the spelling, and Extism's
// built-in HTTP function (left with no allowed host) traps the guest. No
// request reaches the evil server, or the API by its real address.
func TestHostileUndeclared(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"undeclared"}})
	cases := map[string]string{
		hh.evil.URL + "/steal":                        "host_not_allowed",
		hh.api.URL + "/user":                          "host_not_allowed", // the upstream, by its own address
		"https://evil.example.com/steal":              "host_not_allowed",
		"https://api.github.com.evil.example.com/":    "host_not_allowed",
		"https://api.github.com@evil.example.com/":    "bad_request",
		"http://api.github.com/user":                  "host_not_allowed",
		"https://api.github.com:8443/user":            "host_not_allowed",
		"https://uploads.github.com/x":                "host_not_allowed", // GitHub's, but not declared
		"https://169.254.169.254/latest/meta-data/":   "host_not_allowed",
		"https://[::1]/":                              "host_not_allowed",
		"https://api.github.com/a/%2e%2e/%2e%2e/evil": "bad_request",
		"ftp://api.github.com/":                       "bad_request",
	}
	apiBefore := len(hh.api.requests())
	for u, code := range cases {
		t.Run(u, func(t *testing.T) {
			hh.call(t, "alice", "hostile_undeclared", map[string]any{"url": u}).
				wantToolError(t, "the HTTP request failed ("+code+")")
		})
	}
	if n := len(hh.api.requests()) - apiBefore; n != 0 {
		t.Errorf("the API received %d requests from refused calls", n)
	}
	if s := hh.stats(t, "hostile-undeclared"); s.Discarded != 0 {
		t.Errorf("refused requests discarded %d instances; a refusal is the guest's to handle", s.Discarded)
	}
	t.Run("extism http_request", func(t *testing.T) {
		before := hh.stats(t, "hostile-undeclared")
		hh.call(t, "alice", "hostile_undeclared", map[string]any{"url": hh.evil.URL + "/extism", "via": "extism"}).
			wantToolError(t, "is not allowed")
		hh.wantDiscarded(t, "hostile-undeclared", before, 1)
		hh.goodCall(t, "alice")
	})
}

// TestHostileRedirect: a redirect to another host is not followed; when the
// guest follows it by hand, the host refuses. A redirect within the API is
// followed, with the token.
func TestHostileRedirect(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"redirect"}})
	hh.call(t, "alice", "hostile_redirect", map[string]any{"path": "/redirect"}).
		wantToolError(t, "redirect to "+hh.evil.URL+"/steal", "(status 302)", "host_not_allowed")
	res := hh.call(t, "bob", "hostile_redirect", map[string]any{"path": "/redirect-local"}).wantOK(t)
	if body, _ := res["body"].(string); res["status"] != float64(200) || !strings.Contains(body, `"login":"bob"`) {
		t.Errorf("the redirect within the API ended with %v", res)
	}
	hh.goodCall(t, "alice")
}

// TestHostileOwnAuth: a guest may not set credentials or other headers the
// host owns; the request is refused and names the header. The API only ever
// sees the host's Authorization (harness.finish).
func TestHostileOwnAuth(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"ownauth"}})
	cases := []struct{ name, value, want string }{
		{"Authorization", "Bearer guest-chosen", "header_not_allowed"},
		{"authorization", "Bearer guest-chosen", "header_not_allowed"},
		{"AUTHORIZATION", "token guest-chosen", "header_not_allowed"},
		{"Proxy-Authorization", "Basic Zm9vOmJhcg==", "header_not_allowed"},
		{"Cookie", "session=guest", "header_not_allowed"},
		{"Cookie2", "session=guest", "header_not_allowed"},
		{"Host", "evil.example.com", "header_not_allowed"},
		{"Proxy-Foo", "x", "header_not_allowed"},
		{"Authorization ", "Bearer guest-chosen", "bad_request"},
		{"X-Inject", "a\r\nAuthorization: Bearer guest-chosen", "bad_request"},
	}
	apiBefore := len(hh.api.requests())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hh.call(t, "alice", "hostile_ownauth", map[string]any{"name": c.name, "value": c.value}).
				wantToolError(t, "the HTTP request failed ("+c.want+")")
		})
	}
	if n := len(hh.api.requests()) - apiBefore; n != 0 {
		t.Errorf("the API received %d requests from refused calls", n)
	}
	// A header of the guest's own goes through, beside the host's token.
	res := hh.call(t, "alice", "hostile_ownauth", map[string]any{"name": "X-Custom", "value": "hi"}).wantOK(t)
	body, _ := res["body"].(string)
	if !strings.Contains(body, `"X-Custom":["hi"]`) || !strings.Contains(body, `"Authorization":["Bearer [REDACTED]"]`) {
		t.Errorf("echo of an allowed header: %s", body)
	}
}

// TestHostileSnoop: the sandbox gives a guest no files, no environment, no
// arguments and no sockets; it still has a real clock.
func TestHostileSnoop(t *testing.T) {
	t.Setenv("WASMCP_HOSTILE_SECRET", "env-"+accessMark)
	hh := newHarness(t, harnessOptions{guests: []string{"snoop"}})
	res := hh.call(t, "alice", "hostile_snoop", map[string]any{
		"dial":  hh.api.Listener.Addr().String(),
		"env":   "WASMCP_HOSTILE_SECRET",
		"files": []any{"/work", "../go.mod", "/tmp"},
	}).wantOK(t)
	report, _ := json.MarshalIndent(res, "", "  ")
	t.Logf("what the guest got:\n%s", report)

	files, _ := res["files"].(map[string]any)
	if len(files) != 6 {
		t.Errorf("files = %v", files)
	}
	for name, v := range files {
		o, _ := v.(map[string]any)
		if o["data"] != nil || o["error"] == nil {
			t.Errorf("reading %s: %v, want an error", name, o)
		}
	}
	env, _ := res["env"].(map[string]any)
	if env["set"] != false || env["value"] != "" {
		t.Errorf("the guest read the host's environment: %v", env)
	}
	if e, _ := res["environ"].([]any); len(e) != 0 {
		t.Errorf("environ = %v, want empty", e)
	}
	if res["home"] != "" {
		t.Errorf("HOME = %v", res["home"])
	}
	if a, _ := res["args"].([]any); len(a) > 0 {
		t.Errorf("args = %v, want none", a)
	}
	if d, _ := res["root_dir"].([]any); len(d) > 0 {
		t.Errorf("the guest listed / : %v", d)
	}
	dial, _ := res["dial"].(map[string]any)
	if dial["data"] != nil || dial["error"] == nil {
		t.Errorf("dial = %v, want an error", dial)
	}
	if n := len(hh.api.requests()); n != 0 {
		t.Errorf("the API received %d requests", n)
	}
	if ts, _ := res["time"].(string); strings.HasPrefix(ts, "2022-01-01") || ts == "" {
		t.Errorf("the guest's clock says %q, want the real time", ts)
	}
}

// TestHostileMalformed: garbage offsets and documents given to the raw
// host functions get bad_request answers (wasmcp_http_request) or are
// dropped (wasmcp_log); nothing traps, the guest's valid request then
// works, and the healthy instance is kept.
func TestHostileMalformed(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"malformed"}, pool: PoolConfig{Warm: 1}})
	hh.plugins["hostile-malformed"].pool.warm() // the calls below take clean instances
	res := hh.call(t, "alice", "hostile_malformed", nil).wantOK(t)
	answers, _ := res["answers"].([]any)
	if len(answers) < 30 {
		t.Errorf("only %d answers", len(answers))
	}
	for _, a := range answers {
		a, _ := a.(map[string]any)
		if a["error"] != "bad_request" || a["status"] != float64(0) {
			t.Errorf("case %v: answered %v, want a bad_request", a["case"], a)
		}
	}
	if v, _ := res["valid"].(map[string]any); v["status"] != float64(200) || v["error"] != "" {
		t.Errorf("the valid request after the garbage: %v", v)
	}
	logs := hh.logs.String()
	if strings.Contains(logs, "\nlevel=ERROR msg=\"forged line\"") {
		t.Error("a guest log message forged a log line")
	}
	if !strings.Contains(logs, strings.Repeat("m", 100)+"…[truncated]") {
		t.Error("the 60 KiB log message was not logged cut")
	}
	if strings.Contains(logs, strings.Repeat("M", 100)) {
		t.Error("the 1 MiB log document was logged")
	}
	// The instance is healthy: it is reset for the next call, or discarded
	// only because the call grew its kernel memory past the reset point;
	// when its warm-up (dozens of requests with large documents) ran past
	// its time, as it may under the race detector, it is kept for alice.
	hh.plugins["hostile-malformed"].pool.warm()
	before := hh.stats(t, "hostile-malformed")
	hh.call(t, "alice", "hostile_malformed", nil).wantOK(t)
	after := hh.stats(t, "hostile-malformed")
	reset, grown, reused := after.Resets-before.Resets, after.Discarded-before.Discarded, after.Reused+after.Fresh-before.Reused-before.Fresh
	perUser := hh.plugins["hostile-malformed"].warmUpFailed.Load()
	switch {
	case perUser && reused == 1 && grown == 0:
	case !perUser && reset+grown == 1 && (grown == 0 || strings.Contains(hh.logs.String(), "instance not reset: its memory grew")):
	default:
		t.Errorf("stats %+v after %+v (per user: %v): want the healthy instance reset or reused, or discarded because it grew", after, before, perUser)
	}
	hh.goodCall(t, "alice")
}

// TestHostileEcho: an API that echoes the request gives back the host's
// Authorization as [REDACTED] in the body (JSON with HTML escaping, query-
// and path-escaped) and in its headers, while the API did receive the
// token. It also checks the request budget and the response size cap.
func TestHostileEcho(t *testing.T) {
	hh := newHarness(t, harnessOptions{
		guests:       []string{"echo"},
		limits:       map[string]Limits{"hostile-echo": {MaxHTTPRequests: 5, MaxHTTPResponseBytes: 64 << 10}},
		keepMemories: true,
	})
	echo := func(args map[string]any) []map[string]any {
		t.Helper()
		res := hh.call(t, "alice", "hostile_echo", args).wantOK(t)
		raw, _ := res["answers"].([]any)
		out := make([]map[string]any, len(raw))
		for i, a := range raw {
			out[i], _ = a.(map[string]any)
		}
		return out
	}
	t.Run("redacted", func(t *testing.T) {
		a := echo(nil)[0]
		body, _ := a["body"].(string)
		var echoed struct {
			Headers      map[string][]string `json:"headers"`
			QueryEscaped string              `json:"query_escaped"`
			PathEscaped  string              `json:"path_escaped"`
		}
		if err := json.Unmarshal([]byte(body), &echoed); err != nil {
			t.Fatalf("echo body %q: %v", body, err)
		}
		if got := echoed.Headers["Authorization"]; len(got) != 1 || got[0] != "Bearer [REDACTED]" {
			t.Errorf("echoed Authorization = %q", got)
		}
		if echoed.QueryEscaped != "Bearer+[REDACTED]" || echoed.PathEscaped != "Bearer%20[REDACTED]" {
			t.Errorf("escaped echoes = %q, %q", echoed.QueryEscaped, echoed.PathEscaped)
		}
		h, _ := a["headers"].(map[string]any)
		if h["X-Echo-Authorization"] != "Bearer [REDACTED]" {
			t.Errorf("echoed header = %v", h["X-Echo-Authorization"])
		}
		reqs := hh.api.requests()
		if last := reqs[len(reqs)-1]; last.Auth != "Bearer "+hh.users["alice"].AccessToken {
			t.Errorf("the API did not receive alice's token")
		}
		// Where the token would be, the guest holds the redaction.
		if found := hh.scanLast("hostile-echo", "Bearer [REDACTED]"); len(found) == 0 {
			t.Error("the echoed, redacted Authorization is not in the guest's memory: is the scan blind?")
		}
	})
	t.Run("request budget", func(t *testing.T) {
		answers := echo(map[string]any{"times": 8})
		for i, a := range answers {
			refused := strings.Contains(fmt.Sprint(a["error"]), "(too_many_requests)")
			if refused != (i >= 5) {
				t.Errorf("request %d: %v", i+1, a)
			}
		}
	})
	t.Run("response cap", func(t *testing.T) {
		a := echo(map[string]any{"path": "/big"})[0]
		if e, _ := a["error"].(string); !strings.Contains(e, "(response_too_large)") {
			t.Errorf("a 1 MiB body under a 64 KiB cap: %v", clipText(fmt.Sprint(a), 300))
		}
	})
	// The guest is told of a limit and answers, but an instance whose call
	// hit a limit is discarded all the same: the request budget and the
	// response cap, two; a refused host is not a limit.
	if s := hh.stats(t, "hostile-echo"); s.Discarded != 2 {
		t.Errorf("stats %+v: want 2 instances discarded, for the calls that hit a limit", s)
	}
}
