// Package pdktest runs a plugin's tools natively, with no Wasm runtime and no
// network, against a fake host that answers HTTP requests from a Responder
// and records what the tools sent and logged.
//
// A test of a GitHub tool:
//
//	func TestGetUser(t *testing.T) {
//		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"login":"octocat"}`))
//		res := h.Call(t, "get_github_user", nil)
//		if res.IsError || res.Content["login"] != "octocat" {
//			t.Fatalf("got %+v", res)
//		}
//		if got := h.Requests()[0].URL; got != "https://api.github.com/user" {
//			t.Errorf("requested %s", got)
//		}
//	}
//
// The fake host enforces the rules abi states for every host, so a tool that
// breaks them fails here as it would in production: a request to a URL
// outside the plugin's Hosts gets abi.ErrHostNotAllowed, one carrying
// Authorization, Proxy-Authorization or Cookie gets abi.ErrHeaderNotAllowed,
// and a malformed method or URL gets abi.ErrBadRequest. Arguments and results
// cross a JSON round trip, as on the wire, so numbers arrive as float64.
// The fake host does not validate arguments against the input schema, as
// the real one does: a test can pass arguments the host would refuse, to
// check the tool's own validation.
package pdktest

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/jsonsel"
	"github.com/wasmcp/wasmcp/pdk"
)

// Responder answers the HTTP requests the host lets through.
type Responder func(req abi.HTTPRequest) abi.HTTPResponse

// Host is a fake host for one plugin. It is safe for concurrent use.
type Host struct {
	plugin  pdk.Plugin
	respond Responder

	mu       sync.Mutex
	requests []abi.HTTPRequest
	logs     []abi.LogRecord
}

// NewHost returns a fake host for p that answers requests with r. A nil r
// answers every request with an abi.ErrTransport error.
func NewHost(p pdk.Plugin, r Responder) *Host {
	return &Host{plugin: p, respond: r}
}

// Call runs tool with args (nil, a map or a struct; it is sent as JSON) and
// returns the result as the host would decode it. It fails t if args or the
// result do not survive JSON.
func (h *Host) Call(t testing.TB, tool string, args any) abi.CallResult {
	t.Helper()
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
	res := h.plugin.Handle(h, req)
	if b, err = json.Marshal(res); err != nil {
		t.Fatalf("pdktest: encoding the result: %v", err)
	}
	var out abi.CallResult
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("pdktest: decoding the result: %v", err)
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
	if code, msg := h.check(req); code != "" {
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

// check applies the rules abi states for HTTPRequest and returns the error
// code and message of the first one req breaks, or "".
func (h *Host) check(req abi.HTTPRequest) (code, msg string) {
	if req.Method == "" || strings.ToUpper(req.Method) != req.Method || strings.ContainsAny(req.Method, " \t\r\n") {
		return abi.ErrBadRequest, "invalid method " + strconv.Quote(req.Method)
	}
	u, err := url.Parse(req.URL)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return abi.ErrBadRequest, "invalid URL " + strconv.Quote(req.URL)
	}
	if err := jsonsel.Check(req.Select); err != nil {
		return abi.ErrBadRequest, err.Error()
	}
	for k := range req.Headers {
		switch strings.ToLower(k) {
		case "authorization", "proxy-authorization", "cookie":
			return abi.ErrHeaderNotAllowed, "header " + k + " is not allowed"
		}
	}
	if !slices.ContainsFunc(h.plugin.Hosts, func(base string) bool { return underBase(u, base) }) {
		return abi.ErrHostNotAllowed, "the plugin did not declare a host for " + u.Scheme + "://" + u.Host + u.Path
	}
	return "", ""
}

// underBase reports whether u lies within the base URL base: same scheme,
// host and port, and a path under base's path on a segment boundary.
func underBase(u *url.URL, base string) bool {
	b, err := url.Parse(base)
	if err != nil || !strings.EqualFold(u.Scheme, b.Scheme) || !strings.EqualFold(u.Host, b.Host) {
		return false
	}
	bp := strings.TrimSuffix(b.Path, "/")
	up := strings.TrimSuffix(u.Path, "/")
	return up == bp || strings.HasPrefix(up, bp+"/")
}
