// Command conformance is the test tools of the official MCP conformance
// suite (npm @modelcontextprotocol/conformance, server scenarios), as a
// plugin: `make conformance` serves it with `host serve --http` and runs the
// suite against it. It is a local plugin (no provider, no hosts), so its
// tools run without the _meta credentials the suite's client never sends.
// Names, arguments and answers are the suite's; see tools/conformance.
package main

import (
	"encoding/base64"
	"errors"
	"time"

	"github.com/wasmcp/wasmcp/pdk"
)

// A 1x1 red PNG, and 10 ms of silence as 8 kHz mono 16-bit PCM WAV.
const (
	redPixelPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
	silenceWAV  = "UklGRsQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YaAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

// step is the pause between the steps of the logging and progress tools,
// which the suite asks for ("~50ms") so that a client sees each
// notification while the call runs.
const step = 50 * time.Millisecond

func decode(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// tool is a tool of the suite: no arguments, blocks only (no output
// schema, no structured result), as the suite's answers are.
func tool(name, description string, run func(c *pdk.Call) error) pdk.Tool {
	return pdk.Tool{Name: name, Description: description, Handler: func(c *pdk.Call) (any, error) {
		if err := c.Args(&pdk.NoArgs{}); err != nil {
			return nil, err
		}
		return nil, run(c)
	}}
}

var tools = []pdk.Tool{
	tool("test_simple_text", "Returns one text block.", func(c *pdk.Call) error {
		c.Attach(pdk.Text("This is a simple text response for testing."))
		return nil
	}),
	tool("test_image_content", "Returns one image block: a 1x1 red PNG.", func(c *pdk.Call) error {
		c.Attach(pdk.Image("image/png", decode(redPixelPNG)))
		return nil
	}),
	tool("test_audio_content", "Returns one audio block: 10 ms of silence, WAV.", func(c *pdk.Call) error {
		c.Attach(pdk.Audio("audio/wav", decode(silenceWAV)))
		return nil
	}),
	tool("test_embedded_resource", "Returns one embedded text resource.", func(c *pdk.Call) error {
		c.Attach(pdk.EmbeddedText("test://embedded-resource", "text/plain", "This is an embedded resource content."))
		return nil
	}),
	tool("test_multiple_content_types", "Returns a text, an image and an embedded resource.", func(c *pdk.Call) error {
		c.Attach(
			pdk.Text("Multiple content types test:"),
			pdk.Image("image/png", decode(redPixelPNG)),
			pdk.EmbeddedText("test://mixed-content-resource", "application/json", `{"test":"data","value":123}`),
		)
		return nil
	}),
	tool("test_tool_with_logging", "Logs three records at info level, 50 ms apart.", func(c *pdk.Call) error {
		c.Log(pdk.LevelInfo, "Tool execution started")
		time.Sleep(step)
		c.Log(pdk.LevelInfo, "Tool processing data")
		time.Sleep(step)
		c.Log(pdk.LevelInfo, "Tool execution completed")
		c.Attach(pdk.Text("Tool with logging executed successfully"))
		return nil
	}),
	tool("test_error_handling", "Always fails, with a tool error.", func(c *pdk.Call) error {
		return errors.New("This tool intentionally returns an error for testing")
	}),
	tool("test_tool_with_progress", "Reports progress 0, 50 and 100 of 100, 50 ms apart.", func(c *pdk.Call) error {
		c.Progress(0, 100, "started")
		time.Sleep(step)
		c.Progress(50, 100, "halfway")
		time.Sleep(step)
		c.Progress(100, 100, "done")
		c.Attach(pdk.Text("Tool with progress executed successfully"))
		return nil
	}),
	{
		Name:        "json_schema_2020_12_tool",
		Description: "Tool with JSON Schema 2020-12 features",
		InputSchema: map[string]any{
			"$schema": "https://json-schema.org/draft/2020-12/schema",
			"type":    "object",
			"$defs": map[string]any{
				"address": map[string]any{
					"type": "object",
					"properties": map[string]any{
						"street": map[string]any{"type": "string"},
						"city":   map[string]any{"type": "string"},
					},
				},
			},
			"properties": map[string]any{
				"name":    map[string]any{"type": "string"},
				"address": map[string]any{"$ref": "#/$defs/address"},
			},
			"additionalProperties": false,
		},
		Handler: func(c *pdk.Call) (any, error) {
			c.Attach(pdk.Text("JSON Schema 2020-12 tool executed successfully"))
			return nil, nil
		},
	},
}

func init() {
	pdk.Register(pdk.Plugin{Name: "conformance", Version: "0.1.0", Tools: tools})
}

func main() {}
