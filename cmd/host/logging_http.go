package main

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/wasmcp/wasmcp/host"
)

// countDeliveries gives each request a host.Delivery, and counts on it the
// progress and log notifications written to the request's SSE stream: a
// call waits for its own to be written before it answers, since mcp-go
// drops one still in flight when the answer goes out (see host.Delivery).
func countDeliveries(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := host.NewDelivery()
		next.ServeHTTP(&deliveryWriter{ResponseWriter: w, d: d}, r.WithContext(host.WithDelivery(r.Context(), d)))
	})
}

// deliveryWriter is the ResponseWriter mcp-go writes a request's answer
// and SSE events to; mcp-go writes one whole event per Write.
type deliveryWriter struct {
	http.ResponseWriter
	d *host.Delivery
}

var sseEvent = []byte("event: message\ndata: ")

func (w *deliveryWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	if err == nil && bytes.HasPrefix(b, sseEvent) {
		var m struct {
			Method string `json:"method"`
		}
		if json.Unmarshal(bytes.TrimSpace(b[len(sseEvent):]), &m) == nil && host.IsCountedNotification(m.Method) {
			w.d.Written()
		}
	}
	return n, err
}

// Flush lets mcp-go stream: it upgrades a response to SSE only on a
// writer that flushes.
func (w *deliveryWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *deliveryWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
