package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"github.com/tidwall/gjson"

	"github.com/wasmcp/wasmcp/host"
)

// serveStdio serves MCP on stdin/stdout until stdin ends or ctx is
// cancelled (a signal). Either way it then stops reading requests, lets
// those in flight finish and their responses reach stdout, for up to grace,
// and returns why it stopped.
//
// mcp-go's StdioServer.Listen, on EOF, cancels the context of the requests
// still running and returns without waiting for their answers to matter, so
// a client that sends a call and closes stdin would get a cancelled call or
// nothing. A drainPipe between the process's stdio and Listen holds back the
// EOF until every request Listen was given has been answered.
func serveStdio(ctx context.Context, h *host.Host, stdin io.Reader, stdout io.Writer, grace time.Duration, logger *slog.Logger) (string, error) {
	pipe := newDrainPipe(stdin, stdout)
	// Listen's context is not the signal's: cancelling it would cancel the
	// calls in flight. It ends when the grace period does.
	listenCtx, cancelListen := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelListen()
	// The session's progress and log notifications, counted as written, so
	// that a call answers after its own (see host.Delivery).
	pipe.delivery = host.NewDelivery()
	listenCtx = host.WithDelivery(listenCtx, pipe.delivery)

	stdio := server.NewStdioServer(h.MCPServer())
	stdio.SetErrorLogger(log.New(slogWriter{logger}, "", 0))
	// The host's gate caps the calls in flight (calls.max_in_flight) on both
	// transports; the workers only need to outnumber it, so that a call past
	// the cap is refused at once rather than queued.
	server.WithWorkerPoolSize(stdioWorkers)(stdio)
	server.WithQueueSize(256)(stdio)

	done := make(chan error, 1)
	go func() { done <- stdio.Listen(listenCtx, pipe, pipe) }()

	reason := ""
	select {
	case err := <-done:
		select {
		case <-pipe.draining: // stdin ended with nothing in flight
			if err == nil || errors.Is(err, io.EOF) {
				return "stdin closed", nil
			}
		default:
		}
		return "stdio error", err // Listen ended on its own: a write or read error
	case <-ctx.Done():
		reason = "signal"
		pipe.stop()
	case <-pipe.draining:
		reason = "stdin closed"
	}
	logger.Info("shutting down: finishing the calls in flight", "reason", reason, "in_flight", pipe.inFlightMethods(), "grace", grace)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case err := <-done:
		return reason, err
	case <-timer.C:
		logger.Warn("shutdown grace period over: cancelling the calls still in flight", "in_flight", pipe.inFlightMethods())
		// Stopped through the host, the calls still answer, with a tool
		// error that says so; give them a moment to, then give up.
		h.StopCalls()
		select {
		case err := <-done:
			return reason, err
		case <-time.After(stoppedCallsLinger):
		}
		pipe.giveUp()
		cancelListen()
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		return reason, err
	}
	return reason, nil // the cancellation was ours
}

// stdioWorkers is the number of mcp-go's tool-call workers: its maximum.
const stdioWorkers = 100

// drainPipe is the stdin and stdout of mcp-go's StdioServer. It counts the
// requests it hands over and the responses written back, and when stdin ends
// (or stop is called) it returns EOF only once every request has been
// answered (or giveUp is called). It answers itself the requests screen
// refuses, which Listen never sees.
type drainPipe struct {
	out     io.Writer
	writeMu sync.Mutex  // one whole message at a time on out
	lines   chan []byte // from the stdin reader; closed at its end
	buf     []byte      // the rest of a line Read could not return whole

	stopped    chan struct{} // stop: read no more requests
	stopOnce   sync.Once
	gaveUp     chan struct{} // giveUp: stop waiting for answers
	giveUpOnce sync.Once
	draining   chan struct{} // closed when Read first meets the end
	drainOnce  sync.Once

	mu      sync.Mutex
	pending map[string]string // method by id, of the requests not yet answered
	changed chan struct{}     // a request was answered

	delivery *host.Delivery // counts the notifications written; nil counts none
}

// longLived are requests that by design stay open for the whole session;
// shutdown does not wait for them.
var longLived = map[string]bool{"subscriptions/listen": true}

func newDrainPipe(in io.Reader, out io.Writer) *drainPipe {
	p := &drainPipe{
		out:      out,
		lines:    make(chan []byte),
		stopped:  make(chan struct{}),
		gaveUp:   make(chan struct{}),
		draining: make(chan struct{}),
		pending:  map[string]string{},
		changed:  make(chan struct{}, 1),
	}
	go p.readLines(in)
	return p
}

