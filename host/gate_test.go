package host

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/wasmcp/wasmcp/abi"
)

// testGate is a gate with a clock the test moves and a summary timer the
// test fires, logging to logs.
type testGate struct {
	*gate
	logs  *syncBuffer
	clock time.Time
	flush func() // the scheduled summary, nil if none
}

func newTestGate(t *testing.T, cfg CallsConfig) *testGate {
	t.Helper()
	tg := &testGate{logs: &syncBuffer{}, clock: time.Unix(1_800_000_000, 0)}
	tg.gate = newGate(cfg, slog.New(slog.NewTextHandler(tg.logs, nil)))
	tg.now = func() time.Time { return tg.clock }
	tg.afterFunc = func(d time.Duration, f func()) {
		if d != refusalLogFlush {
			t.Errorf("summary scheduled after %v, want %v", d, refusalLogFlush)
		}
		tg.flush = f
	}
	return tg
}

func (tg *testGate) advance(d time.Duration) { tg.clock = tg.clock.Add(d) }

// mustAdmit admits a call of user or fails the test.
func (tg *testGate) mustAdmit(t *testing.T, user string) func() {
	t.Helper()
	release, r := tg.admit(user, "tool_x")
	if r != nil {
		t.Fatalf("call of %q refused: %s", user, r.message)
	}
	return release
}

// mustRefuse checks that a call of user is refused with outcome.
func (tg *testGate) mustRefuse(t *testing.T, user, outcome string) *refusal {
	t.Helper()
	release, r := tg.admit(user, "tool_x")
	if r == nil {
		release()
		t.Fatalf("call of %q admitted, want %s", user, outcome)
	}
	if r.outcome != outcome {
		t.Fatalf("call of %q refused with %s (%s), want %s", user, r.outcome, r.message, outcome)
	}
	return r
}

// The caps: per user first, then the host; a release frees the place.
func TestGateCapsCallsInFlight(t *testing.T) {
	g := newTestGate(t, CallsConfig{MaxInFlight: 3, PerUserInFlight: 2, PerUserRate: -1})
	a1 := g.mustAdmit(t, "alice")
	g.mustAdmit(t, "alice")
	r := g.mustRefuse(t, "alice", outcomeUserBusy)
	if r.limit != "calls.per_user_in_flight" || !strings.Contains(r.message, "already has 2 running") || !strings.Contains(r.message, "call tool_x again") {
		t.Errorf("per-user refusal: %+v", r)
	}
	g.mustAdmit(t, "bob")
	r = g.mustRefuse(t, "carol", outcomeHostBusy)
	if r.limit != "calls.max_in_flight" || !strings.Contains(r.message, "3 tool calls are already running") {
		t.Errorf("host refusal: %+v", r)
	}
	// A call with no known user counts against the host only.
	g.mustRefuse(t, "", outcomeHostBusy)
	a1()
	a1() // a second release gives back nothing
	g.mustAdmit(t, "carol")
	g.mustRefuse(t, "", outcomeHostBusy)
	if g.inFlight != 3 {
		t.Errorf("inFlight = %d, want 3", g.inFlight)
	}
}

