package hostfuncs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcp/wasmcp/abi"
)

// The direct host functions (abi.FuncHTTPSend, abi.FuncHTTPRecv,
// abi.FuncOutput) read and write the guest's own linear memory, which the
// host hands them in Call.Memory: one copy per document, where the block
// functions move eight bytes per kernel call and JSON-escape bodies. Every
// range is bounds-checked by wazero's api.Memory; a guest can only point
// them at its own memory.

// directState is what the direct functions keep between calls of one tool
// call. The guest runs on one goroutine, but the mutex keeps a Call safe for
// any use.
type directState struct {
	head, body []byte // the response held between send and recv
	held       bool
	output     []byte
	outputSet  bool
	outputErr  error
}

// Output returns what the guest set with abi.FuncOutput, and whether it
// did. err is set when the output broke a limit or could not be read.
func (c *Call) Output() (out []byte, set bool, err error) {
	c.directMu.Lock()
	defer c.directMu.Unlock()
	return c.direct.output, c.direct.outputSet, c.direct.outputErr
}

// httpSend is abi.FuncHTTPSend: (req_ptr i32, req_len i32) -> (lens i64).
// It performs the request as Do does and holds the response for httpRecv.
// A request it cannot read (no guest memory, a range outside it, more than
// maxRequestDocument bytes, not JSON) is answered with ErrBadRequest, held
// the same way; it never traps.
//
//	req_ptr                      head_ptr              body_ptr
//	 |                            |                     |
//	 {"method":"GET","url":…}  →  {"status":200,…}      [body bytes]
//	 `--------- req_len -------'  `- lens >> 32 ----'   `- lens & 0xffffffff -'
func (f *Funcs) httpSend(ctx context.Context, _ *extism.CurrentPlugin, stack []uint64) {
	defer recoverTo(ctx, "http_send", func() { stack[0] = 0 })
	c, ok := CallFrom(ctx)
	if !ok || c.Memory == nil {
		stack[0] = 0 // no call: nothing is held, and recv answers 0
		return
	}
	var resp abi.HTTPResponse
	ptr, n := api.DecodeU32(stack[0]), api.DecodeU32(stack[1])
	raw, ok := c.Memory.Read(ptr, n)
	switch {
	case !ok:
		resp = refuse(abi.ErrBadRequest, "the request lies outside the plugin's memory").response(nil)
	case uint64(n) > maxRequestDocument:
		resp = refuse(abi.ErrBadRequest, "the request is %d bytes, above the limit of %d", n, maxRequestDocument).response(nil)
	default:
		var req abi.HTTPRequest
		if err := json.Unmarshal(raw, &req); err != nil {
			resp = refuse(abi.ErrBadRequest, "the request is not a JSON HTTPRequest: %v", err).response(nil)
		} else {
			resp = f.Do(ctx, req)
		}
	}
	body := []byte(resp.Body)
	resp.Body = ""
	head, err := encodeDocument(resp)
	if err != nil || uint64(len(body)) > math.MaxUint32 {
		head, _ = encodeDocument(abi.HTTPResponse{Error: abi.ErrResponseTooLarge, ErrorMessage: "the response does not fit in the plugin's memory"})
		body = nil
	}
	c.directMu.Lock()
	c.direct.head, c.direct.body, c.direct.held = head, body, true
	c.directMu.Unlock()
	stack[0] = uint64(len(head))<<32 | uint64(len(body))
}

// httpRecv is abi.FuncHTTPRecv: (head_ptr i32, body_ptr i32) -> (ok i32).
func (f *Funcs) httpRecv(ctx context.Context, _ *extism.CurrentPlugin, stack []uint64) {
	defer recoverTo(ctx, "http_recv", func() { stack[0] = 0 })
	c, ok := CallFrom(ctx)
	if !ok || c.Memory == nil {
		stack[0] = 0
		return
	}
	c.directMu.Lock()
	head, body, held := c.direct.head, c.direct.body, c.direct.held
	c.direct.head, c.direct.body, c.direct.held = nil, nil, false
	c.directMu.Unlock()
	ok = held && c.Memory.Write(api.DecodeU32(stack[0]), head) && c.Memory.Write(api.DecodeU32(stack[1]), body)
	stack[0] = 0
	if ok {
		stack[0] = 1
	}
}

// output is abi.FuncOutput: (ptr i32, len i32) -> (ok i32). It copies the
// guest's CallResult, refusing one longer than Limits.MaxOutputBytes before
// copying anything; ok is 1 once the output (or its refusal) is recorded.
func (f *Funcs) output(ctx context.Context, _ *extism.CurrentPlugin, stack []uint64) {
	defer recoverTo(ctx, "output", func() { stack[0] = 0 })
	c, ok := CallFrom(ctx)
	if !ok || c.Memory == nil {
		stack[0] = 0
		return
	}
	ptr, n := api.DecodeU32(stack[0]), api.DecodeU32(stack[1])
	var out []byte
	var err error
	if max := c.Limits.MaxOutputBytes; max > 0 && int64(n) > max {
		err = &OutputTooLargeError{Size: int64(n), Limit: max}
	} else if raw, ok := c.Memory.Read(ptr, n); !ok {
		err = fmt.Errorf("the output lies outside the plugin's memory")
	} else {
		out = bytes.Clone(raw)
	}
	c.directMu.Lock()
	c.direct.output, c.direct.outputSet, c.direct.outputErr = out, true, err
	c.directMu.Unlock()
	stack[0] = 1
}

// OutputTooLargeError is the error of Call.Output for an output above
// Limits.MaxOutputBytes.
type OutputTooLargeError struct{ Size, Limit int64 }

func (e *OutputTooLargeError) Error() string {
	return fmt.Sprintf("returned %d bytes, above its output limit of %d", e.Size, e.Limit)
}
