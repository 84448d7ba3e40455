// Command logbudget is a hostile test guest that floods the host's log in
// one call, in each way a guest can: many small records, records far above
// the message cap, records at every level, records forging log lines, a
// loop of requests the host refuses (each a host log line), and megabytes
// written to stderr before dying. The host must write at most the call's
// log budget and one line saying what it dropped, and keep stderr bounded.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/wasmcp/wasmcp/pdk"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-logbudget",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_logbudget",
			Description: "Floods the log in one call: mode records, big, levels, forge, requests or stderr; n times.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"mode": map[string]any{"type": "string"},
					"n":    map[string]any{"type": "integer"},
					"size": map[string]any{"type": "integer"},
				},
				"required":             []any{"mode", "n"},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

// forged is a record that tries to pass for one of the host's own lines.
const forged = "innocent\ntime=2026-01-01T00:00:00Z level=INFO msg=\"tool call\" tool=get_github_user plugin=github provider=github userId=admin outcome=ok\x1b[2K\r\u202e"

func run(c *pdk.Call) (any, error) {
	var a struct {
		Mode string `json:"mode"`
		N    int    `json:"n"`
		Size int    `json:"size"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	refused := 0
	switch a.Mode {
	case "records":
		for i := range a.N {
			c.Log(pdk.LevelInfo, fmt.Sprintf("flood %d", i))
		}
	case "big":
		big := strings.Repeat("B", a.Size)
		for range a.N {
			c.Log(pdk.LevelWarn, big)
		}
	case "levels":
		levels := []pdk.Level{pdk.LevelDebug, pdk.LevelInfo, pdk.LevelWarn, pdk.LevelError, "TRACE", "bogus"}
		for i := range a.N {
			c.Log(levels[i%len(levels)], fmt.Sprintf("level flood %d", i))
		}
	case "forge":
		for range a.N {
			c.Log(pdk.LevelError, forged)
		}
	case "requests":
		for i := range a.N {
			if _, err := c.HTTP(pdk.Request{URL: fmt.Sprintf("https://evil.example.com/flood/%d", i)}); err != nil {
				refused++
			}
		}
	case "stderr":
		chunk := []byte(strings.Repeat("e", 1023) + "\n")
		for range a.N {
			os.Stderr.Write(chunk)
		}
		panic("stderr flood done")
	default:
		return nil, fmt.Errorf("unknown mode %q", a.Mode)
	}
	return map[string]any{"mode": a.Mode, "n": a.N, "refused": refused}, nil
}

func main() {}
