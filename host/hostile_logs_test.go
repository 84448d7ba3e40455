package host

// The hostile guest that floods the log (testdata/guests/logbudget): every
// way a guest can make the host write lines is held to the call's log
// budget, with one line saying what was dropped, and the budget is the
// call's own.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/hostfuncs"
)

// logsOf runs one call of hostile_logbudget and returns the log lines it
// caused: the harness log grows only by the call's own lines while it runs,
// and all of them are written before the call answers.
func (hh *harness) logsOf(t *testing.T, args map[string]any) (toolOutcome, []string) {
	t.Helper()
	before := len(hh.logs.String())
	res := hh.call(t, "alice", "hostile_logbudget", args)
	delta := hh.logs.String()[before:]
	return res, strings.Split(strings.TrimSuffix(delta, "\n"), "\n")
}

// countLines counts the lines that hold every one of subs.
func countLines(lines []string, subs ...string) int {
	n := 0
	for _, l := range lines {
		if logLineHas(l, subs...) {
			n++
		}
	}
	return n
}

func logLineHas(l string, subs ...string) bool {
	for _, s := range subs {
		if !strings.Contains(l, s) {
			return false
		}
	}
	return true
}

// droppedLine is the summary a call whose budget dropped records writes.
func droppedLine(records int) string {
	return fmt.Sprintf(`msg="plugin log lines dropped" plugin=hostile-logbudget provider=github dropped_records=%d `, records) +
		"dropped_bytes="
}

func TestHostileLogFlood(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"logbudget"}, noGitHub: true})
	const plugin = "plugin=hostile-logbudget"
	max := hostfuncs.DefaultMaxLogRecords

	t.Run("records", func(t *testing.T) {
		const n = 10_000 // 40 times the budget
		res, lines := hh.logsOf(t, map[string]any{"mode": "records", "n": n})
		res.wantOK(t)
		if got := countLines(lines, `msg="flood `, plugin); got != max {
			t.Errorf("%d guest lines, want the budget's %d", got, max)
		}
		if got := countLines(lines, droppedLine(n-max), fmt.Sprintf("max_log_records=%d max_log_bytes=%d", max, hostfuncs.DefaultMaxLogBytes)); got != 1 {
			t.Errorf("%d summary lines for %d dropped records, want 1:\n%s", got, n-max, strings.Join(lines[len(lines)-3:], "\n"))
		}
		if size := len(strings.Join(lines, "\n")); size > 64<<10 {
			t.Errorf("the call wrote %d bytes of log", size)
		}
	})

	t.Run("big records", func(t *testing.T) {
		// Each record is cut to MaxLogMessage; 15 such fill the 64 KiB.
		const n, size = 1000, 8000
		res, lines := hh.logsOf(t, map[string]any{"mode": "big", "n": n, "size": size})
		res.wantOK(t)
		perLine := hostfuncs.MaxLogMessage + len("…[truncated]") + len("plugin") + len("hostile-logbudget")
		fit := hostfuncs.DefaultMaxLogBytes / perLine
		if got := countLines(lines, "msg=BBBB", plugin); got != fit {
			t.Errorf("%d big lines, want %d", got, fit)
		}
		if got := countLines(lines, droppedLine(n-fit)+fmt.Sprint((n-fit)*perLine)); got != 1 {
			t.Errorf("no summary for %d dropped records of %d bytes", n-fit, perLine)
		}
	})

	t.Run("every level", func(t *testing.T) {
		res, lines := hh.logsOf(t, map[string]any{"mode": "levels", "n": 600})
		res.wantOK(t)
		if got := countLines(lines, `msg="level flood `, plugin); got != max {
			t.Errorf("%d lines, want %d", got, max)
		}
		for _, level := range []string{"level=DEBUG", "level=INFO", "level=WARN", "level=ERROR"} {
			if countLines(lines, `msg="level flood `, level) == 0 {
				t.Errorf("no record at %s", level)
			}
		}
		if countLines(lines, droppedLine(600-max)) != 1 {
			t.Error("no summary line")
		}
	})

	t.Run("forged lines", func(t *testing.T) {
		res, lines := hh.logsOf(t, map[string]any{"mode": "forge", "n": 300})
		res.wantOK(t)
		for _, l := range lines {
			if strings.HasPrefix(l, "time=2026-01-01") || strings.Contains(l, "\x1b") || strings.Contains(l, "\u202e") {
				t.Fatalf("a record forged or hid a log line: %q", l)
			}
		}
		if got := countLines(lines, `msg="innocent\n`, plugin); got != max {
			t.Errorf("%d forged records, want %d, each on one line", got, max)
		}
	})

	t.Run("refused requests", func(t *testing.T) {
		// Each refusal is a host line; they share the budget.
		const n = 1000
		res, lines := hh.logsOf(t, map[string]any{"mode": "requests", "n": n})
		if res.wantOK(t)["refused"] != float64(n) {
			t.Errorf("result %v", res.structured)
		}
		if got := countLines(lines, `msg="plugin http request refused"`, plugin); got != max {
			t.Errorf("%d refusal lines, want %d", got, max)
		}
		if countLines(lines, `msg="plugin http request refused"`, "level=WARN", "error=host_not_allowed") != defaultLimits.MaxHTTPRequests ||
			countLines(lines, "error=too_many_requests") != max-defaultLimits.MaxHTTPRequests {
			t.Error("the refusals logged are not the first ones")
		}
		if countLines(lines, droppedLine(n-max)) != 1 {
			t.Error("no summary line")
		}
	})

	t.Run("stderr", func(t *testing.T) {
		// 10 MiB to stderr, then a panic: one bounded line, no flood.
		before := hh.stats(t, "hostile-logbudget")
		res, lines := hh.logsOf(t, map[string]any{"mode": "stderr", "n": 10 << 10})
		res.wantToolError(t, "hostile-logbudget")
		if len(res.text) > 8<<10 {
			t.Errorf("the tool error is %d bytes", len(res.text))
		}
		if size := len(strings.Join(lines, "\n")); size > 16<<10 {
			t.Errorf("the call wrote %d bytes of log", size)
		}
		if got := countLines(lines, `msg="plugin call failed"`, plugin); got != 1 {
			t.Errorf("%d failure lines, want 1", got)
		}
		hh.wantDiscarded(t, "hostile-logbudget", before, 1)
	})

	t.Run("the next call has its own budget", func(t *testing.T) {
		res, lines := hh.logsOf(t, map[string]any{"mode": "records", "n": 10})
		res.wantOK(t)
		if got := countLines(lines, `msg="flood `, plugin); got != 10 {
			t.Errorf("%d lines, want all 10", got)
		}
		if countLines(lines, "plugin log lines dropped") != 0 {
			t.Error("a call within its budget reported drops")
		}
	})
}

