// Command trap is a hostile test guest that makes its module fail in ways
// the Go runtime cannot recover: a Wasm trap (an indirect call through a
// forged function value, a load outside linear memory), a stack overflow,
// or an exit, with a failing status or with status 0 in the middle of a
// call. A nil dereference, which Go turns into a recoverable panic, is
// there for contrast, and mode none returns normally. The host answers each
// failure with a tool error and never reuses the instance.
package main

import (
	"os"
	"unsafe"

	"github.com/wasmcp/wasmcp/pdk"
	"github.com/wasmcp/wasmcp/testdata/guests/internal/rawkernel"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-trap",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_trap",
			Description: "Traps: unreachable (errortrap: after setting an Extism error), oob, recurse, nil, exit or exit0; none returns normally.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"mode": map[string]any{"type": "string", "enum": []any{"unreachable", "errortrap", "oob", "recurse", "nil", "exit", "exit0", "none"}},
				},
				"required":             []any{"mode"},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

// Package variables keep the compiler from seeing through the tricks.
var (
	bogusPC  uintptr = 0xdead_0000 // a function table index far past the end
	farAway  uintptr = 0xffff_ff00 // far past the memory cap
	nilPoint *struct{ x int }
	sink     int
)

func run(c *pdk.Call) (any, error) {
	var a struct {
		Mode string `json:"mode"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	switch a.Mode {
	case "errortrap":
		// An Extism error set before a trap, as a guest in another
		// language does when it aborts: the host keeps its text.
		rawkernel.Error("the widget is broken: code 42")
		fallthrough
	case "unreachable":
		// A func value points at a funcval whose first word is the code
		// pointer; Go's Wasm port calls it with call_indirect on the table
		// index it encodes, which is out of range: the module traps.
		fv := &struct{ fn uintptr }{bogusPC}
		var f func()
		*(*unsafe.Pointer)(unsafe.Pointer(&f)) = unsafe.Pointer(fv)
		f()
	case "oob":
		p := (*byte)(unsafe.Add(unsafe.Pointer(nil), farAway))
		sink = int(*p)
	case "recurse":
		sink = recurse(0)
	case "nil":
		sink = nilPoint.x
	case "exit":
		os.Exit(3)
	case "exit0":
		os.Exit(0)
	}
	return map[string]any{"survived": a.Mode}, nil
}

func recurse(n int) int {
	var buf [1024]byte
	buf[n%len(buf)] = byte(n)
	return recurse(n+1) + int(buf[(n+1)%len(buf)])
}

func main() {}