// readLines feeds stdin's lines to Read. After stop it may stay blocked in
// stdin's Read until the process exits.
func (p *drainPipe) readLines(in io.Reader) {
	defer close(p.lines)
	r := bufio.NewReaderSize(in, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			select {
			case p.lines <- line:
			case <-p.stopped:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *drainPipe) stop()   { p.stopOnce.Do(func() { close(p.stopped) }) }
func (p *drainPipe) giveUp() { p.giveUpOnce.Do(func() { close(p.gaveUp) }) }

func (p *drainPipe) Read(b []byte) (int, error) {
	for len(p.buf) == 0 {
		line, ok := p.next()
		if !ok {
			break
		}
		if s := p.take(line); s != nil {
			p.write(append(s.response(), '\n'))
			continue
		}
		p.buf = line
	}
	if len(p.buf) > 0 {
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		return n, nil
	}
	p.drainOnce.Do(func() { close(p.draining) })
	p.waitAnswered()
	return 0, io.EOF
}

// next returns the next line of stdin, or false at its end or on stop.
func (p *drainPipe) next() ([]byte, bool) {
	select {
	case <-p.stopped:
		return nil, false
	default:
	}
	select {
	case line, ok := <-p.lines:
		return line, ok
	case <-p.stopped:
		return nil, false
	}
}

// Write passes a message to stdout. mcp-go writes one whole message per
// call, under its own lock; the screen's answers share writeMu with them.
func (p *drainPipe) Write(b []byte) (int, error) {
	n, err := p.write(b)
	p.answered(b)
	return n, err
}

func (p *drainPipe) write(b []byte) (int, error) {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	return p.out.Write(b)
}

// idKey makes ids that decode equal compare equal (1 and 1.0, say): a
// number by its float64 value, as encoding/json decodes it, a string by
// its unescaped text.
func idKey(id gjson.Result) string {
	switch id.Type {
	case gjson.Number:
		return "n:" + strconv.FormatFloat(id.Num, 'g', -1, 64)
	case gjson.String:
		return "s:" + id.Str
	}
	return "r:" + id.Raw
}

// take reads a line of stdin once: it returns the answer when screen
// refuses it, and else counts it if it is a request. A line without its
// newline is the last of the input, which Listen drops unread.
func (p *drainPipe) take(line []byte) *screened {
	if line[len(line)-1] != '\n' {
		return nil
	}
	m := peek(line)
	if s := screenPeeked(line, m); s != nil {
		return s
	}
	p.track(m)
	return nil
}

// track counts a request read from stdin, as peeked.
func (p *drainPipe) track(m peeked) {
	if !m.ok {
		return // not a request, or one the server answers with an error at once
	}
	id := gjson.ParseBytes(m.ID)
	switch {
	case m.Method == "notifications/cancelled":
		var c struct {
			RequestID json.RawMessage `json:"requestId"` // read as mcp-go reads it
		}
		if json.Unmarshal(m.Params, &c) == nil && len(c.RequestID) > 0 && !isNull(c.RequestID) {
			p.settle(idKey(gjson.ParseBytes(c.RequestID))) // the client expects no answer
		}
	case len(m.ID) > 0 && id.Type != gjson.Null && m.Method != "" && !longLived[m.Method]:
		p.mu.Lock()
		p.pending[idKey(id)] = m.Method
		p.mu.Unlock()
	}
}

// answered counts a response written to stdout. mcp-go writes one whole,
// valid message per call, so its id and method are read without decoding
// the rest (gjson skips the result, which is most of the bytes).
func (p *drainPipe) answered(b []byte) {
	id, method := gjson.GetBytes(b, "id"), gjson.GetBytes(b, "method")
	if !id.Exists() || id.Type == gjson.Null || method.Exists() {
		if p.delivery != nil && !id.Exists() && host.IsCountedNotification(method.String()) {
			p.delivery.Written()
		}
		return // a notification or a request of the server's
	}
	p.settle(idKey(id))
}

func (p *drainPipe) settle(key string) {
	p.mu.Lock()
	delete(p.pending, key)
	p.mu.Unlock()
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

func (p *drainPipe) inFlight() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

// inFlightMethods lists the methods of the requests not yet answered.
func (p *drainPipe) inFlightMethods() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	methods := make([]string, 0, len(p.pending))
	for _, m := range p.pending {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	return methods
}

// waitAnswered returns once no request is pending, or on giveUp.
func (p *drainPipe) waitAnswered() {
	for p.inFlight() > 0 {
		select {
		case <-p.changed:
		case <-p.gaveUp:
			return
		}
	}
}
