package pdk

import "github.com/wasmcp/wasmcp/abi"

// ProgressHost is the optional part of a Host that carries progress: the
// Wasm build's host does (abi.FuncProgress), and so may a test's. With a
// Host that does not, Call.Progress does nothing.
type ProgressHost interface {
	Progress(rec abi.ProgressRecord)
}

// progressState is what Call.Progress remembers between reports.
type progressState struct {
	last float64
	sent bool
}

// Progress reports how far the call has got: done units of work out of
// total (0 when the total is unknown), and what it is doing, for people
// (msg may be ""). When the client asked for progress, the host sends it
// notifications/progress; otherwise the report goes nowhere, at little
// cost. Report as often as is useful: the host drops reports past its rate
// limit, and a report whose done is not above the last one's is dropped
// here, since MCP requires progress to increase.
//
//	for i, page := range pages {
//		c.Progress(float64(i), float64(len(pages)), "fetching page "+strconv.Itoa(i+1))
//		...
//	}
//	c.Progress(float64(len(pages)), float64(len(pages)), "done")
func (c *Call) Progress(done, total float64, msg string) {
	ph, ok := c.host.(ProgressHost)
	if !ok || (c.progress.sent && done <= c.progress.last) || done != done { // done != done: NaN
		return
	}
	c.progress.last, c.progress.sent = done, true
	ph.Progress(abi.ProgressRecord{Progress: done, Total: total, Message: msg})
}
