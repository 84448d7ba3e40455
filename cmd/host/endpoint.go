package main

import (
	"bytes"
	"io"
	"mime"
	"net/http"
)

// mcpEndpoint holds /mcp to the streamable HTTP transport of the MCP spec
// (2025-11-25, "Streamable HTTP"), where mcp-go's stateless server departs
// from it, before next (mcp-go) sees a request:
//
//   - Only POST. The server offers no GET stream and, stateless, has no
//     session to DELETE: "the server MUST either return Content-Type:
//     text/event-stream in response to this HTTP GET, or else return HTTP 405
//     Method Not Allowed", and a DELETE "MAY [be answered] with HTTP 405
//     Method Not Allowed". Every 405 carries Allow (RFC 9110, 15.5.6).
//   - The body is JSON: another Content-Type is 415 Unsupported Media Type
//     (RFC 9110, 15.5.16), with Accept-Post naming the one accepted.
//   - The body is capped at maxRequestBytes: 413.
//   - "The body of the POST request MUST be a single JSON-RPC request,
//     notification, or response": an array is 400, with a JSON-RPC error
//     that has no id.
//   - Requests screen refuses (see screen) get their JSON-RPC error, 200, as
//     mcp-go answers its own.
func mcpEndpoint(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "Method Not Allowed: this endpoint takes JSON-RPC messages by POST only; "+
				"it offers no GET stream and, being stateless, no session to DELETE", http.StatusMethodNotAllowed)
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			w.Header().Set("Accept-Post", "application/json")
			http.Error(w, "Unsupported Media Type: send the JSON-RPC message as Content-Type: application/json", http.StatusUnsupportedMediaType)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
		if err != nil {
			http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		if s := screen(body); s != nil {
			status := http.StatusOK
			if s.batch {
				status = http.StatusBadRequest
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write(append(s.response(), '\n'))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}
