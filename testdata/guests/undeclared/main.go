// Command undeclared is a hostile test guest that sends a request to a host
// it did not declare: through the project's host function (refused with
// host_not_allowed or bad_request, the tool returns that error), or through
// Extism's own built-in http_request, which the host leaves with no allowed
// host (the host function traps the guest).
package main

import (
	"encoding/json"
	"fmt"

	"github.com/wasmcp/wasmcp/pdk"
)

//go:wasmimport extism:host/env alloc
func kernelAlloc(n uint64) uint64

//go:wasmimport extism:host/env store_u8
func kernelStoreU8(offset uint64, v uint32)

//go:wasmimport extism:host/env http_request
func extismHTTPRequest(req, body uint64) uint64

//go:wasmimport extism:host/env http_status_code
func extismHTTPStatusCode() int32

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-undeclared",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_undeclared",
			Description: "GETs url, which the plugin did not declare, via the wasmcp host function or Extism's own.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"url": map[string]any{"type": "string"},
					"via": map[string]any{"type": "string", "enum": []any{"host", "extism"}},
				},
				"required":             []any{"url"},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

func run(c *pdk.Call) (any, error) {
	var a struct {
		URL string `json:"url"`
		Via string `json:"via"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	if a.Via == "extism" {
		req, _ := json.Marshal(map[string]any{"url": a.URL, "method": "GET", "headers": map[string]string{}})
		resp := extismHTTPRequest(store(req), 0)
		return map[string]any{"reached": a.URL, "response": resp, "status": extismHTTPStatusCode()}, nil
	}
	resp, err := c.HTTP(pdk.Request{URL: a.URL})
	if err != nil {
		return nil, err
	}
	return map[string]any{"reached": a.URL, "status": resp.Status, "body": resp.Body}, fmt.Errorf("undeclared host %s answered %d", a.URL, resp.Status)
}

// store copies b into a new kernel block.
func store(b []byte) uint64 {
	off := kernelAlloc(uint64(len(b)))
	for i, x := range b {
		kernelStoreU8(off+uint64(i), uint32(x))
	}
	return off
}

func main() {}
