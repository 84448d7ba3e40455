package hostfuncs

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

func captureLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

func decodeLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("bad log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestLogRecord(t *testing.T) {
	logger, buf := captureLogger()
	c := newCall(nil)
	c.Logger = logger
	for _, rec := range []abi.LogRecord{
		{Level: "debug", Message: "d"},
		{Level: "INFO", Message: "i"},
		{Level: "warn", Message: "w"},
		{Level: "error", Message: "e"},
		{Level: "loud", Message: "unknown level"},
		{Level: "info", Message: "token is " + testToken},
		{Level: "info", Message: strings.Repeat("é", MaxLogMessage)},
	} {
		logRecord(callCtx(c), c, rec)
	}
	lines := decodeLines(t, buf)
	wantLevels := []string{"DEBUG", "INFO", "WARN", "ERROR", "INFO", "INFO", "INFO"}
	if len(lines) != len(wantLevels) {
		t.Fatalf("got %d lines: %s", len(lines), buf)
	}
	for i, l := range lines {
		if l["level"] != wantLevels[i] || l["plugin"] != "test" {
			t.Errorf("line %d: %v", i, l)
		}
	}
	if msg := lines[5]["msg"].(string); msg != "token is "+Redacted {
		t.Errorf("secret not scrubbed: %q", msg)
	}
	long := lines[6]["msg"].(string)
	if len(long) > MaxLogMessage+len(truncatedMark) || !strings.HasSuffix(long, truncatedMark) || strings.ContainsRune(long, '\uFFFD') {
		t.Errorf("long message: %d bytes, suffix %q", len(long), long[len(long)-20:])
	}
}

func TestRequestLogLine(t *testing.T) {
	logger, buf := captureLogger()
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Header.Get("Authorization")))
	})
	fx.call.Logger = logger
	wantOK(t, fx.do(abi.HTTPRequest{URL: "https://api.github.com/user?q=private-query",
		Headers: map[string]string{"X-Custom": "header-value"}}), 200)
	wantErr(t, fx.do(abi.HTTPRequest{URL: "https://evil.example.com/x?q=private-query"}), abi.ErrHostNotAllowed)

	out := buf.String()
	for _, bad := range []string{testToken, "T0ken", "private-query", "Bearer", "header-value", "X-Custom"} {
		if strings.Contains(out, bad) {
			t.Errorf("log contains %q: %s", bad, out)
		}
	}
	lines := decodeLines(t, buf)
	if len(lines) != 2 {
		t.Fatalf("got %d lines: %s", len(lines), out)
	}
	done, refused := lines[0], lines[1]
	if done["level"] != "DEBUG" || done["msg"] != "plugin http request" || done["plugin"] != "test" ||
		done["method"] != "GET" || done["url"] != "https://api.github.com/user" || done["status"] != float64(200) ||
		done["bytes"] == nil || done["latency"] == nil {
		t.Errorf("request line: %v", done)
	}
	if refused["level"] != "WARN" || refused["error"] != abi.ErrHostNotAllowed || refused["url"] != "https://evil.example.com/x" {
		t.Errorf("refusal line: %v", refused)
	}
}

func TestGuestLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{
		"debug": slog.LevelDebug, "trace": slog.LevelDebug, "info": slog.LevelInfo, "": slog.LevelInfo,
		"Warn": slog.LevelWarn, "warning": slog.LevelWarn, "ERROR": slog.LevelError, "fatal": slog.LevelInfo,
	} {
		if got := guestLevel(in); got != want {
			t.Errorf("guestLevel(%q) = %v, want %v", in, got, want)
		}
	}
}
