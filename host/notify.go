package host

import (
	"context"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/wasmcp/wasmcp/hostfuncs"
)

// DefaultClientLogLevel is the level from which a plugin's log records go
// to a client that has not set one: over stdio until logging/setLevel, and
// on every legacy request over stateless HTTP, where no session outlives
// its request for a level to be kept in.
const DefaultClientLogLevel = mcp.LoggingLevelInfo

// EnableClientLogging declares the logging capability, so that clients may
// send logging/setLevel, and starts each new session at
// DefaultClientLogLevel. Call it once, before serving. Plugins' log records
// then reach clients as notifications/message (see clientLogLevel).
func (h *Host) EnableClientLogging() {
	server.WithLogging()(h.mcp)
	hooks := h.mcp.GetHooks()
	if hooks == nil {
		hooks = &server.Hooks{}
		server.WithHooks(hooks)(h.mcp)
	}
	hooks.AddAfterInitialize(func(ctx context.Context, _ any, _ *mcp.InitializeRequest, _ *mcp.InitializeResult) {
		// mcp-go starts a session at "error"; a session that outlives its
		// request (stdio) starts at the host's default instead.
		if s := server.ClientSessionFromContext(ctx); s != nil && s.SessionID() != "" {
			if sl, ok := s.(server.SessionWithLogging); ok {
				sl.SetLogLevel(DefaultClientLogLevel)
			}
		}
	})
}

// clientLogLevel returns the level from which the plugin's log records of
// the request in ctx go to its client, and false when none go:
//
//   - a request of protocol 2026-07-28 or later declares its level in its
//     _meta, and one that declares none gets no log notifications (SEP-2575);
//   - on a session that outlives its requests (stdio), the level is the
//     session's: logging/setLevel's, or DefaultClientLogLevel;
//   - a legacy request over stateless HTTP is a session of its own, which no
//     logging/setLevel reaches: DefaultClientLogLevel. (mcp-go keeps the
//     level of every stateless session under one empty session ID, shared
//     by all clients: the host never reads it.)
func clientLogLevel(ctx context.Context) (mcp.LoggingLevel, bool) {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		return info.LogLevel, info.LogLevel != ""
	}
	s := server.ClientSessionFromContext(ctx)
	if s == nil {
		return "", false
	}
	if sl, ok := s.(server.SessionWithLogging); ok && s.SessionID() != "" {
		return sl.GetLogLevel(), true
	}
	return DefaultClientLogLevel, true
}

// mcpClient is the hostfuncs.Client of one tool call: it sends the call's
// notifications to the session the call came from, without blocking (mcp-go
// drops a notification whose session's queue is full).
type mcpClient struct {
	srv      *server.MCPServer
	token    mcp.ProgressToken // the call's progressToken; nil when it sent none
	delivery *Delivery         // nil when the transport counts nothing
	sent     bool
}

// withClient returns ctx carrying the call's client for the host
// functions, and flush, which waits (a while) for the notifications the
// call sent to be written: call it before the call answers.
func (h *Host) withClient(ctx context.Context, req mcp.CallToolRequest) (_ context.Context, flush func()) {
	var token mcp.ProgressToken
	if req.Params.Meta != nil {
		token = req.Params.Meta.ProgressToken
	}
	c := &mcpClient{srv: h.mcp, token: token, delivery: deliveryFrom(ctx)}
	return hostfuncs.WithClient(ctx, c), func() {
		if c.sent && c.delivery != nil {
			c.delivery.wait(ctx, maxDeliveryWait)
		}
	}
}

// send sends one notification the transport counts (see Delivery).
func (c *mcpClient) send(ctx context.Context, method string, params map[string]any) {
	if c.srv.SendNotificationToClient(ctx, method, params) == nil && c.delivery != nil {
		c.delivery.sent()
		c.sent = true
	}
}

func (c *mcpClient) Progress(ctx context.Context, progress, total float64, message string) {
	if c.token == nil {
		return // the client did not ask
	}
	params := map[string]any{"progressToken": c.token, "progress": progress}
	if total > 0 {
		params["total"] = total
	}
	if message != "" {
		params["message"] = message
	}
	c.send(ctx, "notifications/progress", params)
}

func (c *mcpClient) LogEnabled(ctx context.Context, level string) bool {
	min, ok := clientLogLevel(ctx)
	return ok && mcp.LoggingLevel(level).ShouldSendTo(min)
}

func (c *mcpClient) Log(ctx context.Context, level, logger, message string) {
	c.send(ctx, "notifications/message", map[string]any{
		"level": level, "logger": logger, "data": message,
	})
}

// maxDeliveryWait bounds how long a call waits, before it answers, for its
// notifications to be written.
const maxDeliveryWait = 2 * time.Second

// Delivery counts the progress and log notifications of one session (stdio)
// or request (HTTP) as they are queued and as the transport writes them, so
// that a call answers only once its own are out. mcp-go writes
// notifications from another goroutine than the answer: over stdio one may
// follow the answer, which a client then ignores, and over streamable HTTP
// one still in flight when the answer is written is dropped. The transport
// puts one in the context of the requests it serves (WithDelivery) and calls
// Written for each such notification it writes (IsCountedNotification).
type Delivery struct {
	mu      sync.Mutex
	queued  int64
	written int64
	changed chan struct{} // closed and replaced on each write
}

// NewDelivery returns an empty Delivery.
func NewDelivery() *Delivery { return &Delivery{changed: make(chan struct{})} }

type deliveryKey struct{}

// WithDelivery returns ctx carrying d.
func WithDelivery(ctx context.Context, d *Delivery) context.Context {
	return context.WithValue(ctx, deliveryKey{}, d)
}

func deliveryFrom(ctx context.Context) *Delivery {
	d, _ := ctx.Value(deliveryKey{}).(*Delivery)
	return d
}

// IsCountedNotification reports whether method is one a Delivery counts:
// the ones a call sends (progress, log messages).
func IsCountedNotification(method string) bool {
	return method == "notifications/progress" || method == "notifications/message"
}

func (d *Delivery) sent() {
	d.mu.Lock()
	d.queued++
	d.mu.Unlock()
}

// Written records that the transport wrote one counted notification.
func (d *Delivery) Written() {
	d.mu.Lock()
	d.written++
	close(d.changed)
	d.changed = make(chan struct{})
	d.mu.Unlock()
}

// wait returns once as many notifications have been written as were queued
// when it was called, or after max, or when ctx ends.
func (d *Delivery) wait(ctx context.Context, max time.Duration) {
	d.mu.Lock()
	target := d.queued
	d.mu.Unlock()
	timer := time.NewTimer(max)
	defer timer.Stop()
	for {
		d.mu.Lock()
		done, changed := d.written >= target, d.changed
		d.mu.Unlock()
		if done {
			return
		}
		select {
		case <-changed:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}
