package host

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"golang.org/x/time/rate"

	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/internal/telemetry"
)

// The outcomes of a refused call, in its log line and its error object.
const (
	outcomeHostBusy    = "host_busy"    // calls.max_in_flight
	outcomeUserBusy    = "user_busy"    // calls.per_user_in_flight
	outcomeRateLimited = "rate_limited" // calls.per_user_rate and per_user_burst
)

// Refusal log lines: at most refusalLogRate a second after a burst of
// refusalLogBurst; the lines dropped are counted in the next one, or in a
// summary refusalLogFlush after the first line dropped.
const (
	refusalLogRate  = 5
	refusalLogBurst = 20
	refusalLogFlush = 10 * time.Second
)

// usersSweepMin is the number of per-user entries below which the gate does
// not look for idle ones to drop.
const usersSweepMin = 1024

// gate admits tool calls under CallsConfig, over both transports: it caps
// the calls in flight, all users together and per user, and each user's
// rate of calls. A user is the userId of a call's valid _meta; a call whose
// _meta is invalid counts only against the host's cap, and is refused by
// runCall at once. The key is never the userToken, which is a secret.
//
// Everything is decided under one lock, before any work starts: a refused
// call costs a map lookup, and the in-flight caps are checked before the
// rate, so that a call refused for being one too many does not also spend
// the user's rate.
type gate struct {
	cfg    CallsConfig // resolved: no zero fields
	logger *slog.Logger
	now    func() time.Time
	// afterFunc schedules the summary of dropped log lines; tests replace it.
	afterFunc func(time.Duration, func())
	// tel counts refusals and starts each call's span; nil for none.
	tel *telemetry.Telemetry

	mu       sync.Mutex
	inFlight int
	users    map[string]*userGate
	sweepAt  int

	// refusals: every one counted, the log lines rate-limited.
	refused      uint64
	logLimiter   *rate.Limiter
	linesDropped uint64 // lines dropped since the last one written
	flushing     bool   // a summary is scheduled
}

// userGate is one user's state: calls running, and the rate limiter (nil
// without a rate limit).
type userGate struct {
	inFlight int
	limiter  *rate.Limiter
}

// refusal is why the gate refused a call, as the model reads it.
type refusal struct {
	outcome    string
	limit      string // the config key
	message    string
	retryAfter time.Duration // 0 unless rate-limited
}

func newGate(cfg CallsConfig, logger *slog.Logger) *gate {
	return &gate{
		cfg:        cfg.Or(defaultCalls),
		logger:     logger,
		now:        time.Now,
		afterFunc:  func(d time.Duration, f func()) { time.AfterFunc(d, f) },
		users:      map[string]*userGate{},
		sweepAt:    usersSweepMin,
		logLimiter: rate.NewLimiter(refusalLogRate, refusalLogBurst),
	}
}

// wrap gates a tool handler of pl.
func (g *gate) wrap(pl *Plugin, tool string, next server.ToolHandlerFunc) server.ToolHandlerFunc {
	tm := g.tel.Tool(pl.Name(), pl.Desc.Provider, tool)
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ctx, span := tm.StartCall(ctx, metaFields(req.Params.Meta)) // continues a traceparent in _meta
		defer span.End()
		user := ""
		if creds, err := auth.ValidateMeta(metaFields(req.Params.Meta), pl.Desc.Provider); err == nil {
			user = creds.UserID
		}
		release, refused := g.admit(user, tool)
		if refused != nil {
			tm.Refused(ctx, refused.outcome)
			g.logRefusal(ctx, pl, tool, user, refused)
			return refused.result(), nil
		}
		defer release()
		return next(ctx, req)
	}
}

// admit reserves a place for a call of user ("" for none known), or says
// why not. release gives the place back; call it once the call is done.
func (g *gate) admit(user, tool string) (release func(), refused *refusal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	var u *userGate
	if user != "" {
		u = g.users[user]
		if u == nil {
			u = &userGate{}
			if g.cfg.PerUserRate > 0 {
				u.limiter = rate.NewLimiter(rate.Limit(g.cfg.PerUserRate), g.cfg.PerUserBurst)
			}
			g.users[user] = u
		}
	}
	switch {
	case u != nil && g.cfg.PerUserInFlight > 0 && u.inFlight >= g.cfg.PerUserInFlight:
		g.forget(user, u, now)
		return nil, &refusal{outcome: outcomeUserBusy, limit: "calls.per_user_in_flight", message: fmt.Sprintf(
			"Too many tool calls at once: this user already has %d running, the most the host allows (calls.per_user_in_flight). "+
				"Wait for one to finish, then call %s again.", u.inFlight, tool)}
	case g.cfg.MaxInFlight > 0 && g.inFlight >= g.cfg.MaxInFlight:
		g.forget(user, u, now)
		return nil, &refusal{outcome: outcomeHostBusy, limit: "calls.max_in_flight", message: fmt.Sprintf(
			"The host is busy: %d tool calls are already running, the most it allows (calls.max_in_flight). "+
				"Wait a moment, then call %s again.", g.inFlight, tool)}
	case u != nil && u.limiter != nil && !u.limiter.AllowN(now, 1):
		wait := time.Duration(math.Ceil((1 - u.limiter.TokensAt(now)) / g.cfg.PerUserRate * float64(time.Second)))
		wait = max(wait, time.Millisecond)
		return nil, &refusal{outcome: outcomeRateLimited, limit: "calls.per_user_rate", retryAfter: wait, message: fmt.Sprintf(
			"Too many tool calls: this user may start %s calls a second, in bursts of up to %d (calls.per_user_rate, calls.per_user_burst). "+
				"Wait %s, then call %s again.", formatRate(g.cfg.PerUserRate), g.cfg.PerUserBurst, roundUp(wait), tool)}
	}
	g.inFlight++
	if u != nil {
		u.inFlight++
	}
	g.sweep(now)
	var once sync.Once
	return func() { once.Do(func() { g.release(user, u) }) }, nil
}

