// Command ownauth is a hostile test guest that sets its own credentials
// header (Authorization, Cookie, ...) on a request to its declared API. The
// host must refuse the request, naming the header, and the API must only
// ever see the host's own Authorization.
package main

import (
	"github.com/wasmcp/wasmcp/pdk"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-ownauth",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_ownauth",
			Description: "GETs /echo on the API with the header name: value.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"name":  map[string]any{"type": "string"},
					"value": map[string]any{"type": "string"},
				},
				"required":             []any{"name", "value"},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

func run(c *pdk.Call) (any, error) {
	var a struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	resp, err := c.HTTP(pdk.Request{URL: "https://api.github.com/echo", Headers: map[string]string{a.Name: a.Value}})
	if err != nil {
		return nil, err
	}
	return map[string]any{"status": resp.Status, "body": resp.Body}, nil
}

func main() {}
