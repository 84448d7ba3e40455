package pdk

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Raw returns the body as JSON to return from a Handler as it is. With
// Request.Select the host has already cut the API's answer down natively,
// so a tool that returns what it selected decodes nothing in the guest:
//
//	resp, err := c.HTTP(pdk.Request{URL: u, Select: "{login,name}"})
//	...
//	return resp.Raw(), nil
//
// The host decodes and checks every result, so Raw does not.
func (r *Response) Raw() json.RawMessage { return json.RawMessage(r.Body) }

// AppendField returns the JSON object obj with "key": v added at its end.
// obj must not have key already (JSON objects with a repeated key are
// ambiguous). It is how a tool adds what it computed, such as a next page,
// to a selection it returns as Raw.
func AppendField(obj json.RawMessage, key string, v any) (json.RawMessage, error) {
	obj = bytes.TrimSpace(obj)
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return nil, errors.New("pdk: AppendField needs a JSON object")
	}
	k, err := json.Marshal(key)
	if err != nil {
		return nil, err
	}
	val, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(obj)+len(k)+len(val)+2)
	out = append(out, obj[:len(obj)-1]...)
	if len(bytes.TrimSpace(obj[1:len(obj)-1])) > 0 {
		out = append(out, ',')
	}
	out = append(out, k...)
	out = append(out, ':')
	out = append(out, val...)
	return append(out, '}'), nil
}
