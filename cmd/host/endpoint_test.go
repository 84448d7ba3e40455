package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// mcpEndpoint answers what the streamable HTTP spec says where mcp-go does
// not, and hands everything else to it with the body intact.
func TestMCPEndpoint(t *testing.T) {
	var got []string // the bodies next received
	h := mcpEndpoint(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, string(body))
		w.WriteHeader(http.StatusTeapot)
	}))
	const ping = `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	for _, c := range []struct {
		name, method, contentType, body string
		status                          int
		header, value                   string // a header the answer must have
		rpcCode                         int    // the JSON-RPC error code of the body, if any
	}{
		{"GET", http.MethodGet, "", "", 405, "Allow", "POST", 0},
		{"DELETE", http.MethodDelete, "", "", 405, "Allow", "POST", 0},
		{"HEAD", http.MethodHead, "", "", 405, "Allow", "POST", 0},
		{"PUT", http.MethodPut, "application/json", ping, 405, "Allow", "POST", 0},
		{"text/plain", http.MethodPost, "text/plain", ping, 415, "Accept-Post", "application/json", 0},
		{"no Content-Type", http.MethodPost, "", ping, 415, "Accept-Post", "application/json", 0},
		{"bad Content-Type", http.MethodPost, "application/", ping, 415, "Accept-Post", "application/json", 0},
		{"batch", http.MethodPost, "application/json", "[" + ping + "]", 400, "Content-Type", "application/json", codeInvalidRequest},
		{"string arguments", http.MethodPost, "application/json", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":"x"}}`,
			200, "Content-Type", "application/json", codeInvalidParams},
		{"too large", http.MethodPost, "application/json", `{"x":"` + strings.Repeat("x", maxRequestBytes) + `"}`, 413, "", "", 0},
		{"JSON with a charset", http.MethodPost, "application/json; charset=utf-8", ping, 418, "", "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got = nil
			req := httptest.NewRequest(c.method, "/mcp", strings.NewReader(c.body))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if c.header != "" && rec.Header().Get(c.header) != c.value {
				t.Errorf("%s: %q, want %q", c.header, rec.Header().Get(c.header), c.value)
			}
			if c.rpcCode != 0 {
				var resp struct {
					ID    any
					Error struct{ Code int }
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || resp.Error.Code != c.rpcCode {
					t.Errorf("body %s, want a JSON-RPC error %d", rec.Body, c.rpcCode)
				}
			}
			if passed := len(got) == 1; passed != (c.status == 418) {
				t.Errorf("handed to mcp-go: %v", passed)
			} else if passed && got[0] != c.body {
				t.Errorf("mcp-go got %q, want %q", got[0], c.body)
			}
		})
	}
}
