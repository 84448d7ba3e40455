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
	r := p.handle(h, req)
	res := abi.CallResult{IsError: r.IsError, Message: r.Message, Blocks: r.Blocks}
	if r.Content != nil {
		if err := json.Unmarshal(r.Content, &res.Content); err != nil {
			return abi.CallResult{IsError: true, Message: fmt.Sprintf("tool %q returned content that is not a JSON object: %v", req.Tool, err)}
		}
	}
	return res
}

// result is a tool's answer as the call export writes it: an
// abi.CallResult whose content is encoded once, and never decoded again in
// the guest (the host decodes and checks it).
type result struct {
	Content json.RawMessage    `json:"content,omitempty"`
	IsError bool               `json:"isError,omitempty"`
	Message string             `json:"message,omitempty"`
	Blocks  []abi.ContentBlock `json:"blocks,omitempty"` // Call.Attach
}

// handle runs the tool req names and encodes its result.
func (p Plugin) handle(h Host, req abi.CallRequest) result {
	return p.run(h, &Call{tool: req.Tool, args: req.Arguments, host: h})
}

// run runs the tool c names and encodes its result.
func (p Plugin) run(h Host, c *Call) result {
	t, ok := p.tool(c.tool)
	if !ok {
		return errorResult(fmt.Errorf("plugin %q has no tool named %q", p.Name, c.tool))
	}
	v, err := t.Handler(c)
	if err != nil {
		return errorResult(err)
	}
	content, err := encodeContent(v)
	if err != nil {
		return errorResult(fmt.Errorf("tool %q returned a result that cannot be encoded as JSON: %v", t.Name, err))
	}
	return result{Content: content, Blocks: c.blocks}
}

// encode writes r as a JSON CallResult, with its content spliced in as is:
// json.Marshal would scan and compact it once more.
func (r result) encode() ([]byte, error) {
	if r.IsError || r.Content == nil || r.Blocks != nil {
		return json.Marshal(r)
	}
	b := make([]byte, 0, len(r.Content)+len(`{"content":}`))
	b = append(b, `{"content":`...)
	b = append(b, r.Content...)
	return append(b, '}'), nil
}

// errorResult is the result of a failed tool.
func errorResult(err error) result {
	return result{IsError: true, Message: err.Error()}
}

// encodeContent turns a Handler's result into a JSON object, encoded: the
// value itself when it encodes to an object, {"result": v} otherwise, and
// nothing when v is nil. A json.RawMessage or a Raw is taken as it is, unchecked (the
// host checks every result): a tool that passes on what the host selected
// for it (see Request.Select) costs no decoding at all.
func encodeContent(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, ok := v.(json.RawMessage)
	if r, isRaw := v.(interface{ rawJSON() json.RawMessage }); isRaw {
		b, ok = r.rawJSON(), true // a Raw[T]
	}
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		return nil, nil
	case b[0] == '{':
		return b, nil
	}
	wrapped := make([]byte, 0, len(b)+len(`{"result":}`))
	wrapped = append(wrapped, `{"result":`...)
	wrapped = append(wrapped, b...)
	return append(wrapped, '}'), nil
}
