package pdktest

import (
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk"
)

var plugin = pdk.Plugin{
	Name: "p", Provider: "example",
	Hosts: []string{"https://api.example.com", "https://other.example.com/v2/"},
}

func TestHostRules(t *testing.T) {
	tests := []struct {
		name string
		req  abi.HTTPRequest
		want string // error code, "" if let through
	}{
		{"declared host", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/user?x=1"}, ""},
		{"declared host root", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com"}, ""},
		{"declared path", abi.HTTPRequest{Method: "GET", URL: "https://other.example.com/v2/things"}, ""},
		{"outside declared path", abi.HTTPRequest{Method: "GET", URL: "https://other.example.com/v20"}, abi.ErrHostNotAllowed},
		{"lookalike host", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com.evil.test/"}, abi.ErrHostNotAllowed},
		{"other port", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com:8443/"}, abi.ErrHostNotAllowed},
		{"plain http", abi.HTTPRequest{Method: "GET", URL: "http://api.example.com/"}, abi.ErrHostNotAllowed},
		{"authorization", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/", Headers: map[string]string{"authorization": "Bearer x"}}, abi.ErrHeaderNotAllowed},
		{"cookie", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/", Headers: map[string]string{"Cookie": "a=b"}}, abi.ErrHeaderNotAllowed},
		{"proxy authorization", abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/", Headers: map[string]string{"Proxy-Authorization": "x"}}, abi.ErrHeaderNotAllowed},
		{"no method", abi.HTTPRequest{URL: "https://api.example.com/"}, abi.ErrBadRequest},
		{"lower-case method", abi.HTTPRequest{Method: "get", URL: "https://api.example.com/"}, abi.ErrBadRequest},
		{"relative URL", abi.HTTPRequest{Method: "GET", URL: "/user"}, abi.ErrBadRequest},
		{"other scheme", abi.HTTPRequest{Method: "GET", URL: "ftp://api.example.com/"}, abi.ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHost(plugin, Reply(204, nil, ""))
			resp := h.HTTPRequest(tt.req)
			if resp.Error != tt.want {
				t.Errorf("error = %q (%s), want %q", resp.Error, resp.ErrorMessage, tt.want)
			}
			if tt.want == "" && resp.Status != 204 {
				t.Errorf("status = %d, want the Responder's 204", resp.Status)
			}
			if got := h.Requests(); !reflect.DeepEqual(got, []abi.HTTPRequest{tt.req}) {
				t.Errorf("recorded %+v", got)
			}
		})
	}
}

func TestNilResponder(t *testing.T) {
	resp := NewHost(plugin, nil).HTTPRequest(abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/"})
	if resp.Error != abi.ErrTransport {
		t.Errorf("response = %+v, want a transport error", resp)
	}
}

func TestHandler(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/items", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Add("X-Seen", r.Header.Get("X-Custom")+"|"+r.URL.Query().Get("q")+"|"+string(body))
		w.Header().Add("Vary", "A")
		w.Header().Add("Vary", "B")
		w.WriteHeader(201)
		io.WriteString(w, `{"id":1}`)
	})
	r := Handler(mux)
	resp := r(abi.HTTPRequest{Method: "POST", URL: "https://api.example.com/v1/items?q=z", Headers: map[string]string{"X-Custom": "c"}, Body: "hello"})
	if resp.Status != 201 || resp.Body != `{"id":1}` || resp.Headers["X-Seen"] != "c|z|hello" || resp.Headers["Vary"] != "A, B" {
		t.Errorf("response = %+v", resp)
	}
	if resp := r(abi.HTTPRequest{Method: "GET", URL: "https://api.example.com/missing"}); resp.Status != 404 {
		t.Errorf("unrouted request: status %d, want 404", resp.Status)
	}
}

func TestCallRoundTripsJSON(t *testing.T) {
	var got map[string]any
	p := pdk.Plugin{Name: "p", Provider: "example", Tools: []pdk.Tool{{Name: "t", Handler: func(c *pdk.Call) (any, error) {
		if err := c.Args(&got); err != nil {
			return nil, err
		}
		return struct {
			N int `json:"n"`
		}{7}, nil
	}}}}
	res := NewHost(p, nil).Call(t, "t", struct {
		Limit int `json:"limit"`
	}{3})
	if !reflect.DeepEqual(got, map[string]any{"limit": 3.0}) {
		t.Errorf("arguments = %#v, want JSON-decoded {limit: 3.0}", got)
	}
	if !reflect.DeepEqual(res, abi.CallResult{Content: map[string]any{"n": 7.0}}) {
		t.Errorf("result = %+v", res)
	}
}
