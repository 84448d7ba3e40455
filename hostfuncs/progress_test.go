package hostfuncs

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// recClient is a Client that records what it is sent.
type recClient struct {
	mu       sync.Mutex
	min      int // index in levels of the lowest level taken
	progress []string
	logs     []string
}

var levels = []string{"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"}

func (r *recClient) Progress(_ context.Context, p, total float64, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress = append(r.progress, fmt.Sprintf("%v/%v %s", p, total, msg))
}

func (r *recClient) LogEnabled(_ context.Context, level string) bool {
	for i, l := range levels {
		if l == level {
			return i >= r.min
		}
	}
	return false
}

func (r *recClient) Log(_ context.Context, level, logger, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, level+" "+logger+": "+msg)
}

const progressSecret = "ghp_progressSecret0123456789"

// Progress goes out only when it increases and is finite, within the
// call's burst, with its message scrubbed and bounded, and no total that
// is not a positive number.
func TestSendProgress(t *testing.T) {
	c := &Call{Plugin: "p", Token: progressSecret}
	rc := &recClient{}
	ctx := WithClient(context.Background(), rc)
	s := clientFrom(ctx)
	for _, rec := range []abi.ProgressRecord{
		{Progress: 1, Total: 10, Message: "token " + progressSecret},
		{Progress: 1, Total: 10, Message: "same"},
		{Progress: 0.5, Total: 10, Message: "back"},
		{Progress: math.Inf(1), Total: 10},
		{Progress: 2, Total: math.NaN()},
		{Progress: 3, Total: -1, Message: strings.Repeat("é", MaxProgressMessage)},
	} {
		sendProgress(ctx, c, s, rec)
	}
	want := []string{"1/10 token [REDACTED]", "2/0 ", "3/0 " + strings.Repeat("é", MaxProgressMessage/2) + truncatedMark}
	if !reflect.DeepEqual(rc.progress, want) {
		t.Errorf("sent %q, want %q", rc.progress, want)
	}
}

// Past the burst, reports are dropped: a guest that reports in a tight
// loop sends ProgressBurst notifications, not one per report.
func TestSendProgressRateBound(t *testing.T) {
	c := &Call{Plugin: "p"}
	rc := &recClient{}
	ctx := WithClient(context.Background(), rc)
	s := clientFrom(ctx)
	s.progress.SetLimit(0) // no refill: only the burst
	for i := 1; i <= 1000; i++ {
		sendProgress(ctx, c, s, abi.ProgressRecord{Progress: float64(i)})
	}
	if len(rc.progress) != ProgressBurst {
		t.Errorf("sent %d notifications for 1000 reports, want the burst of %d", len(rc.progress), ProgressBurst)
	}
}

// A guest's log record goes to the client, scrubbed, when the client takes
// its level, within the call's log budget; with no client, nowhere.
func TestForwardLog(t *testing.T) {
	c := &Call{Plugin: "notes", Token: progressSecret, Limits: Limits{MaxLogRecords: 3}}
	rc := &recClient{min: 1} // info and up
	ctx := WithCall(WithClient(context.Background(), rc), c)
	for _, rec := range []abi.LogRecord{
		{Level: "debug", Message: "hidden"},
		{Level: "info", Message: "the token: " + progressSecret},
		{Level: "WARN", Message: "careful"},
		{Level: "mystery", Message: "as info"},
		{Level: "error", Message: "past the budget"},
	} {
		logRecord(ctx, c, rec)
	}
	want := []string{"info notes: the token: [REDACTED]", "warning notes: careful", "info notes: as info"}
	if !reflect.DeepEqual(rc.logs, want) {
		t.Errorf("forwarded %q, want %q", rc.logs, want)
	}
	logRecord(WithCall(context.Background(), c), c, abi.LogRecord{Level: "error", Message: "no client"}) // must not panic
}
