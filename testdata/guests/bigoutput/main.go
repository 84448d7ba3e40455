// Command bigoutput is a hostile test guest that answers with a huge result
// (50 MiB unless told otherwise). The host must refuse a result above its
// output limit, or survive the guest dying of it, and discard the instance.
package main

import (
	"strings"

	"github.com/wasmcp/wasmcp/pdk"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-bigoutput",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_bigoutput",
			Description: "Returns a result of the given size in bytes (default 50 MiB).",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"bytes": map[string]any{"type": "integer", "minimum": 0},
				},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

func run(c *pdk.Call) (any, error) {
	a := struct {
		Bytes *int `json:"bytes"`
	}{}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	n := 50 << 20
	if a.Bytes != nil {
		n = *a.Bytes
	}
	return map[string]any{"data": strings.Repeat("A", n)}, nil
}

func main() {}
