package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/internal/ociplugin"
)

const serveUsage = `Usage: host serve [FLAGS]

Loads every *.wasm plugin of the plugin folder and serves their tools over
MCP: on stdin/stdout by default, or over streamable HTTP at /mcp with --http.
Logs go to stderr only. Plugins the config gives a source
(plugins.<name>.source: oci://...) are pulled from their registry first, or
taken from the registry folder if pulled before: see "host pull --help".

While serving, the plugin folder is watched (unless --watch=false): a .wasm
file added, replaced or removed is loaded, reloaded or unloaded, and clients
are sent notifications/tools/list_changed. Files starting with "." are
ignored, so install a plugin by writing .name.wasm.tmp and renaming it to
name.wasm.

On SIGINT or SIGTERM (and, over stdio, when stdin ends) the host takes no new
calls, lets those in flight finish for up to --shutdown-grace, then exits 0.
Over HTTP it first drains for --drain: /healthz answers 503 while /mcp still
serves. A second signal exits at once.
`

// defaultDrain is long enough for a load balancer checking /healthz every
// second or two to see the 503 twice and stop sending requests.
const defaultDrain = 5 * time.Second

// stoppedCallsLinger bounds the wait, after the shutdown grace period, for
// the calls just stopped to write their answers.
const stoppedCallsLinger = 2 * time.Second

const serveEnvUsage = `  WASMCP_HTTP_TOKEN        bearer token required of HTTP clients (overridden by --http-token-file)
`

func serve(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	s := newSettings("serve", serveUsage, stderr)
	s.extraEnv = serveEnvUsage + metricsEnvUsage
	watch := s.fs.Bool("watch", true, "reload plugins when .wasm files of the plugin folder are added, replaced or removed")
	httpAddr := s.fs.String("http", "", "serve streamable HTTP on `ADDR` (host:port) at /mcp, stateless, instead of stdio")
	tokenFile := s.fs.String("http-token-file", "", "`file` holding the bearer token HTTP clients must send (env "+tokenEnv+")")
	grace := s.fs.Duration("shutdown-grace", 10*time.Second, "on shutdown, how long calls in flight may run before they are cancelled")
	metricsAddr := s.fs.String("metrics-addr", "", "also serve Prometheus metrics on `ADDR` (host:port) at /metrics, unauthenticated (with --http they are at /metrics there too)")
	drain := s.fs.Duration("drain", defaultDrain, "with --http, on shutdown, how long /healthz answers 503 while /mcp still serves, before the listener closes")
	if err := s.parse(args); err != nil {
		return err
	}
	if *grace < 0 || *drain < 0 {
		return usageError{errors.New("--shutdown-grace and --drain must not be negative")}
	}
	if *tokenFile != "" && *httpAddr == "" {
		return usageError{errors.New("--http-token-file needs --http")}
	}
	if s.isSet("drain") && *httpAddr == "" {
		return usageError{errors.New("--drain needs --http: over stdio there is no load balancer to drain")}
	}
	logger, err := s.logger(stderr)
	if err != nil {
		return err
	}
	cfg, err := s.config()
	if err != nil {
		return err
	}
	if err := checkPluginFolder(cfg.PluginsDir); err != nil {
		return err
	}
	pulled, pullErrs, err := pullSources(ctx, &cfg, logger, ociplugin.Options{})
	if err != nil {
		return err
	}
	var token string
	if *httpAddr != "" {
		if token, err = httpToken(*tokenFile, logger); err != nil {
			return err
		}
	}
	ex, err := exchanger(cfg, logger)
	if err != nil {
		return err
	}
	tel, stopTracing, err := newTelemetry(ctx, logger)
	if err != nil {
		return err
	}
	defer stopTracing() // flushes the last spans, once the host has stopped
	h, err := host.New(host.Options{Config: cfg, Exchanger: ex, Logger: logger, Version: version, Telemetry: tel})
	if err != nil {
		return usageError{err}
	}
	h.EnableClientLogging() // logging/setLevel, and plugins' records as notifications/message
	if *metricsAddr != "" {
		_, stopMetrics, err := serveMetrics(*metricsAddr, tel, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}

	// The watcher is made before the first load, so a file that changes
	// during it is not missed.
	var watcher *host.Watcher
	if *watch {
		if watcher, err = h.NewWatcher(cfg.PluginsDir); err != nil {
			logger.Warn("not watching the plugin folder", "err", err)
		}
	}
	errs := h.LoadDir(ctx, cfg.PluginsDir)
	errs = append(append(errs, pullErrs...), loadPulled(ctx, h, pulled)...)
	n := len(h.Plugins())
	logger.Info("plugins loaded", "dir", cfg.PluginsDir, "loaded", n, "failed", len(errs))
	if n == 0 {
		logger.Warn("no plugin loaded: serving no tools", "dir", cfg.PluginsDir)
	}
	for _, name := range h.UnmatchedPluginConfigs() {
		logger.Warn("the config has settings for a plugin that is not loaded: check its name", "plugin", name)
	}
	watchCtx, stopWatching := context.WithCancel(ctx)
	watchDone := make(chan struct{})
	if watcher != nil {
		go func() {
			defer close(watchDone)
			watcher.Run(watchCtx)
		}()
	} else {
		close(watchDone)
	}
	defer forceExitOnSecondSignal(ctx, logger)()

	var reason string
	if *httpAddr != "" {
		reason, err = serveHTTP(ctx, h, httpOptions{addr: *httpAddr, token: token, grace: *grace, drain: *drain, metrics: tel.Handler()}, logger)
	} else {
		reason, err = serveStdio(ctx, h, stdin, stdout, *grace, logger)
	}
	stopWatching()
	<-watchDone

	closeCtx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	h.Close(closeCtx)
	logger.Info("stopped", "reason", reason)
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// forceExitOnSecondSignal exits the process at once on a signal received
// after ctx ended (the first signal), until the returned stop is called.
func forceExitOnSecondSignal(ctx context.Context, logger *slog.Logger) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sig)
		select {
		case <-sig:
			logger.Warn("second signal: exiting without waiting for the calls in flight")
			os.Exit(1)
		case <-done:
		}
	}()
	return func() { close(done) }
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
