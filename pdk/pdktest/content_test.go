package pdktest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// recorder is a testing.TB that records a failure instead of reporting it.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.msg += fmt.Sprintf(format, args...)
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// recorded runs f with a recorder, on its own goroutine (Fatalf ends it),
// and returns what failed, Errorf and Fatalf alike, "" if nothing did.
func recorded(t *testing.T, f func(tb testing.TB)) string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); f(r) }()
	<-done
	return r.msg
}

type page struct {
	Count int      `json:"count"`
	Names []string `json:"names"`
	Next  *int     `json:"next"`
}

func TestContent(t *testing.T) {
	res := abi.CallResult{Content: map[string]any{"count": 2.0, "names": []any{"a", "b"}, "next": nil}}
	var got page
	if msg := recorded(t, func(tb testing.TB) { got = Content[page](tb, res) }); msg != "" {
		t.Fatal(msg)
	}
	if got.Count != 2 || len(got.Names) != 2 || got.Next != nil {
		t.Errorf("Content = %+v", got)
	}
	if msg := recorded(t, func(tb testing.TB) { WantContent(tb, res, page{Count: 2, Names: []string{"a", "b"}}) }); msg != "" {
		t.Errorf("WantContent of an equal value failed: %s", msg)
	}
	for _, tt := range []struct {
		name string
		f    func(tb testing.TB)
		want string
	}{
		{"tool error", func(tb testing.TB) { Content[page](tb, abi.CallResult{IsError: true, Message: "boom"}) }, "the tool failed: boom"},
		{"field T lacks", func(tb testing.TB) { Content[page](tb, abi.CallResult{Content: map[string]any{"extra": 1.0}}) }, `unknown field "extra"`},
		{"wrong type", func(tb testing.TB) { Content[page](tb, abi.CallResult{Content: map[string]any{"count": 1.5}}) }, "cannot unmarshal"},
		{"unequal", func(tb testing.TB) { WantContent(tb, res, page{Count: 3}) }, `want {"count":3,"names":null,"next":null}`},
	} {
		if msg := recorded(t, tt.f); !strings.Contains(msg, tt.want) {
			t.Errorf("%s: failure %q, want it to contain %q", tt.name, msg, tt.want)
		}
	}
}
