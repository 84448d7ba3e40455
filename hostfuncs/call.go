package hostfuncs

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero/api"
)

// Defaults for the zero fields of Limits.
const (
	DefaultMaxRequests      = 32
	DefaultMaxResponseBytes = 4 << 20
	DefaultRequestTimeout   = 30 * time.Second
)

// maxResponseBytesCap bounds MaxResponseBytes: a body is handed to the guest
// whole, inside a 32-bit memory.
const maxResponseBytesCap = 1 << 30

// Limits bound the HTTP use of one tool call. A zero (or negative) field takes
// its Default value.
type Limits struct {
	// MaxRequests is how many times the guest may call FuncHTTPRequest;
	// the next call fails with ErrTooManyRequests. Redirect hops the host
	// follows do not count.
	MaxRequests int
	// MaxResponseBytes caps each response body; a longer one fails with
	// ErrResponseTooLarge.
	MaxResponseBytes int64
	// RequestTimeout bounds each request, redirects and body included. The
	// context's deadline, when sooner, wins.
	RequestTimeout time.Duration
	// MaxOutputBytes caps what the guest may set with abi.FuncOutput; 0
	// means no cap here (the host checks every output again).
	MaxOutputBytes int64
	// MaxLogRecords and MaxLogBytes are the call's log budget: the lines,
	// and their bytes, that the guest may cause (its records, and the
	// host's lines about its requests). Past either, lines are dropped and
	// counted, and Call.LogDropped reports them in one line.
	MaxLogRecords int
	MaxLogBytes   int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxRequests <= 0 {
		l.MaxRequests = DefaultMaxRequests
	}
	if l.MaxResponseBytes <= 0 {
		l.MaxResponseBytes = DefaultMaxResponseBytes
	}
	l.MaxResponseBytes = min(l.MaxResponseBytes, maxResponseBytesCap)
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = DefaultRequestTimeout
	}
	if l.MaxLogRecords <= 0 {
		l.MaxLogRecords = DefaultMaxLogRecords
	}
	if l.MaxLogBytes <= 0 {
		l.MaxLogBytes = DefaultMaxLogBytes
	}
	return l
}

// Call is the state of one tool call. The host builds one per call, puts it
// in the context with WithCall, and passes that context to
// extism.Plugin.CallWithContext; the host functions find it there, so they
// hold no per-call state themselves.
//
// Do not change the fields once the Call is in a context. A Call must not be
// copied; its counters are safe for concurrent use.
type Call struct {
	// Plugin and Provider name the plugin and its OAuth provider, for logs.
	Plugin   string
	Provider string
	// Token is the provider access token. The host sends it as
	// "Authorization: Bearer <Token>" on every request it makes for the
	// call, all of which go to the Policy's targets; it never reaches the
	// guest. Empty means no Authorization header. A token shorter than
	// secret.MinLen characters could not be scrubbed without altering
	// legitimate data, so the host functions refuse to send it.
	Token string
	// Secrets are strings that must never reach the guest or a log (the
	// token, the user's credentials). Each one, and Token, is replaced by
	// "[REDACTED]" in everything handed back to the guest and logged, in
	// each spelling the scrubber knows; one shorter than secret.MinLen
	// characters is not looked for (the host refuses such a userToken
	// before the call runs).
	Secrets []string
	// Policy decides which URLs the guest may reach; nil allows none.
	Policy *Policy
	Limits Limits
	// Logger receives the guest's log records and a debug line per request,
	// within the log budget of Limits; nil discards them.
	Logger *slog.Logger
	// Memory is the guest's own linear memory, for the direct functions
	// (abi.FuncHTTPSend...); nil disables them.
	Memory api.Memory

	// Waiting, when not nil, counts the requests of calls that are on the
	// network now: the round trip and the body's read. The host's pool
	// tells from it whether the instances out on calls are computing or
	// waiting (host/poolwait.go).
	Waiting *atomic.Int64

	// rehearsal marks a warm-up's Call (NewRehearsal): nothing is sent.
	rehearsal bool

	requests   atomic.Int64
	lastStatus atomic.Int64
	limit      atomic.Value // string: the first per-call limit the guest hit

	logs logBudget

	directMu sync.Mutex
	direct   directState

	scrubOnce sync.Once
	scrub     *scrubber
}

// Requests returns how many HTTP requests the guest has asked for so far,
// refused ones included.
func (c *Call) Requests() int { return int(c.requests.Load()) }

// LimitHit returns the abi error code of the first per-call limit the
// guest ran into (abi.ErrTooManyRequests, abi.ErrResponseTooLarge), or "".
// The guest is told, and may go on; the host discards its instance after
// the call all the same, as it does for every limit.
func (c *Call) LimitHit() string {
	s, _ := c.limit.Load().(string)
	return s
}

func (c *Call) hitLimit(code string) { c.limit.CompareAndSwap(nil, code) }

// LastStatus returns the status code of the last upstream response, or 0
// when none has arrived yet.
func (c *Call) LastStatus() int { return int(c.lastStatus.Load()) }

// Scrub returns s with every secret of the call (Token and Secrets)
// replaced by Redacted, in each spelling the host knows (see scrubber). The
// host uses it on everything of the guest's that leaves the call: its
// result, its error, its stderr.
func (c *Call) Scrub(s string) string { return c.scrubber().String(s) }

// scrubber returns the call's scrubber, built on first use.
func (c *Call) scrubber() *scrubber {
	c.scrubOnce.Do(func() {
		c.scrub = newScrubber(append([]string{c.Token}, c.Secrets...)...)
	})
	return c.scrub
}

// logger returns the call's logger, or one that discards everything.
func (c *Call) logger() *slog.Logger {
	if c.Logger == nil {
		return discard
	}
	return c.Logger
}

var discard = slog.New(slog.DiscardHandler)

type callKey struct{}

// WithCall returns a copy of ctx that carries c.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// CallFrom returns the Call in ctx, if any.
func CallFrom(ctx context.Context) (*Call, bool) {
	c, ok := ctx.Value(callKey{}).(*Call)
	return c, ok && c != nil
}
