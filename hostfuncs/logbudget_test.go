package hostfuncs

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// Past its record budget, a call's records are dropped, and one line at the
// end says how many.
func TestLogBudgetRecords(t *testing.T) {
	logger, buf := captureLogger()
	c := newCall(nil)
	c.Logger = logger
	c.Limits = Limits{MaxLogRecords: 3}
	for range 10 {
		logRecord(callCtx(c), c, abi.LogRecord{Level: "info", Message: "hello"})
	}
	c.LogDropped(callCtx(c))
	c.LogDropped(callCtx(c)) // once only
	lines := decodeLines(t, buf)
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 3 records and 1 summary:\n%s", len(lines), buf)
	}
	for _, l := range lines[:3] {
		if l["msg"] != "hello" {
			t.Errorf("record line: %v", l)
		}
	}
	sum := lines[3]
	want := map[string]any{
		"level": "WARN", "msg": "plugin log lines dropped", "plugin": "test", "provider": "github",
		"dropped_records": float64(7), "dropped_bytes": float64(7 * len("hello"+"plugin"+"test")),
		"max_log_records": float64(3), "max_log_bytes": float64(DefaultMaxLogBytes),
	}
	for k, v := range want {
		if sum[k] != v {
			t.Errorf("summary %s = %v, want %v (%v)", k, sum[k], v, sum)
		}
	}
}

// Past its byte budget, records are dropped whatever their number; a
// smaller record that still fits is written.
func TestLogBudgetBytes(t *testing.T) {
	logger, buf := captureLogger()
	c := newCall(nil)
	c.Logger = logger
	c.Limits = Limits{MaxLogBytes: 100}
	ctx := callCtx(c)
	big := strings.Repeat("b", 60)
	logRecord(ctx, c, abi.LogRecord{Message: big})    // 70 bytes with plugin=test: fits
	logRecord(ctx, c, abi.LogRecord{Message: big})    // would make 140: dropped
	logRecord(ctx, c, abi.LogRecord{Message: "tiny"}) // 14 more: fits
	c.LogDropped(ctx)
	lines := decodeLines(t, buf)
	if len(lines) != 3 || lines[0]["msg"] != big || lines[1]["msg"] != "tiny" ||
		lines[2]["dropped_records"] != float64(1) || lines[2]["dropped_bytes"] != float64(70) {
		t.Fatalf("lines:\n%s", buf)
	}
}

// With the defaults, a flood of a thousand records writes 256 lines and the
// summary; nothing is said when nothing was dropped, and records the
// logger's level leaves out cost nothing.
func TestLogBudgetDefaults(t *testing.T) {
	logger, buf := captureLogger()
	c := newCall(nil)
	c.Logger = logger
	for range 1000 {
		logRecord(callCtx(c), c, abi.LogRecord{Message: "flood " + testToken})
	}
	c.LogDropped(callCtx(c))
	lines := decodeLines(t, buf)
	if len(lines) != DefaultMaxLogRecords+1 || lines[DefaultMaxLogRecords]["dropped_records"] != float64(1000-DefaultMaxLogRecords) {
		t.Fatalf("got %d lines, last %v", len(lines), lines[len(lines)-1])
	}
	if strings.Contains(buf.String(), "T0ken") {
		t.Error("a flooded record was not scrubbed")
	}

	var quiet strings.Builder
	c = newCall(nil)
	c.Logger = slog.New(slog.NewJSONHandler(&quiet, &slog.HandlerOptions{Level: slog.LevelInfo}))
	for range 1000 {
		logRecord(callCtx(c), c, abi.LogRecord{Level: "debug", Message: "not written"})
	}
	logRecord(callCtx(c), c, abi.LogRecord{Level: "info", Message: "written"})
	c.LogDropped(callCtx(c))
	if got := strings.Count(quiet.String(), "\n"); got != 1 || !strings.Contains(quiet.String(), "written") {
		t.Errorf("info logger got %d lines: %s", got, quiet.String())
	}
}

// The host's lines about a guest's requests share the budget: a guest that
// makes refused requests in a loop floods no more than one that logs.
func TestLogBudgetRequestLines(t *testing.T) {
	logger, buf := captureLogger()
	fx := newGithubFixture(t, nil)
	fx.call.Logger = logger
	fx.call.Limits = Limits{MaxRequests: 2, MaxLogRecords: 5}
	for range 50 {
		fx.do(abi.HTTPRequest{URL: "https://api.github.com/user"})
	}
	fx.call.LogDropped(callCtx(fx.call))
	lines := decodeLines(t, buf)
	if len(lines) != 6 {
		t.Fatalf("got %d lines, want 5 and the summary:\n%s", len(lines), buf)
	}
	if lines[0]["msg"] != "plugin http request" || lines[2]["error"] != abi.ErrTooManyRequests ||
		lines[5]["dropped_records"] != float64(45) {
		t.Errorf("lines:\n%s", buf)
	}
}

// The lines about a redirect the host did not follow are scrubbed, in any
// case: the Location is the upstream's, and URL parsing lower-cases its host.
func TestRedirectLogLineScrubbed(t *testing.T) {
	logger, buf := captureLogger()
	label := "gho_Mixed_Case_Label_Token_0042"
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+label+".evil.example.com/"+label, http.StatusFound)
	})
	fx.call.Logger = logger
	fx.call.Secrets = append(fx.call.Secrets, label)
	resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com/go"})
	wantOK(t, resp, http.StatusFound)
	if loc := resp.Headers["Location"]; strings.Contains(strings.ToLower(loc), strings.ToLower(label)) {
		t.Errorf("Location handed back: %q", loc)
	}
	out := buf.String()
	if !strings.Contains(out, "plugin redirect not followed") {
		t.Fatalf("no redirect line:\n%s", out)
	}
	if strings.Contains(strings.ToLower(out), strings.ToLower(label)) {
		t.Errorf("the log holds the secret in some case:\n%s", out)
	}
}
