package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/wasmcp/wasmcp/host"
)

const serveUsage = `Usage: host serve [FLAGS]

Loads every *.wasm plugin of the plugin folder and serves their tools over
MCP on stdin/stdout. Logs go to stderr only.
`

// shutdownGrace is how long calls in flight may run once shutdown starts.
const shutdownGrace = 10 * time.Second

func serve(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	s := newSettings("serve", serveUsage, stderr)
	if err := s.parse(args); err != nil {
		return err
	}
	logger, err := s.logger(stderr)
	if err != nil {
		return err
	}
	cfg, err := s.config()
	if err != nil {
		return err
	}
	ex, err := exchanger(cfg, logger)
	if err != nil {
		return err
	}
	h, err := host.New(host.Options{Config: cfg, Exchanger: ex, Logger: logger, Version: version})
	if err != nil {
		return usageError{err}
	}
	errs := h.LoadDir(ctx, cfg.PluginsDir)
	n := len(h.Plugins())
	logger.Info("plugins loaded", "dir", cfg.PluginsDir, "loaded", n, "failed", len(errs))
	if n == 0 {
		logger.Warn("no plugin loaded: serving no tools", "dir", cfg.PluginsDir)
	}

	stdio := server.NewStdioServer(h.MCPServer())
	stdio.SetErrorLogger(log.New(slogWriter{logger}, "", 0))
	server.WithWorkerPoolSize(64)(stdio)
	server.WithQueueSize(256)(stdio)
	err = stdio.Listen(ctx, stdin, stdout)
	logger.Info("shutting down", "reason", shutdownReason(ctx, err))

	closeCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	h.Close(closeCtx)
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("stdio: %w", err)
	}
	return nil
}

func shutdownReason(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "signal"
	case err == nil || errors.Is(err, io.EOF):
		return "stdin closed"
	}
	return err.Error()
}

// slogWriter sends a standard logger's lines (mcp-go's) to slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn(string(trimNL(p)), "component", "mcp")
	return len(p), nil
}

func trimNL(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}
