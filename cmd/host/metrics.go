package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/wasmcp/wasmcp/internal/telemetry"
)

// metricsEnvUsage documents the tracing variables in "host serve --help".
const metricsEnvUsage = `  OTEL_TRACES_EXPORTER     "otlp" turns tracing on ("none", or unset without an endpoint: off)
  OTEL_EXPORTER_OTLP_ENDPOINT  OTLP collector; setting it turns tracing on (also OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  OTEL_EXPORTER_OTLP_PROTOCOL  http/protobuf (default) or grpc; the other OTEL_* variables as the SDK reads them
`

// tracesFlushTimeout bounds the flush of the spans still buffered at exit.
const tracesFlushTimeout = 5 * time.Second

// newTelemetry builds the instruments of host serve: the Prometheus metrics,
// and tracing when the OTEL_* environment asks for it. stop flushes the
// spans still buffered; call it once the host has stopped.
func newTelemetry(ctx context.Context, logger *slog.Logger) (tel *telemetry.Telemetry, stop func(), err error) {
	tp, err := telemetry.TracerProviderFromEnv(ctx, version, os.Getenv)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("tracing: %w", err)}
	}
	opts := telemetry.Options{Version: version}
	stop = func() {}
	if tp != nil {
		// The SDK reports export failures here; its messages name the
		// collector, never a span's content.
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			logger.Warn("tracing: exporting spans failed", "err", err.Error())
		}))
		opts.TracerProvider = tp
		stop = func() {
			fctx, cancel := context.WithTimeout(context.Background(), tracesFlushTimeout)
			defer cancel()
			if err := tp.Shutdown(fctx); err != nil {
				logger.Warn("tracing: flushing spans at exit failed", "err", err.Error())
			}
		}
		logger.Info("tracing on: spans are exported over OTLP")
	}
	return telemetry.New(opts), stop, nil
}

// serveMetrics serves /metrics alone on addr, for stdio deployments (or to
// keep metrics off the MCP listener), until stop is called. It returns the
// address it listens on.
func serveMetrics(addr string, tel *telemetry.Telemetry, logger *slog.Logger) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, usageError{fmt.Errorf("--metrics-addr: %w", err)}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", tel.Handler())
	srv := &http.Server{
		Handler:           guardOrigin(mux),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(slogWriter{logger}, "", 0),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("metrics listener stopped", "err", err)
		}
	}()
	bound = ln.Addr().String()
	logger.Info("serving metrics", "url", "http://"+bound+"/metrics")
	return bound, func() { srv.Close() }, nil
}
