//go:build wasip1

package pdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"unsafe"

	"github.com/wasmcp/wasmcp/abi"
)

// The exports and imports of abi. Directives take literal names only; the
// test TestDirectivesMatchABI checks them against abi's constants.

//go:wasmimport extism:host/user wasmcp_log
func hostLog(rec uint64)

//go:wasmimport extism:host/user wasmcp_http_send
func hostHTTPSend(req unsafe.Pointer, n uint32) uint64

//go:wasmimport extism:host/user wasmcp_http_recv
func hostHTTPRecv(head, body unsafe.Pointer) uint32

//go:wasmimport extism:host/user wasmcp_output
func hostOutput(p unsafe.Pointer, n uint32) uint32

var errNotRegistered = errors.New("pdk: no plugin is registered; call pdk.Register from the plugin's init")

// exportDescribe is abi.ExportDescribe: no input, output a Descriptor.
//
//go:wasmexport wasmcp_describe
func exportDescribe() int32 {
	if registered == nil {
		return fail(errNotRegistered)
	}
	b, err := json.Marshal(registered.Descriptor())
	if err != nil {
		return fail(fmt.Errorf("pdk: cannot encode the descriptor: %v", err))
	}
	setOutput(b)
	return 0
}

// exportCall is abi.ExportCall: input a CallRequest, output a CallResult.
// Tool failures are results; only an undecodable request, a missing plugin
// or a panic return 1.
//
//go:wasmexport wasmcp_call
func exportCall() (rc int32) {
	if registered == nil {
		return fail(errNotRegistered)
	}
	tool, args, err := decodeCallRequest(readInput())
	if err != nil {
		return fail(fmt.Errorf("pdk: cannot decode the call request: %v", err))
	}
	defer func() {
		if v := recover(); v != nil {
			msg := fmt.Sprintf("tool %q panicked: %v", tool, v)
			wasmHost{}.Log(abi.LogRecord{Level: string(LevelError), Message: msg + "\n" + string(debug.Stack())})
			rc = fail(errors.New(msg))
		}
	}()
	b, err := registered.run(wasmHost{}, &Call{tool: tool, rawArgs: args, host: wasmHost{}}).encode()
	if err != nil {
		return fail(fmt.Errorf("pdk: cannot encode the call result: %v", err))
	}
	// One copy, straight from this module's memory (abi.FuncOutput), or
	// through a kernel block for a host that cannot take it so.
	if hostOutput(unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b))) != 1 {
		setOutput(b)
	}
	runtime.KeepAlive(b)
	return 0
}

// fail sets err as the Extism error of the current call and returns the
// failing return code.
func fail(err error) int32 {
	setError(err.Error())
	return 1
}

// wasmHost is the Host of a Wasm build: the host functions of abi.
type wasmHost struct{}

// HTTPRequest calls abi.FuncHTTPSend and abi.FuncHTTPRecv: the request
// and the response head cross as JSON (written and read by wire.go), the
// body as raw bytes, each in one copy between the host and this module's
// memory.
func (wasmHost) HTTPRequest(req abi.HTTPRequest) abi.HTTPResponse {
	b := appendRequest(make([]byte, 0, 256+len(req.URL)+len(req.Body)+len(req.Select)), req)
	lens := hostHTTPSend(unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b)))
	runtime.KeepAlive(b)
	head := make([]byte, max(lens>>32, 1))
	body := make([]byte, max(lens&0xffffffff, 1))
	if lens == 0 || hostHTTPRecv(unsafe.Pointer(&head[0]), unsafe.Pointer(&body[0])) != 1 {
		return abi.HTTPResponse{Error: abi.ErrTransport, ErrorMessage: "the host returned no response"}
	}
	resp, err := decodeResponseHead(head[:lens>>32])
	if err != nil {
		return abi.HTTPResponse{Error: abi.ErrTransport, ErrorMessage: "the host's response could not be decoded: " + err.Error()}
	}
	if n := lens & 0xffffffff; n > 0 {
		resp.Body = unsafe.String(&body[0], n) // body is never written again
	}
	return resp
}

// Log calls abi.FuncLog.
func (wasmHost) Log(rec abi.LogRecord) {
	b, err := json.Marshal(rec)
	if err != nil {
		return
	}
	in := storeBlock(b)
	hostLog(in)
	kernelFree(in)
}
