package e2e

// What the binary answers to requests real clients got wrong answers to:
// non-object arguments, and the streamable HTTP transport's edge cases
// (MCP 2025-11-25); and /healthz while the host drains at shutdown.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Arguments that are not an object are invalid params (-32602), over both
// transports, and the tool does not run.
func TestNonObjectArgumentsRefused(t *testing.T) {
	gh := fakeGitHub(t)
	o := hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL}}
	transports(t, func(*testing.T) hostOpts { return o }, func(t *testing.T, s *mcp.ClientSession, _ *syncBuffer) {
		before := len(gh.requests())
		for _, args := range []any{"x", []int{1}, json.RawMessage("null"), 7} {
			_, err := s.CallTool(t.Context(), &mcp.CallToolParams{Name: "get_github_user", Arguments: args, Meta: meta("u1", "temp-token-u1-0001", "github")})
			var werr *jsonrpc.Error
			if !errors.As(err, &werr) || werr.Code != jsonrpc.CodeInvalidParams || !strings.Contains(werr.Message, "arguments must be a JSON object") {
				t.Errorf("arguments %v: err %v, want invalid params", args, err)
			}
		}
		if n := len(gh.requests()) - before; n != 0 {
			t.Errorf("the tool ran %d times", n)
		}
		// An object still works, and so does no arguments at all.
		for _, args := range []any{map[string]any{}, nil} {
			res, err := s.CallTool(t.Context(), &mcp.CallToolParams{Name: "get_github_user", Arguments: args, Meta: meta("u1", "temp-token-u1-0001", "github")})
			if err != nil || res.IsError {
				t.Errorf("arguments %v: err %v, result %v", args, err, res)
			}
		}
	})
}

// rawHTTP sends one request to the endpoint and returns the response with
// its body read.
func rawHTTP(t *testing.T, method, url, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// Each answer is the one the streamable HTTP transport's spec gives.
func TestHTTPTransportAnswers(t *testing.T) {
	h := startHTTPHost(t, hostOpts{mock: true})
	const list = `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
	for _, c := range []struct {
		name, method, contentType, body string
		status                          int
		header, value                   string // a header the answer must carry
		rpcCode                         int    // the JSON-RPC error code of the body, or 0
		rpcID                           string // its id, as JSON
		want                            string // in the body
	}{
		// "The body of the POST request MUST be a single JSON-RPC request,
		// notification, or response."
		{"batch", http.MethodPost, "application/json", "[" + list + "]", 400, "Content-Type", "application/json", -32600, "null", "batches are not part of MCP"},
		// Pagination: "Invalid cursors SHOULD result in an error with code
		// -32602 (Invalid params)."
		{"bad cursor", http.MethodPost, "application/json", `{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"!!"}}`, 200, "Content-Type", "application/json", -32602, "2", "unknown cursor"},
		// "The server MUST either return Content-Type: text/event-stream in
		// response to this HTTP GET, or else return HTTP 405 Method Not
		// Allowed"; a 405 lists the allowed methods (RFC 9110).
		{"GET", http.MethodGet, "", "", 405, "Allow", "POST", 0, "", "POST only"},
		// DELETE: "The server MAY respond to this request with HTTP 405
		// Method Not Allowed": stateless, there is no session to end.
		{"DELETE", http.MethodDelete, "", "", 405, "Allow", "POST", 0, "", "no session to DELETE"},
		// A body that is not JSON: 415 Unsupported Media Type.
		{"text/plain", http.MethodPost, "text/plain", list, 415, "Accept-Post", "application/json", 0, "", "Content-Type: application/json"},
		// And the ordinary request still works.
		{"tools/list", http.MethodPost, "application/json", list, 200, "Content-Type", "application/json", 0, "", `"get_github_user"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := rawHTTP(t, c.method, h.url, c.contentType, c.body)
			if resp.StatusCode != c.status || !strings.Contains(resp.Header.Get(c.header), c.value) || !strings.Contains(body, c.want) {
				t.Fatalf("%d %s: %q, body %s; want %d with %s %q and %q", resp.StatusCode, c.header, resp.Header.Get(c.header), body, c.status, c.header, c.value, c.want)
			}
			if c.rpcCode == 0 {
				return
			}
			var m struct {
				ID    json.RawMessage
				Error struct{ Code int }
			}
			if err := json.Unmarshal([]byte(body), &m); err != nil || m.Error.Code != c.rpcCode || string(m.ID) != c.rpcID {
				t.Errorf("body %s, want error %d with id %s", body, c.rpcCode, c.rpcID)
			}
		})
	}
}

// On SIGTERM, /healthz answers 503 for the drain while /mcp still serves;
// a second signal ends the wait at once.
func TestHealthzDrain(t *testing.T) {
	gh := fakeGitHub(t)
	h := startHTTPHost(t, hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL}, args: []string{"--drain", "10m"}})
	s, err := connectHTTP(t, h.url, "", "")
	if err != nil {
		t.Fatal(err)
	}
	healthz := strings.TrimSuffix(h.url, "/mcp") + "/healthz"
	if resp, body := rawHTTP(t, http.MethodGet, healthz, "", ""); resp.StatusCode != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Fatalf("/healthz before shutdown: %d %s", resp.StatusCode, body)
	}
	h.cmd.Process.Signal(syscall.SIGTERM)
	// The host answers 503 from before it logs the drain.
	h.stderr.waitFor(t, "log line of the drain", func(logs string) bool { return logLine(logs, "shutting down: draining") })
	if resp, body := rawHTTP(t, http.MethodGet, healthz, "", ""); resp.StatusCode != 503 || !strings.Contains(body, `"status":"shutting down"`) {
		t.Fatalf("/healthz while draining: %d %s, want 503 \"shutting down\"", resp.StatusCode, body)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: "get_github_user", Meta: meta("u1", "temp-token-u1-0001", "github")})
	if err != nil || res.IsError || structured(t, res)["login"] != "octocat" {
		t.Fatalf("a call while draining: err=%v result=%v", err, res)
	}
	h.stderr.waitFor(t, "log of the drain", func(logs string) bool { return logLine(logs, "shutting down: draining", "drain=10m0s") })
	h.cmd.Process.Signal(syscall.SIGTERM)
	if code := h.wait(t); code != 1 || !strings.Contains(h.stderr.String(), "second signal") {
		t.Errorf("after a second signal: exit %d, want 1 at once", code)
	}
}

// With no plugin loaded /healthz answers 503, so that a load balancer sends
// no traffic to a replica with no tools; it says why.
func TestHealthzNoPlugins(t *testing.T) {
	h := startHTTPHost(t, hostOpts{mock: true, pluginsDir: t.TempDir()})
	resp, body := rawHTTP(t, http.MethodGet, strings.TrimSuffix(h.url, "/mcp")+"/healthz", "", "")
	if resp.StatusCode != 503 || !strings.Contains(body, `"status":"no plugins loaded"`) || !strings.Contains(body, `"plugins":0`) {
		t.Fatalf("/healthz with no plugin: %d %s, want 503 saying so", resp.StatusCode, body)
	}
}
