package pdk

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"strings"

	"github.com/wasmcp/wasmcp/internal/reqrules"
)

// Client sends a plugin's requests to one API: its base URL, the headers
// every request carries, and the API's name in error messages. It is
// immutable and holds nothing between calls; make one per API, in a package
// variable:
//
//	var api = pdk.NewClient("GitHub", "https://api.github.com",
//		pdk.WithHeaders(map[string]string{"Accept": "application/vnd.github+json"}))
//
//	func getUser(c *pdk.Call) (any, error) {
//		var u user
//		if _, err := api.Get(c, "/user", &u, pdk.Select(pdk.SelectOf(u))); err != nil {
//			return nil, err
//		}
//		return u, nil
//	}
//
// Build paths that hold arguments with Path.
type Client struct {
	service string
	base    string
	headers map[string]string
}

// ClientOption configures NewClient.
type ClientOption func(*Client)

// WithHeaders adds headers to every request of the client (a copy of h is
// kept). The host refuses some (see Request.Headers).
func WithHeaders(h map[string]string) ClientOption {
	h = maps.Clone(h)
	return func(cl *Client) {
		if cl.headers == nil {
			cl.headers = map[string]string{}
		}
		maps.Copy(cl.headers, h)
	}
}

// NewClient returns a client for the API at base, one of the plugin's
// Hosts ("https://api.github.com"), that names it service in its errors
// ("GitHub", as CheckStatus does). It panics if base is not a base URL the
// host accepts (https, no query, no userinfo): in a Wasm build the panic
// traps initialization, so the plugin fails to load, and a native test
// binary stops before its tests start.
func NewClient(service, base string, opts ...ClientOption) *Client {
	if _, err := reqrules.ParseDeclared(base); err != nil {
		panic(fmt.Sprintf("pdk: NewClient(%q, %q): %v", service, base, err))
	}
	cl := &Client{service: service, base: strings.TrimRight(base, "/")}
	for _, o := range opts {
		o(cl)
	}
	return cl
}

// RequestOption adjusts one request of a Client.
type RequestOption func(*requestOptions)

type requestOptions struct {
	query url.Values
	sel   string
}

// Query sends q as the request's query string, encoded (url.Values.Encode:
// sorted by key).
func Query(q url.Values) RequestOption {
	return func(o *requestOptions) { o.query = q }
}

// Select asks the host to cut the 2xx JSON answer down to the GJSON path
// sel before the plugin sees it (see Request.Select; SelectOf derives sel
// from a type). A 2xx answer the host could not select from, not being
// JSON, is then an error.
func Select(sel string) RequestOption {
	return func(o *requestOptions) { o.sel = sel }
}

// Get sends GET base+path, path an escaped path starting with "/" (a
// constant, or from Path), and checks the answer. A request the host refused
// or could not complete is a *HostError; a status other than 2xx is a
// *StatusError (CheckStatus), whose text is written for the model.
//
// When out is not nil, the 2xx JSON answer is decoded into it; a
// *json.RawMessage or a *Raw[T] receives the body as it is, undecoded, for a
// tool that returns what it selected. The Response is returned too, for its
// headers (NextPage).
func (cl *Client) Get(c *Call, path string, out any, opts ...RequestOption) (*Response, error) {
	return cl.send(c, "GET", path, "", out, opts)
}

// Post sends POST base+path with body encoded as JSON (Content-Type
// application/json, unless the client's headers set another), or with no
// body when body is nil, and checks and decodes the answer as Get does.
func (cl *Client) Post(c *Call, path string, body, out any, opts ...RequestOption) (*Response, error) {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encoding the request to %s: %v", cl.service, err)
		}
	}
	return cl.send(c, "POST", path, string(b), out, opts)
}

func (cl *Client) send(c *Call, method, path, body string, out any, opts []RequestOption) (*Response, error) {
	var o requestOptions
	for _, opt := range opts {
		opt(&o)
	}
	if path != "" && path[0] != '/' {
		return nil, fmt.Errorf("pdk: the path %q of a %s request does not start with \"/\"", path, cl.service)
	}
	u := cl.base + path
	if len(o.query) > 0 {
		u += "?" + o.query.Encode()
	}
	headers := cl.headers
	if body != "" && !hasHeader(headers, "Content-Type") {
		headers = maps.Clone(headers)
		if headers == nil {
			headers = map[string]string{}
		}
		headers["Content-Type"] = "application/json"
	}
	resp, err := c.HTTP(Request{Method: method, URL: u, Headers: headers, Body: body, Select: o.sel})
	if err != nil {
		return nil, err
	}
	if err := CheckStatus(cl.service, resp); err != nil {
		return nil, err
	}
	if o.sel != "" && !resp.Selected {
		return nil, cl.notJSON(resp, nil)
	}
	if out != nil {
		if err := cl.decode(resp, out); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// decode puts resp's JSON body into out.
func (cl *Client) decode(resp *Response, out any) error {
	if raw, ok := rawSink(out); ok {
		// A selection is JSON the host made; anything else is checked.
		if !resp.Selected && !json.Valid([]byte(resp.Body)) {
			return cl.notJSON(resp, nil)
		}
		raw.SetBytes(resp.Raw())
		return nil
	}
	if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
		return cl.notJSON(resp, err)
	}
	return nil
}

// notJSON is the error of a 2xx answer that is not the JSON expected; it
// never quotes the body.
func (cl *Client) notJSON(resp *Response, err error) error {
	if err == nil {
		return fmt.Errorf("%s answered %d with a body that is not the JSON expected", cl.service, resp.Status)
	}
	return fmt.Errorf("%s answered %d with a body that is not the JSON expected: %v", cl.service, resp.Status, err)
}

// rawSink returns the value out points to when it takes JSON as it is: a
// json.RawMessage, or a Raw[T].
func rawSink(out any) (reflect.Value, bool) {
	switch out.(type) {
	case *json.RawMessage, interface{ rawJSON() json.RawMessage }:
		if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Slice {
			return v.Elem(), true
		}
	}
	return reflect.Value{}, false
}

func hasHeader(h map[string]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}
