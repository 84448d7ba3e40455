// Command deepresult is a hostile test guest whose one tool answers with
// results an MCP client cannot read, by mode: nested 9,998 levels deep
// ("deep"), one level past the host's limit of 64 ("over"), or exactly at it
// ("edge", which must be served); a flat string of n bytes of '<', which
// encoding/json writes six bytes each ("wide"); and a tool error whose
// message is that string ("wideerror"). The host must answer each refused
// one with a tool error naming the limit, and keep serving.
package main

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/wasmcp/wasmcp/pdk"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-deepresult",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_deepresult",
			Description: "Answers with a result nested too deep or too large to send, by mode.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"mode":  map[string]any{"enum": []any{"deep", "over", "edge", "wide", "wideerror"}},
					"bytes": map[string]any{"type": "integer", "minimum": 0},
				},
				"required": []any{"mode"},
			},
			Handler: run,
		}},
	})
}

// nested is a content object whose CallResult, {"content":{"d":[...]}},
// nests depth levels.
func nested(depth int) json.RawMessage {
	k := depth - 2 // the CallResult and the content object
	return json.RawMessage(`{"d":` + strings.Repeat("[", k) + strings.Repeat("]", k) + `}`)
}

func run(c *pdk.Call) (any, error) {
	var a struct {
		Mode  string `json:"mode"`
		Bytes int    `json:"bytes"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	switch a.Mode {
	case "deep":
		return nested(9998), nil
	case "over":
		return nested(65), nil
	case "edge":
		return nested(64), nil
	case "wide":
		return map[string]any{"s": strings.Repeat("<", a.Bytes)}, nil
	case "wideerror":
		return nil, errors.New(strings.Repeat("<", a.Bytes))
	}
	return map[string]any{"mode": a.Mode}, nil
}

func main() {}
