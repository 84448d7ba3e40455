// Command echo is a test guest that calls an API which echoes the request
// back, headers included, in its body and its response headers. The
// Authorization the host added must come back as [REDACTED], in every
// spelling the host knows. It also spends its request budget (times) and
// reads large bodies (path), for the limit tests.
package main

import (
	"github.com/wasmcp/wasmcp/pdk"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-echo",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_echo",
			Description: "GETs path (default /echo) times times and returns every answer.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"path":  map[string]any{"type": "string"},
					"times": map[string]any{"type": "integer", "minimum": 1, "maximum": 1000},
				},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

// answer is one response, or the host's error.
type answer struct {
	Status  int               `json:"status,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	Error   string            `json:"error,omitempty"`
}

func run(c *pdk.Call) (any, error) {
	a := struct {
		Path  string `json:"path"`
		Times int    `json:"times"`
	}{Path: "/echo", Times: 1}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	var answers []answer
	for range a.Times {
		resp, err := c.HTTP(pdk.Request{URL: "https://api.github.com" + a.Path, Headers: map[string]string{"X-Guest": "echo"}})
		if err != nil {
			answers = append(answers, answer{Error: err.Error()})
			continue
		}
		answers = append(answers, answer{Status: resp.Status, Headers: resp.Headers, Body: resp.Body})
	}
	return map[string]any{"answers": answers}, nil
}

func main() {}
