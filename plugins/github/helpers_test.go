package main

import (
	"encoding/json"
	"maps"
	"net/url"
	"reflect"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// answer is a fake GitHub's answer to one route.
type answer struct {
	status  int
	headers map[string]string
	body    []byte
}

// routes answers requests by "METHOD /path" (the query ignored), and 404s
// anything else as GitHub does, so that a request to the wrong path fails
// the test it is in.
func routes(m map[string]answer) pdktest.Responder {
	return func(req abi.HTTPRequest) abi.HTTPResponse {
		u, err := url.Parse(req.URL)
		if err != nil {
			return abi.HTTPResponse{Status: 400}
		}
		a, ok := m[req.Method+" "+u.EscapedPath()]
		if !ok {
			return abi.HTTPResponse{Status: 404, Body: `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`}
		}
		status := a.status
		if status == 0 {
			status = 200
		}
		return abi.HTTPResponse{Status: status, Headers: maps.Clone(a.headers), Body: string(a.body)}
	}
}

// ok is a 200 answer with body.
func ok(body []byte) answer { return answer{body: body} }

// wantRequests checks that h saw exactly the requests want (method, URL
// and Select; every one with wantHeaders, and Content-Type with a body).
func wantRequests(t *testing.T, h *pdktest.Host, want ...abi.HTTPRequest) {
	t.Helper()
	for i := range want {
		if want[i].Method == "" {
			want[i].Method = "GET"
		}
		want[i].Headers = wantHeaders
		if want[i].Body != "" {
			want[i].Headers = maps.Clone(wantHeaders)
			want[i].Headers["Content-Type"] = "application/json"
		}
	}
	if got := h.Requests(); !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("requests =\n%s\nwant\n%s", g, w)
	}
}

// link is GitHub's Link header of a page with a next page.
func link(path string, next, last int) map[string]string {
	return map[string]string{"Link": `<https://api.github.com` + path + `?page=` + itoa(next) + `>; rel="next", <https://api.github.com` + path + `?page=` + itoa(last) + `>; rel="last"`}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// decode unmarshals a payload, failing t.
func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
