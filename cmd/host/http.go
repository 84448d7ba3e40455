package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/wasmcp/wasmcp/host"
)

// httpOptions configure the streamable HTTP transport.
type httpOptions struct {
	addr  string
	token string // "" serves without authentication
	grace time.Duration
	drain time.Duration // how long /healthz answers 503 before the listener closes
	// metrics, when not nil, serves /metrics, behind the token like /mcp.
	metrics http.Handler
	// drained, when not nil, replaces the drain's timer: the drain ends
	// when it is closed. Only tests set it.
	drained <-chan time.Time
}

// maxRequestBytes caps one HTTP request body (a JSON-RPC message).
const maxRequestBytes = 4 << 20

// streamLinger is how long notification streams outlive the last call
// answered during shutdown.
const streamLinger = 200 * time.Millisecond

// tokenEnv names the environment variable holding the inbound bearer token.
const tokenEnv = "WASMCP_HTTP_TOKEN"

// serveHTTP serves MCP over streamable HTTP at /mcp, stateless, so replicas
// can sit behind a load balancer, and /healthz, until ctx is cancelled. It
// then drains: /healthz answers 503 for the drain period while /mcp still
// serves, so that the load balancer stops sending requests before they
// would be refused. Then it stops accepting connections, lets the calls in
// flight finish for up to grace (then cancels them), and ends the
// long-lived notification streams.
func serveHTTP(ctx context.Context, h *host.Host, o httpOptions, logger *slog.Logger) (string, error) {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return "", fmt.Errorf("http: %w", err)
	}
	return serveHTTPOn(ctx, ln, h, o, logger)
}

// serveHTTPOn is serveHTTP on a listener it closes.
func serveHTTPOn(ctx context.Context, ln net.Listener, h *host.Host, o httpOptions, logger *slog.Logger) (string, error) {
	// Streams that stay open for the session end once the calls in flight
	// are done (a client may lose its session with its stream); calls keep
	// their own contexts, which end only when the grace is over.
	streams := newRequests()
	defer streams.end()
	baseCtx, cancelCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelCalls()
	var shuttingDown atomic.Bool

	// Stateless: no session to pin a client to one replica. The standalone
	// GET stream is off (405, from mcpEndpoint): mcp-go would key every
	// client's stream by the same empty session ID. A client on protocol 2026-07-28 still gets
	// notifications/tools/list_changed from its replica through
	// subscriptions/listen; older clients list the tools again.
	mcpHandler := server.NewStreamableHTTPServer(h.MCPServer(),
		server.WithStateLess(true),
		server.WithDisableStreaming(true),
		server.WithStreamableHTTPLogger(logger.With("component", "mcp")),
	)
	mux := http.NewServeMux()
	mux.Handle("/mcp", requireToken(o.token, mcpEndpoint(streams.track(countDeliveries(mcpHandler))))) // countDeliveries: logging_http.go
	mux.HandleFunc("/healthz", healthz(h, &shuttingDown))
	if o.metrics != nil {
		mux.Handle("GET /metrics", requireToken(o.token, o.metrics))
	}
	srv := &http.Server{
		Handler:           guardOrigin(mux),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ErrorLog:          log.New(slogWriter{logger}, "", 0),
	}

	auth := "none"
	if o.token != "" {
		auth = "bearer token"
	}
	logger.Info("serving MCP over streamable HTTP", "url", "http://"+ln.Addr().String()+"/mcp", "auth", auth)
	if o.token == "" && !isLoopbackAddr(ln.Addr().String()) {
		logger.Warn("serving on a non-loopback address without authentication: set --http-token-file or " + tokenEnv)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return "http error", err
	case <-ctx.Done():
	}
	shuttingDown.Store(true)
	if o.drain > 0 || o.drained != nil {
		logger.Info("shutting down: draining, /healthz answers 503 while /mcp still serves", "reason", "signal", "drain", o.drain)
		drained := o.drained
		if drained == nil {
			timer := time.NewTimer(o.drain)
			defer timer.Stop()
			drained = timer.C
		}
		select {
		case <-drained:
		case err := <-served:
			return "http error", err
		}
	}
	logger.Info("shutting down: finishing the calls in flight", "reason", "signal", "in_flight", streams.active(), "grace", o.grace)
	graceCtx, cancel := context.WithTimeout(context.Background(), o.grace)
	defer cancel()
	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.Shutdown(graceCtx) }()
	// A client may treat the end of its stream as the end of its session:
	// give it a moment to read the last answers first.
	if streams.waitIdle(graceCtx) {
		select {
		case <-time.After(streamLinger):
		case <-graceCtx.Done():
		}
	}
	streams.end()
	if err := <-shutdown; err != nil {
		logger.Warn("shutdown grace period over: cancelling the calls still in flight", "in_flight", streams.active())
		// Stopped through the host, with their requests' contexts alive, the
		// calls answer with a tool error that says so: give them a moment
		// to write it before the connections close.
		// A second Shutdown waits for their connections to go idle, which is
		// when net/http has written the whole response, chunked trailer
		// included: a handler's return, or a flush, is not (closing then cut
		// answers off mid-body).
		h.StopCalls()
		answered, cancelAnswered := context.WithTimeout(context.Background(), stoppedCallsLinger)
		err := srv.Shutdown(answered)
		cancelAnswered()
		if err != nil {
			cancelCalls()
			srv.Close()
		}
	}
	<-served
	return "signal", nil
}

