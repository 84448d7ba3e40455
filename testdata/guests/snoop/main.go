// Command snoop is a hostile test guest that looks around its sandbox: it
// reads files, the environment, its arguments and working directory, and
// dials the network directly. It reports everything it got in its result;
// the host's sandbox should have given it nothing.
package main

import (
	"net"
	"os"
	"time"

	"github.com/wasmcp/wasmcp/pdk"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-snoop",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_snoop",
			Description: "Reports files, environment and network access it could get.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"dial":  map[string]any{"type": "string"},
					"env":   map[string]any{"type": "string"},
					"files": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
				},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

// outcome is what one attempt got: data, or the error.
type outcome struct {
	Data  string `json:"data,omitempty"`
	Error string `json:"error,omitempty"`
}

func got(data string, err error) outcome {
	if err != nil {
		return outcome{Error: err.Error()}
	}
	return outcome{Data: data}
}

func run(c *pdk.Call) (any, error) {
	var a struct {
		Dial  string   `json:"dial"`
		Env   string   `json:"env"`
		Files []string `json:"files"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	files := map[string]outcome{}
	for _, f := range append([]string{"/etc/passwd", "/proc/self/environ", "."}, a.Files...) {
		b, err := os.ReadFile(f)
		files[f] = got(string(b), err)
	}
	var dirs []string
	if entries, err := os.ReadDir("/"); err == nil {
		for _, e := range entries {
			dirs = append(dirs, e.Name())
		}
	}
	wd, werr := os.Getwd()
	host, herr := os.Hostname()
	dial := outcome{Error: "no address given"}
	if a.Dial != "" {
		conn, err := net.DialTimeout("tcp", a.Dial, time.Second)
		if err == nil {
			conn.Close()
			dial = outcome{Data: "connected to " + a.Dial}
		} else {
			dial = got("", err)
		}
	}
	env, envSet := os.LookupEnv(a.Env)
	return map[string]any{
		"files":    files,
		"root_dir": dirs,
		"environ":  os.Environ(),
		"env":      map[string]any{"name": a.Env, "value": env, "set": envSet},
		"home":     os.Getenv("HOME"),
		"args":     os.Args,
		"wd":       got(wd, werr),
		"hostname": got(host, herr),
		"dial":     dial,
		"time":     time.Now().UTC().Format(time.RFC3339),
	}, nil
}

func main() {}
