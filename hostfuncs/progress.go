package hostfuncs

import (
	"context"
	"encoding/json"
	"math"

	extism "github.com/extism/go-sdk"

	"github.com/wasmcp/wasmcp/abi"
)

// maxProgressDocument caps the JSON ProgressRecord read from the guest; a
// larger one is ignored.
const maxProgressDocument = 8 << 10

// progress is the host function abi.FuncProgress: (rec i64) -> (). It
// sends one guest progress report to the call's Client (see WithClient),
// which sends it on as notifications/progress when the client asked for
// progress.
//
// # Parameters
//
//   - rec: offset of an Extism memory block holding a JSON
//     abi.ProgressRecord of at most maxProgressDocument bytes. The guest
//     still owns it afterwards.
//
// # Results
//
// None. The record is sent only if its Progress is a finite number above
// the last one sent for the call (MCP requires progress to increase) and
// within the call's rate (ProgressBurst, then ProgressRate a second). A
// Total that is not a finite positive number is left out. The Message is
// scrubbed of the call's secrets and cut to MaxProgressMessage bytes.
//
// # Errors
//
// None, and it never traps: with no Call or no Client in the context, a
// bad offset, an oversized block or malformed JSON, the record is dropped.
//
//	   rec
//	    |
//	[..]{"progress":3,"total":10,"message":"page 3 of 10"}[..]
//	    `------------------- length(rec) ------------------'
func (f *Funcs) progress(ctx context.Context, p *extism.CurrentPlugin, stack []uint64) {
	defer recoverTo(ctx, "progress", func() {})
	c, ok := CallFrom(ctx)
	s := clientFrom(ctx)
	if !ok || s == nil {
		return
	}
	raw, err := readBlock(p, stack[0], maxProgressDocument)
	if err != nil {
		return
	}
	var rec abi.ProgressRecord
	if json.Unmarshal(raw, &rec) != nil {
		return
	}
	sendProgress(ctx, c, s, rec)
}

// sendProgress checks rec and sends it to s's client.
func sendProgress(ctx context.Context, c *Call, s *clientState, rec abi.ProgressRecord) {
	if math.IsNaN(rec.Progress) || math.IsInf(rec.Progress, 0) {
		return
	}
	total := rec.Total
	if math.IsNaN(total) || math.IsInf(total, 0) || total <= 0 {
		total = 0
	}
	if !s.admitProgress(rec.Progress) {
		return
	}
	msg := ""
	if rec.Message != "" {
		msg = truncate(c.scrubber().String(rec.Message), MaxProgressMessage)
	}
	s.client.Progress(ctx, rec.Progress, total, msg)
}
