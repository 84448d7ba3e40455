package main

import (
	"testing"

	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// TestSchemas: the host accepts the tools' schemas, and every tool declares
// itself a read-only GET with an output schema that its results match
// (the other tests' calls are checked against it too).
func TestSchemas(t *testing.T) {
	pdktest.Check(t, plugin)
	for _, tool := range plugin.Descriptor().Tools {
		a := tool.Annotations
		if a == nil || a.Title == "" || a.ReadOnlyHint == nil || !*a.ReadOnlyHint || a.OpenWorldHint == nil || !*a.OpenWorldHint {
			t.Errorf("tool %s: annotations %+v, want a titled read-only open-world tool", tool.Name, a)
		}
		if tool.OutputSchema["type"] != "object" {
			t.Errorf("tool %s: output schema %v", tool.Name, tool.OutputSchema)
		}
	}
}
