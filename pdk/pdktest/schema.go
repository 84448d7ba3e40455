package pdktest

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/toolschema"
	"github.com/wasmcp/wasmcp/pdk"
)

// The schemas of a plugin's tools, compiled and applied by package
// toolschema, the host's own code: a schema the host would refuse at load
// fails the test, and arguments and results are checked as the host checks
// them on every call.

// Check fails t unless the host would accept p's tool schemas: each input
// and output schema compiles with the host's validator (a bad regex, a
// "type" that JSON Schema does not have, a "minimum" that is not a number
// are refused) and is an object schema. Call checks the same; Check is for
// a test of the plugin's descriptor.
func Check(t testing.TB, p pdk.Plugin) {
	t.Helper()
	if _, err := compileSchemas(p); err != nil {
		t.Fatalf("pdktest: %v", err)
	}
}

// compileSchemas compiles the schemas of p's tools as the host does when it
// loads p: from its descriptor as the describe export encodes it.
func compileSchemas(p pdk.Plugin) (map[string]toolschema.Tool, error) {
	b, err := json.Marshal(p.Descriptor())
	if err != nil {
		return nil, fmt.Errorf("plugin %q: the descriptor cannot be encoded: %v", p.Name, err)
	}
	var d abi.Descriptor
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("plugin %q: the descriptor cannot be decoded: %v", p.Name, err)
	}
	schemas := make(map[string]toolschema.Tool, len(d.Tools))
	for _, tool := range d.Tools {
		s, err := toolschema.CompileTool(tool)
		if err != nil {
			return nil, fmt.Errorf("the host would not load plugin %q: %v", p.Name, err)
		}
		schemas[tool.Name] = s
	}
	return schemas, nil
}

// schemasOf returns the compiled schemas of h's plugin, failing t if the
// host would refuse them.
func (h *Host) schemasOf(t testing.TB) map[string]toolschema.Tool {
	t.Helper()
	schemas, err := h.schemas()
	if err != nil {
		t.Fatalf("pdktest: %v", err)
	}
	return schemas
}

// checkArgs is the host's refusal of req's arguments, or nil when they
// match the tool's input schema (or the plugin has no such tool, which the
// plugin itself then reports).
func checkArgs(s toolschema.Tool, req abi.CallRequest) *abi.CallResult {
	if s.In == nil {
		return nil
	}
	if err := s.In.Validate(req.Arguments); err != nil {
		return &abi.CallResult{IsError: true, Message: toolschema.ArgsRefusal(req.Tool, err)}
	}
	return nil
}

// checkResult is the host's refusal of res, a result of tool, or nil when
// it is an error or matches the tool's output schema: it is checked, as
// the host checks it, as the JSON sent, an absent content being {}.
func checkResult(t testing.TB, plugin string, s toolschema.Tool, tool string, res abi.CallResult) *abi.CallResult {
	t.Helper()
	if s.Out == nil || res.IsError {
		return nil
	}
	content := res.Content
	if content == nil {
		content = map[string]any{}
	}
	b, err := json.Marshal(content)
	if err != nil {
		t.Fatalf("pdktest: encoding the content: %v", err)
	}
	if err := s.Out.ValidateJSON(b); err != nil {
		return &abi.CallResult{IsError: true, Message: toolschema.ResultRefusal(plugin, tool, err)}
	}
	return nil
}
