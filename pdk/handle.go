package pdk

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/wasmcp/wasmcp/abi"
)

// Host is the plugin's side of the host functions of package abi. In a Wasm
// build the kit supplies one that calls abi.FuncHTTPRequest and abi.FuncLog;
// in native tests pdktest.Host stands in for it.
type Host interface {
	// HTTPRequest performs req; failures are reported in the response's
	// Error field, never by panicking.
	HTTPRequest(req abi.HTTPRequest) abi.HTTPResponse
	// Log writes one record to the host's log.
	Log(rec abi.LogRecord)
}

// Handle runs the tool req names with the host h and returns its result, as
// the call export does. It does not recover panics: the export does that, and
// a native test is better served by the panic's own stack trace.
func (p Plugin) Handle(h Host, req abi.CallRequest) abi.CallResult {
	t, ok := p.tool(req.Tool)
	if !ok {
		return errorResult(fmt.Errorf("plugin %q has no tool named %q", p.Name, req.Tool))
	}
	c := &Call{tool: t.Name, args: req.Arguments, host: h}
	v, err := t.Handler(c)
	if err != nil {
		return errorResult(err)
	}
	content, err := encodeContent(v)
	if err != nil {
		return errorResult(fmt.Errorf("tool %q returned a result that cannot be encoded as JSON: %v", t.Name, err))
	}
	return abi.CallResult{Content: content}
}

// errorResult is the CallResult of a failed tool.
func errorResult(err error) abi.CallResult {
	return abi.CallResult{IsError: true, Message: err.Error()}
}

// encodeContent turns a Handler's result into a JSON object: the value itself
// when it encodes to an object, {"result": v} otherwise, and nothing when v
// is nil.
func encodeContent(v any) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil, nil
	}
	if len(b) > 0 && b[0] == '{' {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		return m, nil
	}
	var r any
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return map[string]any{"result": r}, nil
}
