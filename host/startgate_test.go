package host

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/host/auth"
)

// TestStartGateOpensOnce: open is idempotent, and wait returns once open.
func TestStartGateOpensOnce(t *testing.T) {
	g := &startGate{c: make(chan struct{})}
	g.open()
	g.open()
	g.wait()
}

// TestCachedDescriptorSchemasCompileWithTheCode: a descriptor from the
// cache is listed before its schemas compile; when they then fail (a cache
// file altered on disk), the plugin's calls are tool errors that say so,
// and nothing runs. The descriptor a module answered itself is still
// checked, schemas included, before it is listed.
func TestCachedDescriptorSchemasCompileWithTheCode(t *testing.T) {
	precompile()
	gh, err := os.ReadFile(wasmFile(t, "dist/plugins/github.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string][]byte{"github.wasm": gh})
	cache := t.TempDir()
	load := func() *Host {
		h, err := New(Options{Config: Config{CacheDir: cache, Pool: PoolConfig{Warm: -1}}, Exchanger: auth.NewMock(), Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close(context.Background()) })
		if errs := h.LoadDir(context.Background(), dir); len(errs) != 0 {
			t.Fatalf("load: %v", errs)
		}
		return h
	}
	first := load() // describes the module, and caches its descriptor
	if err := first.Plugins()[0].wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(cache, "descriptors", "*.json"))
	if len(files) != 1 {
		t.Fatalf("cached descriptors %v, want one", files)
	}
	var d map[string]any
	b, _ := os.ReadFile(files[0])
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	tool := d["tools"].([]any)[0].(map[string]any)
	tool["inputSchema"] = map[string]any{"type": "object", "properties": map[string]any{"x": map[string]any{"type": "no-such-type"}}}
	b, _ = json.Marshal(d)
	if err := os.WriteFile(files[0], b, 0o644); err != nil {
		t.Fatal(err)
	}

	h := load()
	wantToolsListed(t, h, sortedToolNames(h)...)
	msg := fmt.Sprintf(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":%q,"arguments":{},"_meta":{"userId":"u1","userToken":"temp_token_abc456","providerId":"github"}}}`, tool["name"])
	raw, _ := json.Marshal(h.MCPServer().HandleMessage(context.Background(), []byte(msg)))
	if !strings.Contains(string(raw), `"isError":true`) || !strings.Contains(string(raw), "could not start") || !strings.Contains(string(raw), "not a valid JSON Schema") {
		t.Errorf("a call of a plugin whose cached schemas do not compile answered %s", raw)
	}
}

// sortedToolNames lists h's tools, sorted.
func sortedToolNames(h *Host) []string {
	var names []string
	for _, pl := range h.Plugins() {
		for _, t := range pl.Desc.Tools {
			names = append(names, t.Name)
		}
	}
	slices.Sort(names)
	return names
}
