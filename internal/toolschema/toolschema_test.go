package toolschema

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

func obj(props string) map[string]any {
	return map[string]any{"type": "object", "properties": map[string]any{"x": mustJSON(props)}}
}

func mustJSON(s string) any {
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		panic(err)
	}
	return out
}

func TestCompileTool(t *testing.T) {
	good := map[string]any{"type": "object"}
	for _, tt := range []struct {
		name string
		tool abi.Tool
		want string // "" when it compiles
	}{
		{"input only", abi.Tool{Name: "t", InputSchema: good}, ""},
		{"input and output", abi.Tool{Name: "t", InputSchema: good, OutputSchema: obj(`{"type":["string","null"]}`)}, ""},
		{"no input", abi.Tool{Name: "t"}, `tool "t" has no inputSchema`},
		{"input not an object schema", abi.Tool{Name: "t", InputSchema: map[string]any{"type": "string"}}, `tool "t": inputSchema: it must have "type": "object"`},
		{"output not an object schema", abi.Tool{Name: "t", InputSchema: good, OutputSchema: map[string]any{}}, `tool "t": outputSchema: it must have "type": "object"`},
		{"bad regex", abi.Tool{Name: "t", InputSchema: obj(`{"pattern":"^(a"}`)},
			"tool \"t\": inputSchema: not a valid JSON Schema: at /properties/x/pattern: '^(a' is not valid regex: error parsing regexp: missing closing ): `^(a`"},
		{"type integr", abi.Tool{Name: "t", InputSchema: obj(`{"type":"integr"}`)},
			`tool "t": inputSchema: not a valid JSON Schema: at /properties/x/type: value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'; at /properties/x/type: got string, want array`},
		{"minimum one", abi.Tool{Name: "t", InputSchema: good, OutputSchema: obj(`{"minimum":"one"}`)},
			`tool "t": outputSchema: not a valid JSON Schema: at /properties/x/minimum: got string, want number`},
		{"external ref", abi.Tool{Name: "t", InputSchema: map[string]any{"type": "object", "$ref": "file:///etc/passwd"}}, `external schema reference "file:///etc/passwd" is not allowed`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := CompileTool(tt.tool)
			if tt.want == "" {
				if err != nil || ts.In == nil || (ts.Out == nil) != (tt.tool.OutputSchema == nil) {
					t.Fatalf("CompileTool = %+v, %v", ts, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	s, err := Compile(map[string]any{
		"type": "object",
		"properties": map[string]any{
			"n":    map[string]any{"type": "integer", "minimum": 1},
			"s":    map[string]any{"enum": []any{"a", "b"}},
			"list": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		},
		"required":             []any{"n"},
		"additionalProperties": false,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		v    any
		want string
	}{
		{map[string]any{"n": 1.0}, ""},
		{map[string]any{"n": 2, "list": []any{"x"}}, ""},
		{map[string]any(nil), "at /: missing property 'n'"},
		{map[string]any{"n": 0}, "at /n: minimum: got 0, want 1"},
		{map[string]any{"n": 1, "s": "c"}, "at /s: value must be one of 'a', 'b'"},
		// Sorted by where, whatever the order the validator found them in.
		{map[string]any{"n": "x", "s": 1, "list": []any{1, "y", true}},
			"at /list/0: got number, want string; at /list/2: got boolean, want string; at /n: got string, want integer; at /s: value must be one of 'a', 'b'"},
		{map[string]any{"n": 1, "z": 1, "y": 2, "a/b": 3}, "at /: additional properties 'a/b', 'y', 'z' not allowed"},
	} {
		err := s.Validate(tt.v)
		if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && got != tt.want {
			t.Errorf("%v: %v, want %q", tt.v, err, tt.want)
		}
	}
}

// TestValidationErrorsBounded: a value's keys and strings reach the error
// escaped and clipped, and past maxCauses causes the rest are counted.
func TestValidationErrorsBounded(t *testing.T) {
	s, err := Compile(map[string]any{
		"type":                 "object",
		"additionalProperties": map[string]any{"type": "integer"},
	})
	if err != nil {
		t.Fatal(err)
	}
	v := map[string]any{}
	for i := range 20 {
		v[fmt.Sprintf("\x1b[2J\u202e/%02d~%s", i, strings.Repeat("k", 4000))] = "x"
	}
	err = s.Validate(v)
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	if len(msg) > 2<<10 || safetext.Escape(msg) != msg {
		t.Errorf("the error is not short, printable text: %d bytes, %q", len(msg), safetext.Clip(msg, 500))
	}
	for _, w := range []string{`at /\x1b[2J\u202e~100~0kkk`, "got string, want integer", "; and 12 more"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", safetext.Clip(msg, 500), w)
		}
	}
}

func TestValidateJSON(t *testing.T) {
	s, err := Compile(map[string]any{"type": "object", "properties": map[string]any{"id": map[string]any{"type": "integer"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ValidateJSON([]byte(`{"id":12345678901234567890}`)); err != nil {
		t.Errorf("a large integer: %v", err)
	}
	if err := s.ValidateJSON([]byte(`{"id":1.5}`)); fmt.Sprint(err) != "at /id: got number, want integer" {
		t.Errorf("a fraction: %v", err)
	}
	if err := s.ValidateJSON([]byte(`{"id":`)); err == nil || !strings.HasPrefix(err.Error(), "it is not JSON") {
		t.Errorf("truncated JSON: %v", err)
	}
}
