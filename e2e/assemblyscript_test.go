package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAssemblyScriptPlugin loads examples/as-greet, a plugin written in
// AssemblyScript with @extism/as-pdk, through the binary like the Go
// plugins: its tool is listed as it declares it, and answers in UTF-8.
func TestAssemblyScriptPlugin(t *testing.T) {
	wasm := filepath.Join(repoRoot, "dist", "plugins-as", "as-greet.wasm")
	data, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatalf("%v: run `make test` (or `make dist/plugins-as/as-greet.wasm`) to build the AssemblyScript example", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "as-greet.wasm"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := startHost(t, hostOpts{mock: true, pluginsDir: dir})

	res, err := r.session.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tools) != 1 || res.Tools[0].Name != "as_greet" {
		var names []string
		for _, tool := range res.Tools {
			names = append(names, tool.Name)
		}
		t.Fatalf("tools = %v, want [as_greet]", names)
	}
	tool := res.Tools[0]
	if tool.Description == "" {
		t.Error("as_greet has no description")
	}
	schema, ok := tool.InputSchema.(map[string]any)
	if !ok || schema["type"] != "object" {
		t.Fatalf("input schema = %#v, want an object schema", tool.InputSchema)
	}
	props, _ := schema["properties"].(map[string]any)
	name, _ := props["name"].(map[string]any)
	if name["type"] != "string" {
		t.Errorf("input schema properties = %#v, want name of type string", schema["properties"])
	}
	if req, _ := schema["required"].([]any); len(req) != 1 || req[0] != "name" {
		t.Errorf("input schema required = %#v, want [name]", schema["required"])
	}
	if out, ok := tool.OutputSchema.(map[string]any); !ok || out["type"] != "object" {
		t.Errorf("output schema = %#v, want an object schema", tool.OutputSchema)
	}
	if tool.Annotations == nil || tool.Annotations.ReadOnlyHint != true {
		t.Errorf("annotations = %#v, want readOnlyHint", tool.Annotations)
	}

	for _, who := range []string{"Ada", "Zoë 日本", `"quoted" \ back 🎉`} {
		res := r.call(t, "as_greet", map[string]any{"name": who}, meta("alice", "temp-token-of-alice", "github"))
		if res.IsError {
			t.Fatalf("as_greet(%q) failed: %s", who, text(res))
		}
		want := "Hello, " + who + "!"
		if got := structured(t, res)["greeting"]; got != want {
			t.Errorf("as_greet(%q): greeting = %q, want %q", who, got, want)
		}
	}

	// The host validates arguments before the plugin runs.
	if res := r.call(t, "as_greet", map[string]any{}, meta("alice", "temp-token-of-alice", "github")); !res.IsError {
		t.Errorf("as_greet without name succeeded: %s", text(res))
	}
}
