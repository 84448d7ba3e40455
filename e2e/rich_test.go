package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// richMockToken is the --mock token of github, which testdata/guests/rich
// writes into everything it sends.
const richMockToken = "gho_mockGitHubToken123456789"

// notes collects the progress and log notifications a client receives, and
// says when more arrive.
type notes struct {
	mu       sync.Mutex
	progress []*mcp.ProgressNotificationParams
	logs     []*mcp.LoggingMessageParams
	changed  chan struct{}
}

func newNotes() *notes { return &notes{changed: make(chan struct{})} }

func (n *notes) add(f func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f()
	close(n.changed)
	n.changed = make(chan struct{})
}

// waitFor waits until cond holds of what was received, checking again on
// each notification.
func (n *notes) waitFor(t *testing.T, what string, cond func(*notes) bool) {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		n.mu.Lock()
		ok, changed := cond(n), n.changed
		n.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			n.mu.Lock()
			defer n.mu.Unlock()
			var logs []string
			for _, l := range n.logs {
				logs = append(logs, fmt.Sprintf("%s: %v", l.Level, l.Data))
			}
			t.Fatalf("timed out waiting for %s; got %d progress notifications and the logs %q", what, len(n.progress), logs)
		}
	}
}

// startRich serves the given test guests over stdio in mock mode and
// connects a client that records notifications.
func startRich(t *testing.T, extraYAML string, guests ...string) (*running, *notes) {
	return startRichAt(t, "", extraYAML, guests...)
}

// startRichAt is startRich with the client on the given protocol version
// ("" for the SDK's default, 2026-07-28).
func startRichAt(t *testing.T, protocol, extraYAML string, guests ...string) (*running, *notes) {
	t.Helper()
	dir := t.TempDir()
	for _, g := range guests {
		if err := os.WriteFile(filepath.Join(dir, g+".wasm"), testGuest(t, g), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n := newNotes()
	cmd := hostCommand(t, hostOpts{mock: true, pluginsDir: dir, extraYAML: extraYAML}, "serve")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e-rich", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			n.add(func() { n.progress = append(n.progress, r.Params) })
		},
		LoggingMessageHandler: func(_ context.Context, r *mcp.LoggingMessageRequest) {
			n.add(func() { n.logs = append(n.logs, r.Params) })
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	session, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, &mcp.ClientSessionOptions{ProtocolVersion: protocol})
	if err != nil {
		t.Fatalf("connecting to host: %v\nstderr:\n%s", err, stderr.String())
	}
	t.Cleanup(func() {
		session.Close()
		if t.Failed() {
			t.Logf("host stderr:\n%s", stderr.String())
		}
	})
	return &running{session: session, stderr: stderr, cmd: cmd}, n
}

// richMeta is a call's _meta, fresh each time: the SDK writes its own keys
// into the map it is given.
func richMeta() map[string]any { return meta("u1", "temp_token_abc456xyz", "github") }

// Every kind of block arrives as its MCP content type, after the structured
// result, with the access token scrubbed from each.
func TestRichBlocks(t *testing.T) {
	r, _ := startRich(t, "", "rich")
	res := r.call(t, "rich_blocks", map[string]any{}, richMeta())
	if res.IsError {
		t.Fatalf("tool error: %s", text(res))
	}
	if all := resultJSON(t, res); strings.Contains(all, richMockToken) {
		t.Fatalf("the access token reached the client: %s", all)
	}
	if got := structured(t, res); got["ok"] != true {
		t.Errorf("structuredContent = %v, want {ok: true}", got)
	}
	if len(res.Content) != 6 {
		t.Fatalf("got %d content blocks, want the result's text and 5 blocks: %s", len(res.Content), resultJSON(t, res))
	}
	if tc, ok := res.Content[0].(*mcp.TextContent); !ok || tc.Text != `{"ok":true}` {
		t.Errorf("block 0 = %#v, want the structured result as text", res.Content[0])
	}
	if tc, ok := res.Content[1].(*mcp.TextContent); !ok || tc.Text != "the token is [REDACTED]" {
		t.Errorf("block 1 = %#v, want the text, scrubbed", res.Content[1])
	}
	// An image whose bytes held the token is replaced whole by the marker.
	if img, ok := res.Content[2].(*mcp.ImageContent); !ok || string(img.Data) != "[REDACTED]" || img.MIMEType != "image/png" {
		t.Errorf("block 2 = %#v, want an image/png whose data is the marker", res.Content[2])
	}
	if au, ok := res.Content[3].(*mcp.AudioContent); !ok || string(au.Data) != "RIFF....WAVE" || au.MIMEType != "audio/wav" {
		t.Errorf("block 3 = %#v, want the audio as sent", res.Content[3])
	}
	link, ok := res.Content[4].(*mcp.ResourceLink)
	if !ok || link.URI != "https://example.com/files/[REDACTED]" || link.Name != "file [REDACTED]" || link.Title != "A file" || link.MIMEType != "text/plain" {
		t.Errorf("block 4 = %#v, want the resource link, scrubbed", res.Content[4])
	}
	emb, ok := res.Content[5].(*mcp.EmbeddedResource)
	if !ok || emb.Resource == nil || emb.Resource.URI != "test://notes/1" || emb.Resource.MIMEType != "text/markdown" || emb.Resource.Text != "# Notes\n[REDACTED]" {
		t.Errorf("block 5 = %#v, want the embedded text resource, scrubbed", res.Content[5])
	}
}

// An image above the host's limit, or of a MIME type that is not an image,
// makes the call a tool error that says which block and why.
func TestRichBlocksRefused(t *testing.T) {
	r, _ := startRich(t, "limits:\n  max_output_bytes: 4194304\n", "rich")
	res := r.call(t, "rich_big_image", map[string]any{"bytes": 1<<20 + 1}, richMeta())
	if !res.IsError || !strings.Contains(text(res), "content block 0 (image)") || !strings.Contains(text(res), "above the host's limit of 1048576 for one image or audio block") {
		t.Errorf("oversize image: got %s, want a tool error naming the block and the limit", resultJSON(t, res))
	}
	res = r.call(t, "rich_big_image", map[string]any{"bytes": 1 << 20}, richMeta())
	if img, ok := firstContent(res).(*mcp.ImageContent); res.IsError || !ok || len(img.Data) != 1<<20 {
		t.Errorf("an image at the limit: got an error or no image: %.300s", resultJSON(t, res))
	}
	if res.StructuredContent != nil {
		t.Errorf("a tool with no result and no output schema sent structuredContent %v", res.StructuredContent)
	}
	res = r.call(t, "rich_bad_block", map[string]any{}, richMeta())
	if !res.IsError || !strings.Contains(text(res), `its MIME type text/html is not an image/ type`) {
		t.Errorf("text/html image: got %s, want a tool error naming the MIME type", resultJSON(t, res))
	}
}

func firstContent(res *mcp.CallToolResult) mcp.Content {
	if len(res.Content) == 0 {
		return nil
	}
	return res.Content[0]
}

// A call with a progressToken gets its progress, in order, strictly
// increasing, scrubbed; a call without one gets none.
func TestProgressNotifications(t *testing.T) {
	r, n := startRich(t, "", "rich")
	call := func(token any, steps int) {
		t.Helper()
		m := map[string]any{}
		for k, v := range richMeta() {
			m[k] = v
		}
		if token != nil {
			m["progressToken"] = token
		}
		if res := r.call(t, "rich_progress", map[string]any{"steps": steps}, m); res.IsError {
			t.Fatalf("tool error: %s", text(res))
		}
	}
	call("p1", 3)
	n.waitFor(t, "3 progress notifications", func(n *notes) bool { return len(n.progress) >= 3 })
	call(nil, 4) // no progressToken: no notifications
	call("p2", 2)
	n.waitFor(t, "5 progress notifications", func(n *notes) bool { return len(n.progress) >= 5 })

	n.mu.Lock()
	defer n.mu.Unlock()
	type want struct {
		token    string
		progress float64
		msg      string
	}
	wants := []want{{"p1", 1, "step 1 [REDACTED]"}, {"p1", 2, "step 2"}, {"p1", 3, "step 3"}, {"p2", 1, "step 1 [REDACTED]"}, {"p2", 2, "step 2"}}
	if len(n.progress) != len(wants) {
		t.Fatalf("got %d progress notifications, want %d (none for the call without a token, none for the reports that did not increase)", len(n.progress), len(wants))
	}
	for i, w := range wants {
		p := n.progress[i]
		total := float64(3)
		if w.token == "p2" {
			total = 2
		}
		if p.ProgressToken != w.token || p.Progress != w.progress || p.Total != total || p.Message != w.msg {
			t.Errorf("notification %d = {%v %v/%v %q}, want {%s %v/%v %q}", i, p.ProgressToken, p.Progress, p.Total, p.Message, w.token, w.progress, total, w.msg)
		}
	}
}

// logsOf returns the log notifications of the calls tagged tag, as
// "level: data".
func (n *notes) logsOf(tag string) []string {
	var out []string
	for _, l := range n.logs {
		if s, _ := l.Data.(string); strings.HasPrefix(s, tag+" ") {
			out = append(out, string(l.Level)+": "+s)
		}
	}
	return out
}

// Plugin log records reach a 2025-11-25 client as notifications/message
// from the session's level up: info by default, then what
// logging/setLevel says.
func TestLogNotificationsFollowSetLevel(t *testing.T) {
	r, n := startRichAt(t, "2025-11-25", "", "rich")
	logsOf := n.logsOf
	run := func(tag string) {
		t.Helper()
		if res := r.call(t, "rich_logs", map[string]any{"tag": tag}, richMeta()); res.IsError {
			t.Fatalf("tool error: %s", text(res))
		}
	}
	setLevel := func(l mcp.LoggingLevel) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.session.SetLoggingLevel(ctx, &mcp.SetLoggingLevelParams{Level: l}); err != nil {
			t.Fatalf("logging/setLevel %s: %v", l, err)
		}
	}
	run("a") // the default level: info
	n.waitFor(t, "the error record of call a", func(*notes) bool { return len(logsOf("a")) >= 3 })
	setLevel("error")
	run("b")
	setLevel("debug")
	run("c")
	n.waitFor(t, "the records of call c", func(*notes) bool { return len(logsOf("c")) >= 4 })

	n.mu.Lock()
	defer n.mu.Unlock()
	for tag, want := range map[string][]string{
		"a": {"info: a info [REDACTED]", "warning: a warn", "error: a error"},
		"b": {"error: b error"},
		"c": {"debug: c debug", "info: c info [REDACTED]", "warning: c warn", "error: c error"},
	} {
		if got := logsOf(tag); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("call %s: got %q, want %q", tag, got, want)
		}
	}
	for _, l := range n.logs {
		if l.Logger != "rich" {
			t.Errorf("logger = %q, want the plugin's name", l.Logger)
		}
	}
}

