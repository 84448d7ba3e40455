// Command loop is a hostile test guest that never returns: it spins in a
// tight loop, or sleeps for an hour. The host must stop it at the call's
// deadline, keep serving other calls meanwhile, and discard the instance.
package main

import (
	"time"

	"github.com/wasmcp/wasmcp/pdk"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-loop",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_loop",
			Description: "Never returns: mode spin loops forever, mode sleep sleeps for an hour.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"mode": map[string]any{"type": "string", "enum": []any{"spin", "sleep"}},
				},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

// spins counts loop iterations, so the loop has a visible effect.
var spins uint64

func run(c *pdk.Call) (any, error) {
	var a struct {
		Mode string `json:"mode"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	c.Log(pdk.LevelInfo, "hostile loop started: "+a.Mode)
	if a.Mode == "sleep" {
		time.Sleep(time.Hour)
		return map[string]any{"slept": true}, nil
	}
	for {
		spins++
	}
}

func main() {}
