// Command membomb is a hostile test guest that allocates memory until it
// fails: on the Go heap (the runtime dies of "out of memory"), or in the
// Extism kernel's memory (allocation returns 0 once it is full, and the
// guest's own output then has nowhere to go). The host's memory cap must
// hold, and an instance whose call failed be discarded.
package main

import (
	"github.com/wasmcp/wasmcp/pdk"
)

//go:wasmimport extism:host/env alloc
func kernelAlloc(n uint64) uint64

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-membomb",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_membomb",
			Description: "Allocates memory until allocation fails, on the heap or in kernel memory.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"where": map[string]any{"type": "string", "enum": []any{"heap", "kernel"}},
				},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

// hoard keeps every allocation alive.
var hoard [][]byte

func run(c *pdk.Call) (any, error) {
	var a struct {
		Where string `json:"where"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	if a.Where == "kernel" {
		// Big blocks first, then ever smaller ones, until not even 8
		// bytes are left: the kit's own output then has nowhere to go.
		blocks, total := 0, uint64(0)
		for _, size := range []uint64{1 << 20, 4 << 10, 64, 8} {
			for kernelAlloc(size) != 0 {
				blocks++
				total += size
			}
		}
		return map[string]any{"kernel_blocks": blocks, "kernel_bytes": total}, nil
	}
	for {
		b := make([]byte, 1<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		hoard = append(hoard, b)
	}
}

func main() {}
