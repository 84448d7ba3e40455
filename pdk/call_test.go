package pdk_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// testPlugin returns a plugin with one tool that runs h.
func testPlugin(h pdk.Handler) pdk.Plugin {
	return pdk.Plugin{
		Name: "test", Provider: "example", Hosts: []string{"https://api.example.com"},
		Tools: []pdk.Tool{{Name: "t", Handler: h}},
	}
}

func TestHandleUnknownTool(t *testing.T) {
	res := pdktest.NewHost(testPlugin(nil), nil).Call(t, "nope", nil)
	want := abi.CallResult{IsError: true, Message: `plugin "test" has no tool named "nope"`}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("result = %+v, want %+v", res, want)
	}
}

func TestHandleErrorsBecomeResults(t *testing.T) {
	for _, err := range []error{errors.New("plain"), &pdk.StatusError{Status: 404}, &pdk.HostError{Code: abi.ErrTransport}} {
		p := testPlugin(func(*pdk.Call) (any, error) { return map[string]any{"ignored": true}, err })
		res := pdktest.NewHost(p, nil).Call(t, "t", nil)
		want := abi.CallResult{IsError: true, Message: err.Error()}
		if !reflect.DeepEqual(res, want) {
			t.Errorf("result = %+v, want %+v", res, want)
		}
	}
}

func TestHandleResultEncoding(t *testing.T) {
	p := testPlugin(func(*pdk.Call) (any, error) { return []string{"a"}, nil })
	res := pdktest.NewHost(p, nil).Call(t, "t", nil)
	want := abi.CallResult{Content: map[string]any{"result": []any{"a"}}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("result = %+v, want %+v", res, want)
	}

	p = testPlugin(func(*pdk.Call) (any, error) { return func() {}, nil })
	res = pdktest.NewHost(p, nil).Call(t, "t", nil)
	if !res.IsError || !strings.Contains(res.Message, `tool "t" returned a result that cannot be encoded as JSON`) {
		t.Errorf("result = %+v, want an encoding error", res)
	}
}

// Call.Args is tested in args_test.go, from inside the package: pdktest's
// Call checks arguments against the schema first, as the host does.

func TestHTTP(t *testing.T) {
	var got *pdk.Response
	p := testPlugin(func(c *pdk.Call) (any, error) {
		if c.Tool() != "t" {
			t.Errorf("Tool() = %q", c.Tool())
		}
		var err error
		got, err = c.HTTP(pdk.Request{URL: "https://api.example.com/v1/me", Headers: map[string]string{"Accept": "application/json"}})
		return nil, err
	})
	h := pdktest.NewHost(p, pdktest.Reply(200, map[string]string{"Content-Type": "application/json", "X-Ratelimit-Remaining": "5"}, `{"ok":true}`))
	if res := h.Call(t, "t", nil); res.IsError {
		t.Fatalf("result = %+v", res)
	}
	wantReq := []abi.HTTPRequest{{Method: "GET", URL: "https://api.example.com/v1/me", Headers: map[string]string{"Accept": "application/json"}}}
	if reqs := h.Requests(); !reflect.DeepEqual(reqs, wantReq) {
		t.Errorf("requests = %+v, want %+v", reqs, wantReq)
	}
	if !got.OK() || got.Body != `{"ok":true}` {
		t.Errorf("response = %+v", got)
	}
	if v := got.Header("x-ratelimit-remaining"); v != "5" {
		t.Errorf(`Header("x-ratelimit-remaining") = %q, want "5"`, v)
	}
	var body struct{ OK bool }
	if err := got.JSON(&body); err != nil || !body.OK {
		t.Errorf("JSON() = %v, %+v", err, body)
	}
	if err := (&pdk.Response{Status: 200, Body: "<html>"}).JSON(&body); err == nil || strings.Contains(err.Error(), "<html>") {
		t.Errorf("JSON(non-JSON) error = %v; want an error that does not quote the body", err)
	}
}

func TestHTTPHostError(t *testing.T) {
	var err error
	p := testPlugin(func(c *pdk.Call) (any, error) {
		_, err = c.HTTP(pdk.Request{Method: "POST", URL: "https://elsewhere.example.com/"})
		return nil, err
	})
	res := pdktest.NewHost(p, nil).Call(t, "t", nil)
	var he *pdk.HostError
	if !errors.As(err, &he) || he.Code != abi.ErrHostNotAllowed {
		t.Fatalf("HTTP() error = %#v, want a *HostError %s", err, abi.ErrHostNotAllowed)
	}
	if want := "the HTTP request failed (host_not_allowed): https://elsewhere.example.com is not under a host the plugin declared (declared: https://api.example.com)"; res.Message != want {
		t.Errorf("message = %q, want %q", res.Message, want)
	}
}

func TestLog(t *testing.T) {
	p := testPlugin(func(c *pdk.Call) (any, error) {
		c.Log(pdk.LevelWarn, "careful")
		return nil, nil
	})
	h := pdktest.NewHost(p, nil)
	h.Call(t, "t", nil)
	if got, want := h.Logs(), []abi.LogRecord{{Level: "warn", Message: "careful"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("logs = %+v, want %+v", got, want)
	}
}
