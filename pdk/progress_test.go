package pdk_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// progressHost is a pdk.Host that records progress reports.
type progressHost struct {
	pdk.Host
	got []abi.ProgressRecord
}

func (h *progressHost) Progress(rec abi.ProgressRecord) { h.got = append(h.got, rec) }

// Progress reaches a host that takes it, only when it increases; with a
// host that does not, it does nothing.
func TestProgress(t *testing.T) {
	h := &progressHost{}
	p := testPlugin(func(c *pdk.Call) (any, error) {
		c.Progress(0, 3, "start")
		c.Progress(0, 3, "same again")   // not above: dropped
		c.Progress(1, 3, "")             //
		c.Progress(0.5, 3, "backwards")  // dropped
		c.Progress(math.NaN(), 3, "nan") // dropped
		c.Progress(3, 0, "done, total unknown")
		return nil, nil
	})
	if res := p.Handle(h, abi.CallRequest{Tool: "t"}); res.IsError {
		t.Fatalf("tool error: %s", res.Message)
	}
	want := []abi.ProgressRecord{{Progress: 0, Total: 3, Message: "start"}, {Progress: 1, Total: 3}, {Progress: 3, Message: "done, total unknown"}}
	if !reflect.DeepEqual(h.got, want) {
		t.Errorf("reports = %+v, want %+v", h.got, want)
	}

	plain := testPlugin(func(c *pdk.Call) (any, error) {
		c.Progress(1, 2, "nowhere to go")
		return nil, nil
	})
	if res := plain.Handle(nil, abi.CallRequest{Tool: "t"}); res.IsError {
		t.Errorf("a host without progress: tool error %s", res.Message)
	}
}

// pdktest's host records what Call.Progress lets through.
func TestProgressRecordedByPdktest(t *testing.T) {
	p := testPlugin(func(c *pdk.Call) (any, error) {
		c.Progress(1, 2, "one")
		c.Progress(1, 2, "one again")
		c.Progress(2, 2, "two")
		return nil, nil
	})
	h := pdktest.NewHost(p, nil)
	h.Call(t, "t", nil)
	want := []abi.ProgressRecord{{Progress: 1, Total: 2, Message: "one"}, {Progress: 2, Total: 2, Message: "two"}}
	if got := h.ProgressReports(); !reflect.DeepEqual(got, want) {
		t.Errorf("reports = %+v, want %+v", got, want)
	}
}
