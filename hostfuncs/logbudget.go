package hostfuncs

import (
	"context"
	"log/slog"
	"sync"
)

// Defaults of the log budget of Limits.
const (
	DefaultMaxLogRecords = 256
	DefaultMaxLogBytes   = 64 << 10
)

// logBudget counts the log lines a guest caused during one call: its own
// records (abi.FuncLog) and the host's lines about its requests. Past
// either limit a line is dropped and counted; LogDropped reports the count
// once, when the call ends. A guest that logs a million times in a call so
// writes at most Limits.MaxLogRecords lines and Limits.MaxLogBytes bytes,
// plus that one line.
type logBudget struct {
	mu             sync.Mutex
	records        int
	bytes          int64
	droppedRecords int
	droppedBytes   int64
	reported       bool
}

// admit reports whether a line of size bytes fits in what is left of the
// budget, and takes it; a line that does not fit is counted as dropped.
func (b *logBudget) admit(size int64, lim Limits) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.records < lim.MaxLogRecords && b.bytes+size <= lim.MaxLogBytes {
		b.records++
		b.bytes += size
		return true
	}
	b.droppedRecords++
	b.droppedBytes += size
	return false
}

// emit writes one line the guest caused to the call's logger, if the
// logger takes its level and the call's log budget has room. Everything in
// msg and attrs must already be scrubbed and bounded.
func (c *Call) emit(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	log := c.logger()
	if !log.Enabled(ctx, level) {
		return
	}
	if !c.logs.admit(lineSize(msg, attrs), c.Limits.withDefaults()) {
		return
	}
	log.LogAttrs(ctx, level, msg, attrs...)
}

// lineSize is what a line costs the budget: its message, and each
// attribute's key and value as text.
func lineSize(msg string, attrs []slog.Attr) int64 {
	n := int64(len(msg))
	for _, a := range attrs {
		n += int64(len(a.Key))
		if a.Value.Kind() == slog.KindString {
			n += int64(len(a.Value.String()))
		} else {
			n += 8
		}
	}
	return n
}

// LogDropped writes the call's one line about the lines its log budget
// dropped, at warn level, if it dropped any:
//
//	msg="plugin log lines dropped" plugin=notes provider=github
//	dropped_records=999744 dropped_bytes=49987200 max_log_records=256 max_log_bytes=65536
//
// The host calls it when the call ends; later calls do nothing.
func (c *Call) LogDropped(ctx context.Context) {
	c.logs.mu.Lock()
	records, bytes, done := c.logs.droppedRecords, c.logs.droppedBytes, c.logs.reported
	c.logs.reported = true
	c.logs.mu.Unlock()
	if done || records == 0 {
		return
	}
	lim := c.Limits.withDefaults()
	c.logger().LogAttrs(ctx, levelWarn, "plugin log lines dropped",
		attrPlugin(c), strAttr("provider", c.Provider),
		slog.Int("dropped_records", records), slog.Int64("dropped_bytes", bytes),
		slog.Int("max_log_records", lim.MaxLogRecords), slog.Int64("max_log_bytes", lim.MaxLogBytes))
}
