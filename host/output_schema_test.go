package host

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/internal/safetext"
)

// TestOutputSchema: a result that does not match the tool's output schema
// is a tool error naming the mismatch, bounded, escaped and free of
// secrets, never a JSON-RPC error; a result that matches is served, and a
// tool error is sent as the tool gave it.
func TestOutputSchema(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"badoutput"}, noGitHub: true})
	const refusal = `plugin "hostile-badoutput" returned a result that does not match the outputSchema of hostile_badoutput: `
	for _, tt := range []struct {
		mode string
		want string // the whole tool error; "" for a result
	}{
		{"ok", ""},
		{"wrong", refusal + "at /login: got number, want string"},
		{"echo", refusal + "at /: additional properties 'headers', 'path_escaped', 'query_escaped' not allowed"},
		{"error", "the tool failed, as asked"},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			res := hh.call(t, "alice", "hostile_badoutput", map[string]any{"mode": tt.mode})
			if tt.want == "" {
				if got := res.wantOK(t); got["login"] != "octocat" {
					t.Errorf("structured content %v", got)
				}
				return
			}
			res.wantToolError(t)
			if res.text != tt.want {
				t.Errorf("tool error %q, want %q", res.text, tt.want)
			}
		})
	}

	t.Run("hostile keys", func(t *testing.T) {
		res := hh.call(t, "alice", "hostile_badoutput", map[string]any{"mode": "hostile"})
		res.wantToolError(t, refusal, "additional properties")
		if len(res.text) > 2<<10 || safetext.Escape(res.text) != res.text {
			t.Errorf("the refusal is not short, printable text: %d bytes, %q", len(res.text), clipText(res.text, 500))
		}
	})
	if !strings.Contains(hh.logs.String(), "outcome=invalid_result") {
		t.Error("no call logged outcome=invalid_result")
	}
}

// TestToolsListMetadata: tools/list carries each tool's annotations and
// output schema as the plugin declared them, and "annotations": {} and no
// outputSchema for a plugin that declares neither, as before.
func TestToolsListMetadata(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"badoutput", "echo"}})
	msg := hh.host.MCPServer().HandleMessage(t.Context(), json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	raw, _ := json.Marshal(msg)
	var list struct {
		Result struct {
			Tools []struct {
				Name         string
				Annotations  map[string]any
				OutputSchema map[string]any
			}
		}
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tool := range list.Result.Tools {
		a, _ := json.Marshal(tool.Annotations)
		o, _ := json.Marshal(tool.OutputSchema)
		got[tool.Name] = string(a) + " " + string(o)
	}
	readOnly := `{"destructiveHint":false,"idempotentHint":true,"openWorldHint":true,"readOnlyHint":true,"title":"GitHub profile"}`
	for name, want := range map[string]string{
		"hostile_badoutput": `{"readOnlyHint":true,"title":"Bad output"} {"additionalProperties":false,"properties":{"id":{"type":"integer"},"login":{"type":"string"}},"type":"object"}`,
		"hostile_echo":      `{} null`,
		"get_github_user":   readOnly + " ",
	} {
		if !strings.HasPrefix(got[name], want) {
			t.Errorf("%s: annotations and outputSchema %s, want %s…", name, got[name], want)
		}
	}
}
