package host

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/internal/telemetry"
)

// BenchmarkToolCallMetrics is BenchmarkToolCall with the host's metrics on
// (tracing off, as by default): compare their ns/op and allocs/op for the
// cost of the hooks.
func BenchmarkToolCallMetrics(b *testing.B) {
	f := newBenchFakes(b)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ex, err := auth.NewBackend(auth.BackendConfig{URL: f.backend.URL, Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	h, err := New(Options{
		Config: Config{
			Calls:   NoCallBounds(),
			Plugins: map[string]PluginConfig{"github": {Upstreams: map[string]string{"https://api.github.com": f.github.URL}}},
		},
		Exchanger: ex,
		Logger:    logger,
		Telemetry: telemetry.New(telemetry.Options{}),
	})
	if err != nil {
		b.Fatal(err)
	}
	if errs := h.LoadDir(context.Background(), benchPluginsDir(b)); len(errs) > 0 {
		b.Fatal(errs)
	}
	b.Cleanup(func() { h.Close(context.Background()) })
	warmUsers(b, h)
	const user = "user00"
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := benchCall(h, callMessage(int64(i), user), user); err != nil {
			b.Fatal(err)
		}
	}
}
