package pdk

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
)

// Request is an HTTP request a tool asks the host to perform.
type Request struct {
	// Method is the HTTP method; "" means GET.
	Method string
	// URL is absolute and must lie under one of the plugin's Hosts. The
	// host refuses userinfo (user:pw@) and "." or ".." path segments, also
	// escaped ("%2e%2e", "a%2F..%2Fb"); build paths with Path.
	URL string
	// Headers to send. The host refuses those it sets or owns, in any
	// case: Authorization, Proxy-Authorization, Cookie and Cookie2 (it adds
	// the provider's token itself), Host, Connection, Keep-Alive, TE,
	// Trailer, Transfer-Encoding, Upgrade, Content-Length, Accept-Encoding
	// (bodies come back decoded), Range and If-Range (bodies come back
	// whole), and any Proxy-* header.
	Headers map[string]string
	// Body is sent as is.
	Body string
	// Select, when set, asks the host to cut a 2xx JSON answer down
	// natively before it reaches the plugin: a GJSON path (see
	// abi.HTTPRequest.Select), e.g. "#.{full_name,owner:owner.login}".
	// Decoding a few kilobytes in the guest costs far less than decoding the
	// whole document. Response.Selected says whether it was applied.
	Select string
}

// Response is the host's answer to a Request that was performed. Any status,
// 2xx or not, is a Response; see CheckStatus.
type Response struct {
	Status int
	// Headers of the response, repeated ones joined with ", ". Look them up
	// with Header, which ignores case.
	Headers map[string]string
	Body    string
	// Selected reports that Body is the host's selection of the API's
	// answer (see Request.Select).
	Selected bool
}

// Header returns the value of the response header name, matched without
// regard to case, or "".
func (r *Response) Header(name string) string {
	if v, ok := r.Headers[name]; ok {
		return v
	}
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// OK reports whether the status is 2xx.
func (r *Response) OK() bool { return r.Status >= 200 && r.Status <= 299 }

// JSON decodes the body into v. The error names the status and says the body
// was not the JSON expected, without quoting it.
func (r *Response) JSON(v any) error {
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		return fmt.Errorf("the API answered %d with a body that is not the JSON expected: %v", r.Status, err)
	}
	return nil
}

// HostError is the error of Call.HTTP when the host did not perform the
// request or it did not complete: a malformed request (abi.ErrBadRequest),
// an undeclared host (abi.ErrHostNotAllowed), a header the host owns
// (abi.ErrHeaderNotAllowed), a spent request budget
// (abi.ErrTooManyRequests), an oversized response
// (abi.ErrResponseTooLarge), or a network failure, redirect loop or
// response encoding the host does not decode (abi.ErrTransport).
type HostError struct {
	// Code is one of the abi.Err* codes.
	Code string
	// Message is the host's explanation.
	Message string
}

func (e *HostError) Error() string {
	if e.Message == "" {
		return "the HTTP request failed (" + e.Code + ")"
	}
	return "the HTTP request failed (" + e.Code + "): " + e.Message
}

// HTTP asks the host to perform req and returns its response. The error is a
// *HostError when the host refused or could not complete the request; an
// HTTP error status is not an error here (see CheckStatus).
func (c *Call) HTTP(req Request) (*Response, error) {
	method := req.Method
	if method == "" {
		method = "GET"
	}
	resp := c.host.HTTPRequest(abi.HTTPRequest{
		Method:  method,
		URL:     req.URL,
		Headers: maps.Clone(req.Headers),
		Body:    req.Body,
		Select:  req.Select,
	})
	if resp.Error != "" {
		return nil, &HostError{Code: resp.Error, Message: resp.ErrorMessage}
	}
	return &Response{Status: resp.Status, Headers: resp.Headers, Body: resp.Body, Selected: resp.Selected}, nil
}
