package pdktest

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/reqrules/reqrulestest"
	"github.com/wasmcp/wasmcp/pdk"
)

var plugin = pdk.Plugin{Name: "p", Provider: "example", Hosts: reqrulestest.Hosts()}

// TestSharedRequestRules runs the table the host function runs too (see
// hostfuncs' TestSharedRequestRules): each request gets the table's error
// code, as in production, or reaches the Responder; every one is recorded.
func TestSharedRequestRules(t *testing.T) {
	for _, tc := range reqrulestest.Cases() {
		t.Run(tc.Name, func(t *testing.T) {
			h := NewHost(plugin, Reply(204, nil, ""))
			resp := h.HTTPRequest(tc.Request)
			if resp.Error != tc.Want {
				t.Errorf("error = %q (%s), want %q", resp.Error, resp.ErrorMessage, tc.Want)
			}
			if tc.Want == "" && resp.Status != 204 {
				t.Errorf("status = %d, want the Responder's 204", resp.Status)
			}
			if got := h.Requests(); !reflect.DeepEqual(got, []abi.HTTPRequest{tc.Request}) {
				t.Errorf("recorded %+v", got)
			}
		})
	}
}

func TestRefusalMessages(t *testing.T) {
	h := NewHost(plugin, Reply(204, nil, ""))
	for _, tt := range []struct {
		req  abi.HTTPRequest
		want string
	}{
		{abi.HTTPRequest{URL: "https://evil.example.com/x"},
			"https://evil.example.com is not under a host the plugin declared (declared: https://api.example.com, https://other.example.com:8443/v2)"},
		{abi.HTTPRequest{URL: "https://api.example.com/", Headers: map[string]string{"range": "bytes=0-9"}},
			"header Range is not allowed: the host hands back whole bodies only"},
		{abi.HTTPRequest{URL: "https://api.example.com/a%2F..%2Fb"}, `bad URL: the path must not contain "." or ".." segments`},
	} {
		if resp := h.HTTPRequest(tt.req); resp.ErrorMessage != tt.want {
			t.Errorf("%s: message %q, want %q", tt.req.URL, resp.ErrorMessage, tt.want)
		}
	}
}

func TestDeclaredHostTheHostRefuses(t *testing.T) {
	p := pdk.Plugin{Name: "p", Provider: "example", Hosts: []string{"http://api.example.com"}}
	resp := NewHost(p, Reply(204, nil, "")).HTTPRequest(abi.HTTPRequest{URL: "http://api.example.com/"})
	if resp.Error != abi.ErrHostNotAllowed || !strings.Contains(resp.ErrorMessage, `declared host "http://api.example.com": must be https`) {
		t.Errorf("response = %+v", resp)
	}
	msg := recorded(t, func(tb testing.TB) { NewHost(p, nil).Call(tb, "t", nil) })
	if want := `pdktest: the host would not load plugin "p": declared host "http://api.example.com": must be https`; msg != want {
		t.Errorf("Call failed with %q, want %q", msg, want)
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
	open := map[string]any{"type": "object"} // any arguments
	p := pdk.Plugin{Name: "p", Provider: "example", Tools: []pdk.Tool{{Name: "t", InputSchema: open, Handler: func(c *pdk.Call) (any, error) {
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
