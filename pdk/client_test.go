package pdk_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

var testAPI = pdk.NewClient("Example", "https://api.example.com/", pdk.WithHeaders(map[string]string{
	"Accept": "application/json", "User-Agent": "test/1",
}))

// runClient runs f as the Handler of a tool, against a fake host answering
// with r, and returns the host and f's error.
func runClient(t *testing.T, r pdktest.Responder, f func(c *pdk.Call) error) (*pdktest.Host, error) {
	t.Helper()
	var err error
	h := pdktest.NewHost(testPlugin(func(c *pdk.Call) (any, error) { err = f(c); return nil, nil }), r)
	h.Call(t, "t", nil)
	return h, err
}

func TestClientGet(t *testing.T) {
	var got struct {
		Login string `json:"login"`
		ID    int    `json:"id"`
	}
	var resp *pdk.Response
	h, err := runClient(t, pdktest.Reply(200, map[string]string{"Link": `<https://api.example.com/u?page=2>; rel="next"`}, `{"login":"octo","id":7,"x":1}`),
		func(c *pdk.Call) (err error) {
			resp, err = testAPI.Get(c, "/users/octo", &got, pdk.Query(url.Values{"b": {"2"}, "a": {"x y"}}), pdk.Select("{login,id}"))
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	want := []abi.HTTPRequest{{Method: "GET", URL: "https://api.example.com/users/octo?a=x+y&b=2",
		Headers: map[string]string{"Accept": "application/json", "User-Agent": "test/1"}, Select: "{login,id}"}}
	if reqs := h.Requests(); !reflect.DeepEqual(reqs, want) {
		t.Errorf("requests = %+v, want %+v", reqs, want)
	}
	if got.Login != "octo" || got.ID != 7 || !resp.Selected || resp.NextPage("page") != 2 {
		t.Errorf("decoded %+v, response %+v", got, resp)
	}
}

func TestClientGetRaw(t *testing.T) {
	var raw json.RawMessage
	_, err := runClient(t, pdktest.Reply(200, nil, `{"login":"octo","id":7}`), func(c *pdk.Call) error {
		_, err := testAPI.Get(c, "/user", &raw, pdk.Select("{login}"))
		return err
	})
	if err != nil || string(raw) != `{"login":"octo"}` {
		t.Errorf("raw = %s, %v", raw, err)
	}
	var typed pdk.Raw[struct {
		Login string `json:"login"`
	}]
	_, err = runClient(t, pdktest.Reply(200, nil, `{"login":"octo","id":7}`), func(c *pdk.Call) error {
		_, err := testAPI.Get(c, "/user", &typed, pdk.Select("{login}"))
		return err
	})
	if err != nil || string(typed) != `{"login":"octo"}` {
		t.Errorf("Raw[T] = %s, %v", typed, err)
	}
}

// TestClientErrors: every failure is an error written for the model, and a
// body that is not JSON is never quoted.
func TestClientErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		r    pdktest.Responder
		opts []pdk.RequestOption
		out  any
		want string
	}{
		{"status", pdktest.Reply(404, nil, `{"message":"Not Found"}`), nil, nil, "Example API returned 404 Not Found"},
		{"host failure", nil, nil, nil, "the HTTP request failed (transport)"},
		{"select on HTML", pdktest.Reply(200, nil, "<html>"), []pdk.RequestOption{pdk.Select("{a}")}, nil,
			"Example answered 200 with a body that is not the JSON expected"},
		{"decode HTML", pdktest.Reply(200, nil, "<html>"), nil, &map[string]any{},
			"Example answered 200 with a body that is not the JSON expected: invalid character"},
		{"raw HTML", pdktest.Reply(200, nil, "<html>"), nil, new(json.RawMessage),
			"Example answered 200 with a body that is not the JSON expected"},
	} {
		_, err := runClient(t, tt.r, func(c *pdk.Call) error {
			_, err := testAPI.Get(c, "/x", tt.out, tt.opts...)
			return err
		})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "<html>") {
			t.Errorf("%s: error %v, want one starting %q", tt.name, err, tt.want)
		}
	}
	var se *pdk.StatusError
	_, err := runClient(t, pdktest.Reply(500, nil, ""), func(c *pdk.Call) error { _, err := testAPI.Get(c, "/x", nil); return err })
	if !errors.As(err, &se) || se.Status != 500 {
		t.Errorf("error %#v, want a *StatusError", err)
	}
	_, err = runClient(t, pdktest.Reply(200, nil, "{}"), func(c *pdk.Call) error { _, err := testAPI.Get(c, "x", nil); return err })
	if err == nil || !strings.Contains(err.Error(), `does not start with "/"`) {
		t.Errorf("relative path: error %v", err)
	}
}

func TestClientPost(t *testing.T) {
	var got struct {
		ID int `json:"id"`
	}
	h, err := runClient(t, pdktest.Reply(201, nil, `{"id":3}`), func(c *pdk.Call) error {
		_, err := testAPI.Post(c, "/items", map[string]any{"title": "t"}, &got)
		return err
	})
	want := abi.HTTPRequest{Method: "POST", URL: "https://api.example.com/items", Body: `{"title":"t"}`,
		Headers: map[string]string{"Accept": "application/json", "User-Agent": "test/1", "Content-Type": "application/json"}}
	if err != nil || got.ID != 3 || !reflect.DeepEqual(h.Requests(), []abi.HTTPRequest{want}) {
		t.Errorf("error %v, decoded %+v, requests %+v", err, got, h.Requests())
	}

	custom := pdk.NewClient("Example", "https://api.example.com", pdk.WithHeaders(map[string]string{"content-type": "application/vnd.x+json"}))
	h, _ = runClient(t, pdktest.Reply(204, nil, ""), func(c *pdk.Call) error {
		_, err := custom.Post(c, "/items", nil, nil)
		return err
	})
	if r := h.Requests()[0]; r.Body != "" || !reflect.DeepEqual(r.Headers, map[string]string{"content-type": "application/vnd.x+json"}) {
		t.Errorf("request %+v: want no body and the client's own Content-Type", r)
	}
}

func TestNewClientRefusesBadBases(t *testing.T) {
	for _, base := range []string{"http://api.example.com", "api.example.com", "https://user@api.example.com", "https://api.example.com/?q", "https://api.example.com/a/../b"} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("NewClient(%q) did not panic", base)
				}
			}()
			pdk.NewClient("Example", base)
		}()
	}
}
