package hostfuncs

import (
	"context"
	"strings"
	"sync"

	"golang.org/x/time/rate"
)

// Client is the MCP client of one tool call, as the host functions see it:
// where the call's progress and its plugin's log records go, besides the
// host's log. The host implements it over its MCP session and puts it in
// the call's context with WithClient; the host functions check, scrub and
// bound everything before it gets there.
type Client interface {
	// Progress sends one notifications/progress; total is 0 when unknown,
	// message "" when there is none. It is called only with a progress
	// above the last one sent, and never blocks.
	Progress(ctx context.Context, progress, total float64, message string)
	// LogEnabled reports whether the client takes log records at level, an
	// MCP level ("debug", "info", "notice", "warning", "error"...).
	LogEnabled(ctx context.Context, level string) bool
	// Log sends one notifications/message from the plugin named logger.
	// It never blocks.
	Log(ctx context.Context, level, logger, message string)
}

// Bounds on what a call sends its client.
const (
	// MaxProgressMessage caps a progress message, in bytes, after
	// scrubbing; a longer one is cut at a character boundary.
	MaxProgressMessage = 1 << 10
	// ProgressRate and ProgressBurst bound the progress notifications of
	// one call: ProgressBurst at once, then ProgressRate a second. A
	// report past them is dropped; the next one that is let through
	// carries the progress made since.
	ProgressRate  = 10
	ProgressBurst = 10
)

// clientState is one call's Client and what the host functions keep about
// it: the last progress sent, the progress rate limiter, and the budget of
// log records forwarded (Limits.MaxLogRecords and MaxLogBytes, counted
// apart from the host log's, since the two take different levels).
type clientState struct {
	client Client

	mu       sync.Mutex
	last     float64
	sent     bool
	progress *rate.Limiter

	logs logBudget
}

type clientKey struct{}

// WithClient returns a copy of ctx that carries c as the call's client.
// Without one, progress reports are dropped and log records go to the
// host's log only.
func WithClient(ctx context.Context, c Client) context.Context {
	if c == nil {
		return ctx
	}
	return context.WithValue(ctx, clientKey{}, &clientState{client: c, progress: rate.NewLimiter(ProgressRate, ProgressBurst)})
}

func clientFrom(ctx context.Context) *clientState {
	s, _ := ctx.Value(clientKey{}).(*clientState)
	return s
}

// admitProgress reports whether a progress of p may be sent now, and takes
// it as the last one sent.
func (s *clientState) admitProgress(p float64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent && p <= s.last {
		return false // MCP: progress increases with each notification
	}
	if !s.progress.Allow() {
		return false
	}
	s.last, s.sent = p, true
	return true
}

// forwardLog sends a guest log record to the call's client, if it has one
// that takes the record's level, within the call's budget. msg is already
// scrubbed and bounded.
func forwardLog(ctx context.Context, c *Call, level, msg string) {
	s := clientFrom(ctx)
	if s == nil {
		return
	}
	lv := mcpLevel(level)
	if !s.client.LogEnabled(ctx, lv) {
		return
	}
	if !s.logs.admit(int64(len(msg)+len(lv)), c.Limits.withDefaults()) {
		return
	}
	s.client.Log(ctx, lv, c.Plugin, msg)
}

// mcpLevel maps a LogRecord level to MCP's (RFC 5424's names); unknown
// levels are "info", as guestLevel has them.
func mcpLevel(s string) string {
	switch l := strings.ToLower(strings.TrimSpace(s)); l {
	case "debug", "trace":
		return "debug"
	case "warn", "warning":
		return "warning"
	case "notice", "error", "critical", "alert", "emergency":
		return l
	}
	return "info"
}