// requests tells the requests that stay open for a whole session (a GET
// notification stream, a subscriptions/listen POST) from the others, the
// calls: it counts the calls in flight, and ends the long-lived ones with
// ctx, so that shutdown need not wait for them.
type requests struct {
	ctx context.Context
	end context.CancelFunc

	mu    sync.Mutex
	calls int
	idle  chan struct{} // closed when calls drops to 0
}

func newRequests() *requests {
	q := &requests{}
	q.ctx, q.end = context.WithCancel(context.Background())
	return q
}

// track sorts the requests; mcpEndpoint has capped the body.
func (q *requests) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		longLived := r.Method == http.MethodGet
		if r.Method == http.MethodPost {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "request body unreadable", http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if bytes.Contains(body, []byte("subscriptions/listen")) {
				var m struct{ Method string }
				longLived = json.Unmarshal(body, &m) == nil && m.Method == "subscriptions/listen"
			}
		}
		if longLived {
			rctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			stop := context.AfterFunc(q.ctx, cancel)
			defer stop()
			r = r.WithContext(rctx)
			next.ServeHTTP(w, r)
			return
		}
		q.add(1)
		defer q.add(-1)
		next.ServeHTTP(w, r)
		http.NewResponseController(w).Flush() // the answer is out before the call counts as done
	})
}

func (q *requests) add(d int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.calls == 0 && d > 0 {
		q.idle = make(chan struct{})
	}
	q.calls += d
	if q.calls == 0 {
		close(q.idle)
	}
}

func (q *requests) active() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.calls
}

// waitIdle returns once no call is in flight (true if it had to wait for
// one), or when ctx ends.
func (q *requests) waitIdle(ctx context.Context) bool {
	q.mu.Lock()
	idle := q.idle
	n := q.calls
	q.mu.Unlock()
	if n == 0 {
		return false
	}
	select {
	case <-idle:
	case <-ctx.Done():
	}
	return true
}

// requireToken answers 401 to a request without the bearer token, when one
// is configured. The comparison takes the same time whatever the token sent.
func requireToken(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearer(r.Header.Get("Authorization"))
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			challenge := `Bearer realm="wasmcp"`
			if ok {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			http.Error(w, "Unauthorized: a valid bearer token is required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// guardOrigin refuses DNS rebinding: on a loopback connection, the Host
// header must name a loopback host (mcp-go checks this too, for /mcp), and
// an Origin header, when sent, must be a loopback origin; elsewhere an Origin
// must be the request's own host. The host sends no CORS headers, so a page
// of another origin has no use for the endpoint anyway.
func guardOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		loopback := local != nil && isLoopbackAddr(local.String())
		if loopback && !isLoopbackAddr(r.Host) {
			http.Error(w, fmt.Sprintf("Forbidden: Host %q is not a loopback host", r.Host), http.StatusForbidden)
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" {
			u, err := url.Parse(origin)
			ok := err == nil && u.Host != ""
			if ok && loopback {
				ok = isLoopbackAddr(u.Host)
			} else if ok {
				ok = strings.EqualFold(u.Host, r.Host)
			}
			if !ok {
				http.Error(w, fmt.Sprintf("Forbidden: Origin %q is not allowed", origin), http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// isLoopbackAddr reports whether a host or host:port names the loopback
// interface: "localhost" or a loopback IP.
func isLoopbackAddr(addr string) bool {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		h = strings.Trim(addr, "[]")
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}

// healthz answers 200 while plugins are loaded, 503 otherwise: with no
// plugin loaded (a replica with no tools should get no traffic; one may be
// added while it runs) and from the start of shutdown, through the drain.
func healthz(h *host.Host, shuttingDown *atomic.Bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := len(h.Plugins())
		status, code := "ok", http.StatusOK
		switch {
		case shuttingDown.Load():
			status, code = "shutting down", http.StatusServiceUnavailable
		case n == 0:
			status, code = "no plugins loaded", http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"status": status, "plugins": n})
	}
}

// httpToken reads the inbound bearer token: from file if given, else from
// the environment. It is never logged.
func httpToken(file string, logger *slog.Logger) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv(tokenEnv)), nil
	}
	st, err := os.Stat(file)
	if err != nil {
		return "", usageError{fmt.Errorf("--http-token-file: %w", err)}
	}
	if st.Mode().Perm()&0o077 != 0 {
		logger.Warn("the HTTP token file is readable by other users", "file", file, "mode", st.Mode().Perm().String())
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", usageError{fmt.Errorf("--http-token-file: %w", err)}
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" {
		return "", usageError{errors.New("--http-token-file: the file is empty")}
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "", usageError{errors.New("--http-token-file: the token must be one line without spaces")}
	}
	return tok, nil
}