// The rate: a burst, then one call per 1/rate; a call refused by a cap does
// not spend the user's rate.
func TestGateRateLimitsEachUser(t *testing.T) {
	g := newTestGate(t, CallsConfig{PerUserInFlight: 1, PerUserRate: 2, PerUserBurst: 3})
	for range 3 {
		g.mustAdmit(t, "alice")()
	}
	r := g.mustRefuse(t, "alice", outcomeRateLimited)
	if r.retryAfter != 500*time.Millisecond || r.limit != "calls.per_user_rate" ||
		!strings.Contains(r.message, "2 calls a second, in bursts of up to 3") || !strings.Contains(r.message, "Wait 500ms, then call tool_x again") {
		t.Errorf("rate refusal: %+v", r)
	}
	g.mustAdmit(t, "bob")() // another user has a bucket of their own
	g.advance(250 * time.Millisecond)
	if r := g.mustRefuse(t, "alice", outcomeRateLimited); r.retryAfter != 250*time.Millisecond {
		t.Errorf("retry after %v halfway, want 250ms", r.retryAfter)
	}
	g.advance(250 * time.Millisecond)
	running := g.mustAdmit(t, "alice") // the token refilled
	g.advance(time.Second)             // two more tokens
	g.mustRefuse(t, "alice", outcomeUserBusy)
	g.mustRefuse(t, "alice", outcomeUserBusy)
	running()
	g.mustAdmit(t, "alice")()
	g.mustAdmit(t, "alice")()
	g.mustRefuse(t, "alice", outcomeRateLimited)
}

// Negative values turn each bound off.
func TestGateUnbounded(t *testing.T) {
	g := newTestGate(t, CallsConfig{MaxInFlight: -1, PerUserInFlight: -1, PerUserRate: -1})
	for range 1000 {
		g.mustAdmit(t, "alice")
	}
	if len(g.users) != 1 || g.users["alice"].limiter != nil {
		t.Errorf("users = %v, want alice with no limiter", g.users)
	}
}

// An entry stays only while it holds something a fresh one would not: calls
// running, or a bucket not yet full. Users who come and go cost nothing.
func TestGateForgetsIdleUsers(t *testing.T) {
	g := newTestGate(t, CallsConfig{PerUserRate: 10, PerUserBurst: 20})
	for i := range 3 * usersSweepMin {
		g.mustAdmit(t, fmt.Sprint("user", i))()
	}
	// None refilled yet: the sweeps found nothing to drop.
	if n := len(g.users); n != 3*usersSweepMin {
		t.Fatalf("%d entries, want %d", n, 3*usersSweepMin)
	}
	// One token back: every bucket is full. The next sweep comes when the
	// map has doubled, and drops every old entry.
	g.advance(100 * time.Millisecond)
	newcomers := g.sweepAt - len(g.users)
	for i := range newcomers {
		g.mustAdmit(t, fmt.Sprint("newcomer", i))()
	}
	if n := len(g.users); n != newcomers || g.users["user0"] != nil {
		t.Errorf("%d entries after the sweep, want the %d newcomers'", n, newcomers)
	}
	if g.sweepAt != 2*newcomers {
		t.Errorf("sweepAt = %d, want %d", g.sweepAt, 2*newcomers)
	}

	// Without a rate limit an entry goes with the user's last call.
	g = newTestGate(t, CallsConfig{PerUserRate: -1})
	release := g.mustAdmit(t, "alice")
	g.mustAdmit(t, "alice")()
	if g.users["alice"] == nil {
		t.Fatal("alice's entry went while a call of hers runs")
	}
	release()
	if len(g.users) != 0 {
		t.Errorf("users = %v, want none", g.users)
	}
}

// gatedCall runs a call through a gated handler of a github plugin; next
// blocks until its release channel is closed, and says on started that the
// call reached it.
type gatedHandler struct {
	started chan string
	release chan struct{}
}

func (gh *gatedHandler) next(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	u, _ := metaFields(req.Params.Meta)["userId"].(string)
	gh.started <- u
	<-gh.release
	return mcp.NewToolResultText("done"), nil
}

func callReq(meta map[string]any) mcp.CallToolRequest {
	var req mcp.CallToolRequest
	req.Params.Name = "get_github_user"
	req.Params.Meta = &mcp.Meta{AdditionalFields: meta}
	return req
}

