package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JSON-RPC error codes the screen answers with.
const (
	codeInvalidRequest = -32600
	codeInvalidParams  = -32602
)

// screened is a message the host answers itself, before mcp-go sees it.
type screened struct {
	id      json.RawMessage // the request's id, as sent; null when unknown
	code    int
	message string
	batch   bool // the message is a JSON array
}

// response is the JSON-RPC error response, one line of JSON.
func (s *screened) response() []byte {
	id := s.id
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	b, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{JSONRPC: "2.0", ID: id, Error: struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{s.code, s.message}})
	return b
}

// screen refuses, on either transport, the messages mcp-go would serve
// wrongly; it returns nil for the others, which go on to mcp-go as they
// are.
//
//   - A JSON array: JSON-RPC batches were removed from MCP (2025-06-18), and
//     a message is a single request, notification or response. mcp-go
//     answers "not valid json", which it is. -32600 Invalid Request.
//   - tools/call whose arguments are present but not an object ("x", [1],
//     null): mcp-go runs the tool with no arguments; its handlers can only
//     answer with a tool error or an internal error. -32602 Invalid params.
//   - tools/list with a cursor: the host lists every tool in one page and
//     hands out no cursor, so any cursor is invalid, which the pagination
//     spec answers with -32602; mcp-go answers with its base64 decoder's
//     error.
//
// A notification (no id) is not screened: it gets no answer, and mcp-go
// ignores what it does not know.
func screen(msg []byte) *screened { return screenPeeked(msg, peek(msg)) }

// peeked is what screen and the stdio pipe's track read of a message, in
// one decoding: ok is false for a message that is not a JSON object.
type peeked struct {
	ok     bool
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

// peek reads msg as mcp-go reads it: encoding/json into a struct, so that
// key case and duplicate keys are resolved the same way.
func peek(msg []byte) peeked {
	var m peeked
	m.ok = json.Unmarshal(msg, &m) == nil
	return m
}

func screenPeeked(msg []byte, m peeked) *screened {
	trimmed := bytes.TrimLeft(msg, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return &screened{code: codeInvalidRequest, batch: true,
			message: "Invalid Request: send one JSON-RPC message per request; JSON-RPC batches are not part of MCP since 2025-06-18"}
	}
	if !m.ok || len(m.ID) == 0 || isNull(m.ID) {
		return nil // mcp-go answers what does not parse; notifications get no answer
	}
	switch m.Method {
	case "tools/call", "tools/list":
	default:
		return nil // nothing else is screened: its params need not be read
	}
	var params struct {
		Arguments json.RawMessage `json:"arguments"`
		Cursor    json.RawMessage `json:"cursor"`
	}
	if json.Unmarshal(m.Params, &params) != nil {
		return nil // absent or not an object: mcp-go's own errors
	}
	switch m.Method {
	case "tools/call":
		if len(params.Arguments) > 0 && jsonKind(params.Arguments) != "an object" {
			return &screened{id: m.ID, code: codeInvalidParams,
				message: fmt.Sprintf("Invalid params: tools/call arguments must be a JSON object, got %s", jsonKind(params.Arguments))}
		}
	case "tools/list":
		if c := params.Cursor; len(c) > 0 && !isNull(c) && string(c) != `""` {
			return &screened{id: m.ID, code: codeInvalidParams,
				message: "Invalid params: unknown cursor; this server lists every tool in one page and issues no cursors, so list again without one"}
		}
	}
	return nil
}

// jsonKind names the kind of a JSON value for an error message.
func jsonKind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }
