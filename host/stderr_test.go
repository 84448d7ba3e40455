package host

import (
	"strings"
	"testing"
)

// A guest's stderr keeps its first 4 KiB; the cause quotes one whole line,
// and names a line the cap cut short without quoting its cut end.
func TestGuestStderrCause(t *testing.T) {
	var g guestStderr
	g.Write([]byte("noise\npanic: boom\n\ngoroutine 1 [running]:\n"))
	if got := g.cause(); got != "panic: boom" {
		t.Errorf("cause = %q", got)
	}
	g.reset()
	g.Write([]byte("fatal error: out of memory")) // no newline, buffer not full
	if got := g.cause(); got != "fatal error: out of memory" {
		t.Errorf("cause = %q", got)
	}
	g.reset()
	for range 1000 { // a flood: kept bounded
		g.Write([]byte(strings.Repeat("x", 100)))
	}
	if len(g.b) != maxGuestStderr || g.cause() != "" {
		t.Errorf("kept %d bytes, cause %q", len(g.b), g.cause())
	}
	g.reset()
	g.Write([]byte("panic: " + strings.Repeat("s", maxGuestStderr) + "\n"))
	if got := g.cause(); got != "panic: …[cut at the 4 KiB stderr limit]" {
		t.Errorf("cut line: cause = %q", got)
	}
}
