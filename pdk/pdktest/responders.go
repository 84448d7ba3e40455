package pdktest

import (
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
)

// Reply returns a Responder that answers every request with status, headers
// and body.
func Reply(status int, headers map[string]string, body string) Responder {
	return func(abi.HTTPRequest) abi.HTTPResponse {
		return abi.HTTPResponse{Status: status, Headers: maps.Clone(headers), Body: body}
	}
}

// Handler returns a Responder that serves requests with h, in process: the
// request is an *http.Request built from the abi request, the response is
// recorded and turned back into an abi response, repeated headers joined
// with ", " as the host joins them. Use it to route by path with an
// http.ServeMux, or to reuse handlers from other tests.
func Handler(h http.Handler) Responder {
	return func(req abi.HTTPRequest) abi.HTTPResponse {
		r := httptest.NewRequest(req.Method, req.URL, strings.NewReader(req.Body))
		for k, v := range req.Headers {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		res := w.Result()
		body, _ := io.ReadAll(res.Body)
		headers := make(map[string]string, len(res.Header))
		for k, vs := range res.Header {
			headers[k] = strings.Join(vs, ", ")
		}
		return abi.HTTPResponse{Status: res.StatusCode, Headers: headers, Body: string(body)}
	}
}
