// Command panic is a hostile test guest that panics: in its handler (the
// kit recovers it, logs the stack and fails the call with the panic's
// message, which may be huge) or in a goroutine of its own (nothing can
// recover it: the Go runtime exits). Either way the host answers with a
// tool error of bounded size and discards the instance.
package main

import (
	"runtime"
	"strings"

	"github.com/wasmcp/wasmcp/pdk"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-panic",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_panic",
			Description: "Panics in the handler, in a goroutine, or in the handler with a 2 MiB message.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"where": map[string]any{"type": "string", "enum": []any{"handler", "goroutine", "huge"}},
				},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

func run(c *pdk.Call) (any, error) {
	var a struct {
		Where string `json:"where"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	if a.Where == "huge" {
		// The kit recovers it and makes the message the call's error: an
		// error as big as the result the output limit would refuse.
		panic(strings.Repeat("P", 2<<20))
	}
	if a.Where == "goroutine" {
		go func() { panic("hostile panic in a goroutine") }()
		for {
			runtime.Gosched()
		}
	}
	panic("hostile panic in the handler")
}

func main() {}