// Through wrap: the user is the userId of a valid _meta; a refusal is a
// tool error the model can read, logged once with its outcome, never with
// the userToken.
func TestGateWrap(t *testing.T) {
	g := newTestGate(t, CallsConfig{MaxInFlight: 4, PerUserInFlight: 1, PerUserRate: -1})
	pl := &Plugin{Desc: abi.Descriptor{Name: "github", Provider: "github"}}
	gh := &gatedHandler{started: make(chan string, 4), release: make(chan struct{})}
	h := g.wrap(pl, "get_github_user", gh.next)
	const secret = "ut-Secret-0123456789"
	alice := map[string]any{"userId": "alice", "userToken": secret, "providerId": "github"}

	var wg sync.WaitGroup
	wg.Go(func() { h(context.Background(), callReq(alice)) })
	if u := <-gh.started; u != "alice" {
		t.Fatalf("started %q", u)
	}
	res, err := h(context.Background(), callReq(alice))
	if err != nil || !res.IsError {
		t.Fatalf("second call of alice: %v %+v, want a tool error", err, res)
	}
	obj, _ := res.StructuredContent.(map[string]any)
	if obj["error"] != outcomeUserBusy || obj["retryable"] != true || obj["limit"] != "calls.per_user_in_flight" {
		t.Errorf("structuredContent = %v", obj)
	}
	if txt := res.Content[0].(mcp.TextContent).Text; !strings.Contains(txt, `"error":"user_busy"`) || !strings.Contains(txt, "Wait for one to finish") {
		t.Errorf("text = %s", txt)
	}

	// An invalid _meta (no userToken) is not counted as alice's: the
	// handler gets it, and refuses it itself.
	wg.Go(func() { h(context.Background(), callReq(map[string]any{"userId": "alice", "providerId": "github"})) })
	if u := <-gh.started; u != "alice" {
		t.Fatalf("started %q", u)
	}
	close(gh.release)
	wg.Wait()

	logs := g.logs.String()
	if strings.Count(logs, "outcome=") != 1 || !strings.Contains(logs, `msg="tool call" tool=get_github_user plugin=github provider=github userId=alice outcome=user_busy limit=calls.per_user_in_flight refused_total=1`) {
		t.Errorf("logs:\n%s", logs)
	}
	if strings.Contains(logs, secret) {
		t.Error("the userToken is in the logs")
	}
}

// Refusal lines are rate-limited; the dropped ones are counted in the next
// line or in a summary.
func TestGateRefusalLogIsBounded(t *testing.T) {
	g := newTestGate(t, CallsConfig{MaxInFlight: 1, PerUserRate: -1})
	pl := &Plugin{Desc: abi.Descriptor{Name: "github", Provider: "github"}}
	g.mustAdmit(t, "")
	refuse := func(n int) {
		for range n {
			_, r := g.admit("bob", "get_github_user")
			g.logRefusal(context.Background(), pl, "get_github_user", "bob", r)
		}
	}
	refuse(refusalLogBurst + 10)
	if n := strings.Count(g.logs.String(), "outcome=host_busy"); n != refusalLogBurst {
		t.Fatalf("%d lines, want %d", n, refusalLogBurst)
	}
	if g.flush == nil {
		t.Fatal("no summary scheduled")
	}
	g.flush()
	if !strings.Contains(g.logs.String(), `msg="tool calls refused: log lines dropped" refusal_lines_dropped=10 refused_total=30`) {
		t.Fatalf("no summary:\n%s", g.logs.String())
	}

	// Dropped again, then a line is allowed before the summary: the line
	// carries the count, and the summary has nothing left to say.
	g.flush = nil
	refuse(2)
	g.advance(time.Second / refusalLogRate)
	mark := len(g.logs.String())
	refuse(1)
	if !strings.Contains(g.logs.String()[mark:], "refused_total=33 refusal_lines_dropped=2") {
		t.Fatalf("the next line does not count the dropped ones:\n%s", g.logs.String()[mark:])
	}
	g.flush()
	if strings.Contains(g.logs.String()[mark:], "log lines dropped") {
		t.Errorf("a summary with nothing dropped:\n%s", g.logs.String()[mark:])
	}
}
