// Command versioned is a test guest for hot replacement of a plugin by a
// newer version of itself. Its version is set at build time
// (-ldflags "-X main.version=N"), so one source gives every version, and
// its one tool, which_version, answers {"version": N}: which version served
// the call. With hold set, the call first GETs /hold of the GitHub API, which
// the test's fake holds open, so the call stays in flight, on this version,
// for as long as the test wants.
package main

import (
	"github.com/wasmcp/wasmcp/pdk"
)

// version is the plugin's version; the Makefile's build leaves it at "0".
var version = "0"

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "versioned",
		Version:  version,
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "which_version",
			Description: "Answers the version of the plugin that served the call; with hold, waits on the API first.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"hold": map[string]any{"type": "boolean"},
				},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

func run(c *pdk.Call) (any, error) {
	var a struct {
		Hold bool `json:"hold"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	if a.Hold {
		resp, err := c.HTTP(pdk.Request{URL: "https://api.github.com/hold"})
		if err != nil {
			return nil, err
		}
		if err := pdk.CheckStatus("GitHub", resp); err != nil {
			return nil, err
		}
	}
	return map[string]any{"version": version}, nil
}

func main() {}
