package pdktest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk"
)

// fatal records a Fatalf instead of ending the test, to check what pdktest
// fails a plugin's test with.
type fatal struct {
	testing.TB
	msg string
}

type fatalled struct{}

func (f *fatal) Helper() {}
func (f *fatal) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(fatalled{})
}

// failure runs fn with a recording TB and returns what it failed with, or "".
func failure(t *testing.T, fn func(tb testing.TB)) (msg string) {
	t.Helper()
	f := &fatal{TB: t}
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(fatalled); !ok {
				panic(v)
			}
			msg = f.msg
		}
	}()
	fn(f)
	return ""
}

func schemaPlugin(in, out map[string]any) pdk.Plugin {
	return pdk.Plugin{Name: "p", Provider: "example", Tools: []pdk.Tool{{
		Name: "t", InputSchema: in, OutputSchema: out,
		Handler: func(c *pdk.Call) (any, error) {
			var a map[string]any
			if err := c.Args(&a); err != nil {
				return nil, err
			}
			return a["result"], nil // the test's result, as its argument
		},
	}}}
}

// TestBrokenSchemasFailTheTest: the schemas of issue 11 that compiled and
// passed go test, refused only by the host at load, now fail every Call and
// Check, with the host's reason.
func TestBrokenSchemasFailTheTest(t *testing.T) {
	prop := func(s map[string]any) map[string]any {
		return map[string]any{"type": "object", "properties": map[string]any{"x": s}}
	}
	for _, tt := range []struct {
		name    string
		in, out map[string]any
		want    string
	}{
		{"bad regex", prop(map[string]any{"type": "string", "pattern": "^(a"}), nil,
			`the host would not load plugin "p": tool "t": inputSchema: not a valid JSON Schema: at /properties/x/pattern: '^(a' is not valid regex`},
		{"type integr", prop(map[string]any{"type": "integr"}), nil,
			`tool "t": inputSchema: not a valid JSON Schema: at /properties/x/type: value must be one of`},
		{"minimum one", prop(map[string]any{"type": "integer", "minimum": "one"}), nil,
			`tool "t": inputSchema: not a valid JSON Schema: at /properties/x/minimum: got string, want number`},
		{"output not an object schema", nil, map[string]any{"type": "array"},
			`tool "t": outputSchema: it must have "type": "object"`},
		{"output bad regex", nil, prop(map[string]any{"pattern": "(?<"}),
			`tool "t": outputSchema: not a valid JSON Schema: at /properties/x/pattern`},
		{"external ref", map[string]any{"type": "object", "$ref": "https://example.com/s.json"}, nil,
			`external schema reference "https://example.com/s.json" is not allowed`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := schemaPlugin(tt.in, tt.out)
			called := false
			p.Tools[0].Handler = func(*pdk.Call) (any, error) { called = true; return nil, nil }
			msg := failure(t, func(tb testing.TB) { NewHost(p, nil).Call(tb, "t", nil) })
			if !strings.Contains(msg, tt.want) {
				t.Errorf("Call failed with %q, want %q", msg, tt.want)
			}
			if called {
				t.Error("the tool ran")
			}
			if msg := failure(t, func(tb testing.TB) { Check(tb, p) }); !strings.Contains(msg, tt.want) {
				t.Errorf("Check failed with %q, want %q", msg, tt.want)
			}
		})
	}
}

// TestArgumentsValidated: arguments are checked against the input schema
// as the host checks them, with its message, before the tool runs.
func TestArgumentsValidated(t *testing.T) {
	in := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"n":      map[string]any{"type": "integer", "minimum": 1},
			"result": map[string]any{},
		},
		"additionalProperties": false,
	}
	h := NewHost(schemaPlugin(in, nil), nil)
	for _, tt := range []struct {
		args any
		want string // "" for a call that reaches the tool
	}{
		{map[string]any{"n": 1}, ""},
		{nil, ""},
		{map[string]any{"n": 0}, "Invalid arguments for t: at /n: minimum: got 0, want 1"},
		{map[string]any{"n": 1.5}, "Invalid arguments for t: at /n: got number, want integer"},
		{map[string]any{"m": 1}, "Invalid arguments for t: at /: additional properties 'm' not allowed"},
	} {
		res := h.Call(t, "t", tt.args)
		if tt.want == "" && res.IsError || tt.want != "" && (!res.IsError || res.Message != tt.want) {
			t.Errorf("%v: result %+v, want %q", tt.args, res, tt.want)
		}
	}
}

// TestResultsValidated: a result is checked against the output schema as
// the host checks it: the JSON sent, an absent content being {}, and
// never an error result.
func TestResultsValidated(t *testing.T) {
	out := map[string]any{
		"type":       "object",
		"properties": map[string]any{"login": map[string]any{"type": "string"}},
		"required":   []any{"login"},
	}
	in := map[string]any{"type": "object"}
	h := NewHost(schemaPlugin(in, out), nil)
	const refusal = `plugin "p" returned a result that does not match the outputSchema of t: `
	for _, tt := range []struct {
		result any
		want   string
	}{
		{map[string]any{"login": "octocat"}, ""},
		{map[string]any{"login": 7}, refusal + "at /login: got number, want string"},
		{nil, refusal + "at /: missing property 'login'"},
		{"text", refusal + "at /: missing property 'login'"}, // wrapped as {"result": "text"}
	} {
		res := h.Call(t, "t", map[string]any{"result": tt.result})
		if tt.want == "" && res.IsError || tt.want != "" && (!res.IsError || res.Message != tt.want) {
			t.Errorf("%v: result %+v, want %q", tt.result, res, tt.want)
		}
	}

	failing := schemaPlugin(in, out)
	failing.Tools[0].Handler = func(*pdk.Call) (any, error) { return nil, fmt.Errorf("API down") }
	if res := NewHost(failing, nil).Call(t, "t", nil); !reflect.DeepEqual(res, abi.CallResult{IsError: true, Message: "API down"}) {
		t.Errorf("an error result: %+v, want it as the tool gave it", res)
	}
}
