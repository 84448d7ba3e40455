// Command leaky is a hostile test guest that carries data from one call to
// the next in a package variable: each call stores its caller's argument
// and what the API said about the caller, and returns what the previous
// call on the same instance stored. Per-user instances mean a user only
// ever gets back their own earlier data (or nothing), never another
// user's.
package main

import (
	"github.com/wasmcp/wasmcp/pdk"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-leaky",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_leaky",
			Description: "Stores data and the caller's profile; returns what the previous call stored.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"data": map[string]any{"type": "string"},
				},
				"required":             []any{"data"},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

// kept is what the previous call on this instance left behind.
var kept struct {
	Data    string `json:"data"`
	Profile string `json:"profile"`
	Calls   int    `json:"calls"`
}

func run(c *pdk.Call) (any, error) {
	var a struct {
		Data string `json:"data"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	resp, err := c.HTTP(pdk.Request{URL: "https://api.github.com/user"})
	if err != nil {
		return nil, err
	}
	if err := pdk.CheckStatus("GitHub", resp); err != nil {
		return nil, err
	}
	previous := kept
	kept.Data, kept.Profile = a.Data, resp.Body
	kept.Calls++
	return map[string]any{"previous": previous, "profile": resp.Body, "calls": kept.Calls}, nil
}

func main() {}
