// Package pdktest runs a plugin's tools natively, with no Wasm runtime and no
// network, against a fake host that answers HTTP requests from a Responder
// and records what the tools sent and logged.
//
// A test of a GitHub tool:
//
//	func TestGetUser(t *testing.T) {
//		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"login":"octocat","id":1}`))
//		pdktest.WantContent(t, h.Call(t, "get_github_user", nil), user{Login: "octocat", ID: 1})
//		if got := h.Requests()[0].URL; got != "https://api.github.com/user" {
//			t.Errorf("requested %s", got)
//		}
//	}
//
// The fake host applies the host's own request rules, from the package the
// host function uses, so a request fails here exactly as it would in
// production: a URL outside the plugin's Hosts gets abi.ErrHostNotAllowed; a
// header the host owns (Authorization, Cookie, Host, Range, Accept-Encoding,
// hop-by-hop and Proxy-* headers) gets abi.ErrHeaderNotAllowed; a malformed
// or oversized method, URL, header, body or Select gets abi.ErrBadRequest,
// and so does a URL with userinfo (user:pw@) or a "." or ".." path segment,
// however escaped ("%2e%2e", "a%2F..%2Fb"). A table of requests that the
// host function and this fake both run keeps the two in step. Host-side
// limits (request budgets, timeouts, response sizes) are not applied; a
// Responder may answer with their errors to test how a tool reports them.
//
// Arguments and results cross a JSON round trip, as on the wire, so numbers
// in Content arrive as float64; Content[T] decodes a result into a type,
// and WantContent compares it with the value expected.
// The fake host compiles the plugin's input and output schemas with the
// host's own validator, so a schema the host would refuse to load fails
// every Call; it validates each call's arguments against the input schema
// and each result against the output schema as the host does, answering
// with the host's tool error when they do not match. To test a tool's own
// checks of arguments the host would refuse, call the plugin's Handle with
// the Host.
package pdktest

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/toolschema"
	"github.com/wasmcp/wasmcp/jsonsel"
	"github.com/wasmcp/wasmcp/pdk"
)

// Responder answers the HTTP requests the host lets through.
type Responder func(req abi.HTTPRequest) abi.HTTPResponse

// Host is a fake host for one plugin. It is safe for concurrent use.
type Host struct {
	plugin  pdk.Plugin
	respond Responder
	rules   rules
	schemas func() (map[string]toolschema.Tool, error) // compiled once; schema.go

	mu       sync.Mutex
	requests []abi.HTTPRequest
	logs     []abi.LogRecord
	progress []abi.ProgressRecord // progress.go
}

// NewHost returns a fake host for p that answers requests with r. A nil r
// answers every request with an abi.ErrTransport error.
//
// A declared host the real host would refuse to load (not https, with a
// query, a dot segment...) fails every Call, and every request is refused.
func NewHost(p pdk.Plugin, r Responder) *Host {
	return &Host{plugin: p, respond: r, rules: newRules(p.Hosts),
		schemas: sync.OnceValues(func() (map[string]toolschema.Tool, error) { return compileSchemas(p) })}
}

// Call runs tool with args (nil, a map or a struct; it is sent as JSON) and
// returns the result as the host would decode it. It fails t if args or the
// result do not survive JSON, or the host would refuse the plugin's
// schemas. Arguments that do not match the tool's input schema, or a result
// that does not match its output schema, get the host's tool error.
func (h *Host) Call(t testing.TB, tool string, args any) abi.CallResult {
	t.Helper()
	if h.rules.err != nil {
		t.Fatalf("pdktest: the host would not load plugin %q: %v", h.plugin.Name, h.rules.err)
	}
	b, err := json.Marshal(struct {
		Tool      string `json:"tool"`
		Arguments any    `json:"arguments,omitempty"`
	}{tool, args})
	if err != nil {
		t.Fatalf("pdktest: encoding the call: %v", err)
	}
	var req abi.CallRequest
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatalf("pdktest: decoding the call: %v", err)
	}
	schema := h.schemasOf(t)[tool]
	if refused := checkArgs(schema, req); refused != nil {
		return *refused
	}
	res := h.plugin.Handle(h, req)
	if b, err = json.Marshal(res); err != nil {
		t.Fatalf("pdktest: encoding the result: %v", err)
	}
	var out abi.CallResult
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("pdktest: decoding the result: %v", err)
	}
	if refused := checkResult(t, h.plugin.Name, schema, tool, out); refused != nil {
		return *refused
	}
	if refused := checkBlocks(h.plugin.Name, out); refused != nil {
		return *refused // progress.go
	}
	return out
}

// Requests returns the HTTP requests the tools sent, refused ones included,
// in order.
func (h *Host) Requests() []abi.HTTPRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.requests)
}

// Logs returns the records the tools logged, in order.
func (h *Host) Logs() []abi.LogRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.logs)
}

// HTTPRequest implements pdk.Host: it records req, applies the host's rules,
// and passes a request that obeys them to the Responder.
func (h *Host) HTTPRequest(req abi.HTTPRequest) abi.HTTPResponse {
	h.mu.Lock()
	h.requests = append(h.requests, req)
	h.mu.Unlock()
	if code, msg := h.rules.check(req); code != "" {
		return abi.HTTPResponse{Error: code, ErrorMessage: msg}
	}
	if h.respond == nil {
		return abi.HTTPResponse{Error: abi.ErrTransport, ErrorMessage: "pdktest: the host has no Responder"}
	}
	resp := h.respond(req)
	if body, ok := jsonsel.Apply([]byte(resp.Body), req.Select, resp.Status); ok && resp.Error == "" {
		resp.Body, resp.Selected = string(body), true
	}
	return resp
}

// Log implements pdk.Host: it records rec.
func (h *Host) Log(rec abi.LogRecord) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logs = append(h.logs, rec)
}
