package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/host/auth"
)

// stdioRun is serveStdio running over pipes, with one tool, "slow", that
// says when it starts and finishes once the test calls release (or is
// cancelled when its context ends).
type stdioRun struct {
	in      *io.PipeWriter
	out     chan map[string]any // every message written to stdout
	started chan struct{}
	release func()
	logs    chan string // the message of each log record
	done    chan string // the reason serveStdio returned
}

func startStdio(t *testing.T, ctx context.Context, grace time.Duration) *stdioRun {
	t.Helper()
	h, err := host.New(host.Options{Exchanger: auth.NewMock(), Config: host.Config{CacheDir: "off"}})
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	var once sync.Once
	r := &stdioRun{
		out: make(chan map[string]any, 16), started: make(chan struct{}, 4), logs: make(chan string, 64), done: make(chan string, 1),
		release: func() { once.Do(func() { close(released) }) },
	}
	t.Cleanup(r.release)
	h.MCPServer().AddTool(mcp.NewTool("slow"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		r.started <- struct{}{}
		select {
		case <-released:
			return mcp.NewToolResultText("finished"), nil
		case <-ctx.Done():
			return mcp.NewToolResultError("cancelled"), nil
		}
	})
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	r.in = inW
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				r.out <- m
			}
		}
		close(r.out)
	}()
	logger := slog.New(msgHandler{r.logs})
	go func() {
		reason, err := serveStdio(ctx, h, inR, outW, grace, logger)
		if err != nil {
			t.Errorf("serveStdio: %v", err)
		}
		outW.Close()
		r.done <- reason
	}()
	t.Cleanup(func() { inW.Close() })
	r.send(t, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	r.send(t, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	if m := <-r.out; m["id"] != 1.0 {
		t.Fatalf("initialize answered with %v", m)
	}
	return r
}

func (r *stdioRun) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(r.in, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

func (r *stdioRun) call(t *testing.T, id int) {
	t.Helper()
	r.send(t, `{"jsonrpc":"2.0","id":`+strconv.Itoa(id)+`,"method":"tools/call","params":{"name":"slow"}}`)
	select {
	case <-r.started:
	case <-time.After(time.Minute):
		t.Fatal("the call did not start")
	}
}

// answers collects the remaining output and the reason serveStdio gave.
func (r *stdioRun) answers(t *testing.T) (map[float64]string, string) {
	t.Helper()
	got := map[float64]string{}
	timeout := time.After(time.Minute)
	for {
		select {
		case m, ok := <-r.out:
			if !ok {
				return got, <-r.done
			}
			raw, _ := json.Marshal(m["result"])
			id, _ := m["id"].(float64)
			got[id] = string(raw)
		case <-timeout:
			t.Fatal("serveStdio did not return")
		}
	}
}

// stdin ends with two calls in flight: both answers are written, then
// serveStdio returns.
func TestStdioEOFWaitsForCallsInFlight(t *testing.T) {
	r := startStdio(t, context.Background(), 10*time.Second)
	r.call(t, 2)
	r.call(t, 3)
	r.in.Close()
	waitLog(t, r.logs, "shutting down: finishing the calls in flight")
	r.release() // only now, with the shutdown under way
	got, reason := r.answers(t)
	if reason != "stdin closed" {
		t.Errorf("reason = %q", reason)
	}
	for _, id := range []float64{2, 3} {
		if !strings.Contains(got[id], "finished") {
			t.Errorf("call %v: answer %q, want finished", id, got[id])
		}
	}
}

// A signal stops the reading of requests; the call in flight finishes.
func TestStdioSignalWaitsForCallsInFlight(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := startStdio(t, ctx, 10*time.Second)
	r.call(t, 2)
	cancel()
	waitLog(t, r.logs, "shutting down: finishing the calls in flight")
	r.release()
	got, reason := r.answers(t)
	if reason != "signal" || !strings.Contains(got[2], "finished") {
		t.Errorf("reason %q, answer %q; want signal, finished", reason, got[2])
	}
}

// Past the grace, calls in flight are cancelled; their answers still go out.
// The call is never released: only the grace's end can stop it.
func TestStdioGraceCancelsCalls(t *testing.T) {
	r := startStdio(t, context.Background(), 200*time.Millisecond)
	r.call(t, 2)
	r.in.Close()
	waitLog(t, r.logs, "shutdown grace period over: cancelling the calls still in flight")
	got, _ := r.answers(t)
	if !strings.Contains(got[2], "cancelled") {
		t.Errorf("answer %q, want the cancelled result", got[2])
	}
}

// Requests the server answers at once, a cancelled request and a request
// that stays open by design are not waited for.
func TestDrainPipeTracking(t *testing.T) {
	p := newDrainPipe(strings.NewReader(""), io.Discard)
	p.take([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call"}` + "\n"))
	p.take([]byte(`{"jsonrpc":"2.0","id":"a","method":"tools/list"}` + "\n"))
	p.take([]byte(`{"jsonrpc":"2.0","id":7,"method":"subscriptions/listen"}` + "\n"))
	p.take([]byte(`{"jsonrpc":"2.0","id":9,"method":"tools/call"}`)) // no newline: dropped by Listen
	p.take([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n"))
	if got := p.inFlightMethods(); strings.Join(got, ",") != "tools/call,tools/list" {
		t.Fatalf("in flight = %v", got)
	}
	p.Write([]byte(`{"jsonrpc":"2.0","id":1.0,"result":{}}` + "\n"))
	p.Write([]byte(`{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}` + "\n"))
	p.take([]byte(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"a"}}` + "\n"))
	if n := p.inFlight(); n != 0 {
		t.Fatalf("in flight = %v, want none", p.inFlightMethods())
	}

	// Ids match as they decode: escapes resolved, a string never a number.
	p.take([]byte(`{"jsonrpc":"2.0","id":"b\u0063","method":"tools/call"}` + "\n"))
	p.take([]byte(`{"jsonrpc":"2.0","id":"5","method":"tools/list"}` + "\n"))
	p.Write([]byte(`{"jsonrpc":"2.0","id":5,"result":{}}` + "\n"))
	p.Write([]byte(`{"jsonrpc":"2.0","id":"bc","result":{"content":[{"type":"text","text":"{\"id\":5}"}]}}` + "\n"))
	if got := p.inFlightMethods(); strings.Join(got, ",") != "tools/list" {
		t.Fatalf("in flight = %v, want the request with the string id 5 only", got)
	}
}

// Requests screen refuses are answered on stdout without reaching the
// server, and stdin's end does not wait for them.
func TestStdioScreensRequests(t *testing.T) {
	r := startStdio(t, context.Background(), 10*time.Second)
	r.send(t, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"slow","arguments":"x"}}`)
	r.send(t, `[{"jsonrpc":"2.0","id":3,"method":"ping"}]`)
	r.send(t, `{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"cursor":"!!"}}`)
	r.send(t, `{"jsonrpc":"2.0","id":5,"method":"ping"}`)
	r.in.Close()
	codes := map[any]float64{}
	for m := range r.out {
		e, _ := m["error"].(map[string]any)
		code, _ := e["code"].(float64)
		codes[m["id"]] = code
	}
	if reason := <-r.done; reason != "stdin closed" {
		t.Errorf("reason = %q", reason)
	}
	want := map[any]float64{2.0: codeInvalidParams, nil: codeInvalidRequest, 4.0: codeInvalidParams, 5.0: 0}
	if len(codes) != len(want) {
		t.Fatalf("answers %v, want %v", codes, want)
	}
	for id, code := range want {
		if got, ok := codes[id]; !ok || got != code {
			t.Errorf("id %v: code %v, want %v", id, got, code)
		}
	}
	select {
	case <-r.started:
		t.Error("the tool ran with arguments that are not an object")
	default:
	}
}
