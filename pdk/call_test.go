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

type args struct {
	Limit *int   `json:"limit"`
	Name  string `json:"name"`
}

func TestArgs(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want args
		err  string
	}{
		{"none", nil, args{}, ""},
		{"empty", map[string]any{}, args{}, ""},
		{"fields", map[string]any{"limit": 5, "name": "x"}, args{Limit: ptr(5), Name: "x"}, ""},
		{"unknown", map[string]any{"other": 1}, args{}, `invalid arguments for tool "t": json: unknown field "other"`},
		{"fraction", map[string]any{"limit": 2.5}, args{}, `invalid arguments for tool "t": json: cannot unmarshal number 2.5 into Go struct field args.limit of type int`},
		{"wrong type", map[string]any{"name": 1}, args{}, `invalid arguments for tool "t": json: cannot unmarshal number into Go struct field args.name of type string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got args
			var err error
			p := testPlugin(func(c *pdk.Call) (any, error) { err = c.Args(&got); return nil, nil })
			pdktest.NewHost(p, nil).Call(t, "t", tt.in)
			if s := errText(err); s != tt.err {
				t.Fatalf("Args() error = %q, want %q", s, tt.err)
			}
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Args() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

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
	if want := "the HTTP request failed (host_not_allowed): the plugin did not declare a host for https://elsewhere.example.com/"; res.Message != want {
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
