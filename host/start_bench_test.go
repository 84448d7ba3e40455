package host

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/wasmcp/wasmcp/host/auth"
)

// BenchmarkStart is a start with the caches warm: a host made, the
// plugins of dist/plugins loaded (hashed, described from the cache,
// checked) and tools/list answered, as "serve" does before its first
// answer. Compare with the driver's start → first tools/list.
func BenchmarkStart(b *testing.B) {
	dir := filepath.Dir(wasmFile(b, "dist/plugins/github.wasm"))
	cache := b.TempDir()
	start := func() *Host {
		h, err := New(Options{Config: Config{CacheDir: cache}, Exchanger: auth.NewMock(), Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		if errs := h.LoadDir(context.Background(), dir); len(errs) != 0 {
			b.Fatal(errs)
		}
		h.MCPServer().HandleMessage(context.Background(), []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
		return h
	}
	h := start() // describes and caches every plugin
	for _, pl := range h.Plugins() {
		if err := pl.Ready(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	h.Close(context.Background())
	b.ResetTimer()
	for b.Loop() {
		h := start()
		b.StopTimer()
		h.Close(context.Background())
		b.StartTimer()
	}
}
