package host

import (
	"strconv"
	"strings"
	"sync"
)

// maxGuestStderr is how much of a call's stderr an instance keeps: the start,
// where the Go runtime says why it died.
const maxGuestStderr = 4 << 10

// guestStderr is an instance's WASI stderr. It keeps the first bytes written
// during the current call, so that a call that dies ("fatal error: out of
// memory", an unrecovered panic) can say why in its tool error; the rest is
// dropped, and nothing of it reaches the host's own stderr. What leaves it
// is bounded: one line (cause), at most maxGuestStderr bytes, for the one
// "plugin call failed" log line of a failed call and its tool error, both
// scrubbed by the host. A guest writing megabytes to stderr costs a
// bounded copy and no log line.
type guestStderr struct {
	mu sync.Mutex
	b  []byte
}

func (g *guestStderr) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if room := maxGuestStderr - len(g.b); room > 0 {
		g.b = append(g.b, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

// reset forgets what the previous call wrote.
func (g *guestStderr) reset() {
	g.mu.Lock()
	g.b = g.b[:0]
	g.mu.Unlock()
}

// cause returns the first line of the call's stderr in which a Go runtime
// says why it stopped, or "". Only whole lines are quoted: a line the cap
// cut short is named by its first words and marked, since the cut could
// fall inside a secret, which the caller's scrubbing would then not
// recognise. The caller scrubs what it gets.
func (g *guestStderr) cause() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	for line := range strings.Lines(string(g.b)) {
		whole := strings.HasSuffix(line, "\n") || len(g.b) < maxGuestStderr
		line = strings.TrimSpace(line)
		for _, prefix := range []string{"fatal error: ", "panic: "} {
			switch {
			case !strings.HasPrefix(line, prefix):
			case whole:
				return line
			default:
				return prefix + "…[cut at the " + strconv.Itoa(maxGuestStderr>>10) + " KiB stderr limit]"
			}
		}
	}
	return ""
}