// A local plugin (no provider, no hosts) runs without _meta, and sends
// blocks only when it has no structured result.
func TestLocalPluginRunsWithoutMeta(t *testing.T) {
	r, _ := startRich(t, "", "conformance")
	res := r.call(t, "test_simple_text", map[string]any{}, nil)
	if res.IsError || len(res.Content) != 1 || text(res) != "This is a simple text response for testing." || res.StructuredContent != nil {
		t.Errorf("got %s, want the one text block", resultJSON(t, res))
	}
	res = r.call(t, "test_error_handling", map[string]any{}, nil)
	if !res.IsError || text(res) != "This tool intentionally returns an error for testing" {
		t.Errorf("got %s, want the tool's error", resultJSON(t, res))
	}
}

// A 2026-07-28 request declares its log level in its _meta: it gets the
// records from that level up, and none when it declares none (SEP-2575).
func TestLogNotificationsPerRequestLevel(t *testing.T) {
	r, n := startRich(t, "", "rich")
	run := func(tag, level string) {
		t.Helper()
		m := map[string]any{}
		for k, v := range richMeta() {
			m[k] = v
		}
		if level != "" {
			m["io.modelcontextprotocol/logLevel"] = level
		}
		if res := r.call(t, "rich_logs", map[string]any{"tag": tag}, m); res.IsError {
			t.Fatalf("tool error: %s", text(res))
		}
	}
	run("a", "warning")
	run("b", "") // no level: no notifications
	run("c", "debug")
	n.waitFor(t, "the records of call c", func(n *notes) bool { return len(n.logsOf("c")) >= 4 })
	n.mu.Lock()
	defer n.mu.Unlock()
	for tag, want := range map[string][]string{
		"a": {"warning: a warn", "error: a error"},
		"b": nil,
		"c": {"debug: c debug", "info: c info [REDACTED]", "warning: c warn", "error: c error"},
	} {
		if got := n.logsOf(tag); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("call %s: got %q, want %q", tag, got, want)
		}
	}
}

// Over streamable HTTP (stateless), every progress and log notification of
// a call reaches the client on the call's stream, the last one included:
// mcp-go drops one still in flight when the answer is written, so the call
// waits for its own (host.Delivery). An older client's requests get log
// records from info up, the default, since no session outlives them.
func TestRichNotificationsOverHTTP(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rich.wasm"), testGuest(t, "rich"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := startHTTPHost(t, hostOpts{mock: true, pluginsDir: dir})
	n := newNotes()
	session, err := connectHTTPWith(t, h.url, "", "2025-11-25", &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			n.add(func() { n.progress = append(n.progress, r.Params) })
		},
		LoggingMessageHandler: func(_ context.Context, r *mcp.LoggingMessageRequest) {
			n.add(func() { n.logs = append(n.logs, r.Params) })
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	const calls = 10
	for i := range calls {
		m := richMeta()
		m["progressToken"] = fmt.Sprintf("h%d", i)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "rich_progress", Arguments: map[string]any{"steps": 3}, Meta: m})
		cancel()
		if err != nil || res.IsError {
			t.Fatalf("rich_progress: %v %v", err, res)
		}
		ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
		res, err = session.CallTool(ctx, &mcp.CallToolParams{Name: "rich_logs", Arguments: map[string]any{"tag": fmt.Sprintf("h%d", i)}, Meta: richMeta()})
		cancel()
		if err != nil || res.IsError {
			t.Fatalf("rich_logs: %v %v", err, res)
		}
	}
	n.waitFor(t, "every notification", func(n *notes) bool { return len(n.progress) >= 3*calls && len(n.logs) >= 3*calls })
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := range calls {
		tag := fmt.Sprintf("h%d", i)
		if got, want := n.logsOf(tag), []string{"info: " + tag + " info [REDACTED]", "warning: " + tag + " warn", "error: " + tag + " error"}; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("call %s: logs %q, want %q", tag, got, want)
		}
		var steps []float64
		for _, p := range n.progress {
			if p.ProgressToken == tag {
				steps = append(steps, p.Progress)
			}
		}
		if fmt.Sprint(steps) != "[1 2 3]" {
			t.Errorf("call %s: progress %v, want [1 2 3]", tag, steps)
		}
	}
}