func (g *gate) release(user string, u *userGate) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inFlight--
	if u != nil {
		u.inFlight--
		g.forget(user, u, g.now())
	}
}

// forget drops a user's entry once it holds nothing a fresh one would not:
// no call running and a full rate bucket. Called with g.mu held.
func (g *gate) forget(user string, u *userGate, now time.Time) {
	if u == nil || u.inFlight > 0 {
		return
	}
	if u.limiter == nil || u.limiter.TokensAt(now) >= float64(u.limiter.Burst()) {
		delete(g.users, user)
	}
}

// sweep drops the idle entries once the map has doubled since the last
// sweep, so that users who come and go (or a client inventing userIds)
// cost memory only while their bucket refills. Called with g.mu held.
func (g *gate) sweep(now time.Time) {
	if len(g.users) < g.sweepAt {
		return
	}
	for user, u := range g.users {
		g.forget(user, u, now)
	}
	g.sweepAt = max(usersSweepMin, 2*len(g.users))
}

// logRefusal writes the refused call's log line, as toolHandler writes the
// others ("tool call", with its outcome), with the count of refusals since
// start. Past refusalLogRate lines a second the lines are dropped, and the
// next line, or a summary, says how many.
func (g *gate) logRefusal(ctx context.Context, pl *Plugin, tool, user string, r *refusal) {
	g.mu.Lock()
	g.refused++
	total := g.refused
	if !g.logLimiter.AllowN(g.now(), 1) {
		g.linesDropped++
		if !g.flushing {
			g.flushing = true
			g.afterFunc(refusalLogFlush, g.flushDropped)
		}
		g.mu.Unlock()
		return
	}
	dropped := g.linesDropped
	g.linesDropped = 0
	g.mu.Unlock()
	attrs := []slog.Attr{
		slog.String("tool", tool),
		slog.String("plugin", pl.Name()),
		slog.String("provider", pl.Desc.Provider),
		slog.String("userId", user),
		slog.String("outcome", r.outcome),
		slog.String("limit", r.limit),
		slog.Uint64("refused_total", total),
	}
	if dropped > 0 {
		attrs = append(attrs, slog.Uint64("refusal_lines_dropped", dropped))
	}
	g.logger.LogAttrs(ctx, slog.LevelInfo, "tool call", attrs...)
}

// flushDropped writes the count of refusal lines dropped since the last
// line, if any were.
func (g *gate) flushDropped() {
	g.mu.Lock()
	dropped, total := g.linesDropped, g.refused
	g.linesDropped, g.flushing = 0, false
	g.mu.Unlock()
	if dropped > 0 {
		g.logger.Info("tool calls refused: log lines dropped", "refusal_lines_dropped", dropped, "refused_total", total)
	}
}

// result is the refusal as a tool error the model can read: like the
// token-exchange errors, an error object as JSON text and as
// structuredContent.
func (r *refusal) result() *mcp.CallToolResult {
	obj := map[string]any{
		"error":     r.outcome,
		"message":   r.message,
		"limit":     r.limit,
		"retryable": true,
	}
	if r.retryAfter > 0 {
		obj["retry_after_ms"] = r.retryAfter.Milliseconds()
	}
	text, _ := json.Marshal(obj)
	res := mcp.NewToolResultStructured(obj, string(text))
	res.IsError = true
	return res
}

// formatRate writes a rate of calls a second without trailing zeros.
func formatRate(r float64) string { return fmt.Sprintf("%g", r) }

// roundUp writes a wait rounded up to the next 10 ms, or second past 10 s.
func roundUp(d time.Duration) time.Duration {
	unit := 10 * time.Millisecond
	if d > 10*time.Second {
		unit = time.Second
	}
	return (d + unit - 1) / unit * unit
}