// The budget is the operator's: limits.max_log_records and max_log_bytes,
// here per plugin.
func TestHostileLogBudgetConfigured(t *testing.T) {
	hh := newHarness(t, harnessOptions{
		guests: []string{"logbudget"}, noGitHub: true,
		limits: map[string]Limits{"hostile-logbudget": {MaxLogRecords: 5, MaxLogBytes: 1 << 20}},
	})
	res, lines := hh.logsOf(t, map[string]any{"mode": "records", "n": 50})
	res.wantOK(t)
	if got := countLines(lines, `msg="flood `); got != 5 {
		t.Errorf("%d lines, want 5", got)
	}
	if countLines(lines, droppedLine(45), "max_log_records=5 max_log_bytes=1048576") != 1 {
		t.Errorf("no summary line with the configured budget:\n%s", strings.Join(lines, "\n"))
	}

	hh2 := newHarness(t, harnessOptions{
		guests: []string{"logbudget"}, noGitHub: true,
		limits: map[string]Limits{"hostile-logbudget": {MaxLogBytes: 1000}},
	})
	res, lines = hh2.logsOf(t, map[string]any{"mode": "big", "n": 5, "size": 400})
	res.wantOK(t)
	// Each line costs 400 + len("plugin") + len("hostile-logbudget") = 423.
	if got := countLines(lines, "msg=BBBB"); got != 2 || countLines(lines, droppedLine(3)+"1269 ") != 1 {
		t.Errorf("%d lines, want 2 and a summary of 3 dropped:\n%s", got, strings.Join(lines, "\n"))
	}
}
