package hostfuncs

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"time"

	extism "github.com/extism/go-sdk"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// Bounds on a guest's log record.
const (
	// MaxLogMessage caps the message logged, in bytes; a longer one is cut
	// at a character boundary and marked with truncatedMark.
	MaxLogMessage = 4 << 10
	// maxLogDocument caps the JSON LogRecord read from the guest; a larger
	// one is ignored.
	maxLogDocument = 64 << 10
	truncatedMark  = "…[truncated]"
	// maxLogURL caps a URL in a line about a request, after scrubbing.
	maxLogURL = 512
)

const (
	levelDebug = slog.LevelDebug
	levelInfo  = slog.LevelInfo
	levelWarn  = slog.LevelWarn
	levelError = slog.LevelError
)

// log is the host function abi.FuncLog: (rec i64) -> (). It writes one guest
// log record to the Call's Logger.
//
// # Parameters
//
//   - rec: offset of an Extism memory block holding a JSON abi.LogRecord of
//     at most maxLogDocument bytes. The guest still owns it afterwards.
//
// # Results
//
// None. The record is logged at its Level ("debug", "info", "warn" or
// "error", in any case; anything else is "info") with the attribute
// plugin=<Call.Plugin>. Its message is scrubbed of the Call's secrets, then
// cut to MaxLogMessage bytes. It counts against the call's log budget
// (Limits.MaxLogRecords, Limits.MaxLogBytes); past the budget it is
// dropped, and counted for Call.LogDropped. The same scrubbed message goes
// to the call's Client, if any (see WithClient), as notifications/message
// when the client takes its level, within a budget of the same size
// counted apart.
//
// # Errors
//
// None, and it never traps: with no Call in the context, no Logger, a bad
// offset, an oversized block or malformed JSON, the record is dropped.
//
//	   rec
//	    |
//	[..]{"level":"info","message":"fetched 3 repos"}[..]
//	    `------------- length(rec) ---------------'
func (f *Funcs) log(ctx context.Context, p *extism.CurrentPlugin, stack []uint64) {
	defer recoverTo(ctx, "log", func() {})
	c, ok := CallFrom(ctx)
	if !ok || (c.Logger == nil && clientFrom(ctx) == nil) {
		return
	}
	raw, err := readBlock(p, stack[0], maxLogDocument)
	if err != nil {
		return
	}
	var rec abi.LogRecord
	if json.Unmarshal(raw, &rec) != nil {
		return
	}
	logRecord(ctx, c, rec)
}

// logRecord writes rec, from the guest, to c's logger.
func logRecord(ctx context.Context, c *Call, rec abi.LogRecord) {
	msg := truncate(c.scrubber().String(rec.Message), MaxLogMessage)
	c.emit(ctx, guestLevel(rec.Level), msg, attrPlugin(c))
	forwardLog(ctx, c, rec.Level, msg) // notifications/message, if the client takes the level (client.go)
}

// guestLevel maps a LogRecord level to slog; unknown levels are info.
func guestLevel(s string) slog.Level {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug", "trace":
		return levelDebug
	case "warn", "warning":
		return levelWarn
	case "error":
		return levelError
	}
	return levelInfo
}

// truncate cuts s to at most n bytes plus truncatedMark, at a character
// boundary.
func truncate(s string, n int) string { return safetext.ClipMarked(s, n, truncatedMark) }

// logDone writes the debug line of one performed request. It names the
// URL without its query and never a header. Like every line a guest's
// requests cause, it is scrubbed and counts against the log budget.
func (f *Funcs) logDone(ctx context.Context, c *Call, method string, u *url.URL, status, n, hops int, start time.Time, r *refusal, sc *scrubber) {
	if !c.logger().Enabled(ctx, levelDebug) {
		return
	}
	attrs := []slog.Attr{
		attrPlugin(c), strAttr("provider", c.Provider), strAttr("method", method),
		strAttr("url", clip(sc.String(safeURL(u)), maxLogURL)), slog.Int("status", status),
		slog.Duration("latency", time.Since(start)), slog.Int("bytes", n),
	}
	if hops > 0 {
		attrs = append(attrs, slog.Int("redirects", hops))
	}
	if r != nil {
		attrs = append(attrs, strAttr("error", r.code), strAttr("error_message", clip(sc.String(r.msg), MaxLogMessage)))
	}
	c.emit(ctx, levelDebug, "plugin http request", attrs...)
}

// logRefusal logs a request the host refused before sending it: at warn
// level when the policy refused it (undeclared host, forbidden header), at
// debug level otherwise.
func (f *Funcs) logRefusal(ctx context.Context, c *Call, req abi.HTTPRequest, r *refusal) {
	level := levelDebug
	if r.code == abi.ErrHostNotAllowed || r.code == abi.ErrHeaderNotAllowed {
		level = levelWarn
	}
	if !c.logger().Enabled(ctx, level) {
		return
	}
	sc := c.scrubber()
	where := "(unparsable URL)"
	if u, err := url.Parse(req.URL); err == nil {
		u.User = nil
		where = clip(sc.String(safeURL(u)), maxLogURL) // scrubbed whole, then cut
	}
	c.emit(ctx, level, "plugin http request refused",
		attrPlugin(c), strAttr("provider", c.Provider), strAttr("method", clip(sc.String(req.Method), 32)),
		strAttr("url", where), strAttr("error", r.code), strAttr("error_message", clip(sc.String(r.msg), MaxLogMessage)))
}

// logRedirect writes the debug line of a redirect the host did not follow:
// where from (the hop's URL, without its query) and where to (the
// Location's origin), both scrubbed, since both can come from upstream.
func (f *Funcs) logRedirect(ctx context.Context, c *Call, from, to *url.URL) {
	if !c.logger().Enabled(ctx, levelDebug) {
		return
	}
	sc := c.scrubber()
	c.emit(ctx, levelDebug, "plugin redirect not followed",
		attrPlugin(c), strAttr("from", clip(sc.String(safeURL(from)), maxLogURL)), strAttr("to", clip(sc.String(origin(to)), maxLogURL)))
}

func attrPlugin(c *Call) slog.Attr  { return slog.String("plugin", c.Plugin) }
func strAttr(k, v string) slog.Attr { return slog.String(k, v) }
