// Package host serves the tools of sandboxed Wasm plugins over MCP.
//
// A Host loads every *.wasm of a folder (compiled once each, with wazero's
// on-disk compilation cache), asks each plugin to describe itself, and
// registers its tools with an mcp-go server. A tools/call is validated,
// its user token exchanged for an access token (see package auth), and run
// in a pooled instance of the plugin; the plugin's only way out is the HTTP
// host function of package hostfuncs, which adds the token itself.
package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	extism "github.com/extism/go-sdk"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/tetratelabs/wazero"

	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/hostfuncs"
	"github.com/wasmcp/wasmcp/internal/telemetry"
)

// Options configure a Host.
type Options struct {
	// Config is the operator's configuration.
	Config Config
	// Exchanger turns a call's credentials into an access token. Required.
	Exchanger auth.Exchanger
	// Logger receives the host's logs; nil discards them.
	Logger *slog.Logger
	// Transport carries the plugins' HTTP requests; nil uses the hardened
	// default of package hostfuncs. Tests and benchmarks set it.
	Transport http.RoundTripper
	// Version is reported to MCP clients.
	Version string
	// Telemetry receives the host's metrics and spans; nil records none.
	// A Telemetry serves one Host.
	Telemetry *telemetry.Telemetry
}

// Host is a running set of plugins behind one MCP server.
type Host struct {
	cfg       Config
	logger    *slog.Logger
	exchanger auth.Exchanger
	loader    *loader
	reg       *registry
	mcp       *server.MCPServer
	gate      *gate // admits every tool call; see gate.go

	// tel receives metrics and spans; nil for none (telemetry.go).
	tel *telemetry.Telemetry

	// connect is the connect flow; nil when not configured (connect_flow.go).
	connect *connector

	// afterCall, when not nil, is shown the instance of every tool call;
	// see callObserver. Only tests set it.
	afterCall callObserver

	// collidedMu guards collided: the files whose last load was refused
	// because another file's plugin holds their name or a tool name. The
	// watcher retries them when a plugin goes away.
	collidedMu sync.Mutex
	collided   map[string]bool
}

// New builds a Host with no plugins loaded; see LoadDir and Load.
func New(o Options) (*Host, error) {
	if o.Exchanger == nil {
		return nil, errors.New("host: an Exchanger is required")
	}
	if err := o.Config.Validate(); err != nil {
		return nil, err
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	pinEnvironment(logger)
	connect, err := newConnector(o.Config.Backend, logger)
	if err != nil {
		return nil, err
	}
	version := o.Version
	if version == "" {
		version = "dev"
	}
	funcs := hostfuncs.New(hostfuncs.Options{
		Transport: o.Transport,
		UserAgent: "wasmcp/" + version,
		Telemetry: o.Telemetry,
	})
	h := &Host{
		cfg:       o.Config,
		logger:    logger,
		exchanger: o.Exchanger,
		loader:    newLoader(o.Config, append(funcs.HostFunctions(), meterFunctions()...), logger),
		reg:       newRegistry(),
		gate:      newGate(o.Config.Calls, logger),
		collided:  map[string]bool{},
		connect:   connect,
	}
	h.setTelemetry(o.Telemetry)
	hooks := &server.Hooks{}
	hooks.AddAfterListTools(func(context.Context, any, *mcp.ListToolsRequest, *mcp.ListToolsResult) {
		h.loader.started.open() // the first answer is out: compile (startgate.go)
	})
	h.mcp = server.NewMCPServer("wasmcp", version,
		server.WithToolCapabilities(true),
		server.WithRecovery(),
		server.WithHooks(hooks),
	)
	return h, nil
}

// newLoader makes the host's loader, with its on-disk caches: wazero's
// compilation cache, so a restart compiles nothing it compiled before, and
// beside it the metered modules. A cache dir of "off" disables both; ""
// picks the user cache dir.
func newLoader(cfg Config, funcs []extism.HostFunction, logger *slog.Logger) *loader {
	l := &loader{cfg: cfg, funcs: funcs, budget: newMemBudget(cfg.Pool.MaxBytes, logger), logger: logger, started: newStartGate()}
	dir := cfg.CacheDir
	if dir == "off" {
		return l
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			logger.Warn("no compilation cache: no user cache directory", "err", err)
			return l
		}
		dir = filepath.Join(base, "wasmcp", "wazero")
	}
	c, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		logger.Warn("no compilation cache", "dir", dir, "err", err)
		return l
	}
	l.cache, l.cacheDir = c, dir
	return l
}

// MCPServer returns the MCP server to serve over a transport.
func (h *Host) MCPServer() *server.MCPServer { return h.mcp }

// LoadError is a plugin file that could not be loaded, and why.
type LoadError struct {
	File string
	Err  error
}

func (e *LoadError) Error() string { return filepath.Base(e.File) + ": " + e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }

// LoadDir loads every *.wasm in dir. A plugin that fails is logged with its
// reason and returned; it does not stop the others.
func (h *Host) LoadDir(ctx context.Context, dir string) []error {
	files, err := PluginFiles(dir)
	if err != nil {
		return []error{err}
	}
	// Plugins load in parallel, each on its own deadlines, so that a slow
	// one delays nobody (the loader bounds the compiles running at once);
	// they register in file order, so that a collision always goes the
	// same way.
	type loaded struct {
		pl  *Plugin
		err error
	}
	results := make([]loaded, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pl, err := h.loader.load(ctx, f)
			results[i] = loaded{pl, err}
		}()
	}
	wg.Wait()
	var errs []error
	for i, r := range results {
		if err := h.register(ctx, files[i], r.pl, r.err); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// PluginFiles lists the *.wasm files of dir, sorted.
func PluginFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("plugin folder: %w", err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".wasm") && !strings.HasPrefix(e.Name(), ".") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	return files, nil
}

// Load loads (or reloads) the plugin at path and registers its tools. Calls
// in flight on a previous version of the same file finish on it.
func (h *Host) Load(ctx context.Context, path string) error {
	pl, err := h.loader.load(ctx, path)
	return h.register(ctx, path, pl, err)
}

// register serves the plugin loaded from path, or logs why it could not be
// loaded (err, from loader.load).
func (h *Host) register(ctx context.Context, path string, pl *Plugin, err error) error {
	if err != nil {
		h.setCollided(path, false)
		h.tel.PluginLoad(telemetry.LoadFailed)
		h.logger.Error("plugin not loaded", "file", path, "err", err)
		return &LoadError{File: path, Err: err}
	}
	old, err := h.reg.put(pl)
	if err != nil {
		pl.Close(ctx)
		h.setCollided(path, true)
		h.tel.PluginLoad(telemetry.LoadCollision)
		h.logger.Error("plugin not loaded", "file", path, "err", err)
		return &LoadError{File: path, Err: err}
	}
	h.setCollided(path, false)
	h.tel.PluginLoad(telemetry.LoadOK)
	pl.onCompileFailed = func() { h.tel.PluginLoad(telemetry.LoadCompileFailed) }
	tools := make([]server.ServerTool, 0, len(pl.Desc.Tools))
	keep := map[string]bool{}
	for i, t := range pl.Desc.Tools {
		tools = append(tools, server.ServerTool{
			Tool:    pl.listed.tools[i], // as its size was counted
			Handler: h.gate.wrap(pl, t.Name, h.connectWrap(h.toolHandler(pl, t.Name))),
		})
		keep[t.Name] = true
	}
	h.mcp.AddTools(tools...)
	if old != nil {
		var gone []string
		for _, t := range old.Desc.Tools {
			if !keep[t.Name] {
				gone = append(gone, t.Name)
			}
		}
		if len(gone) > 0 {
			h.mcp.DeleteTools(gone...)
		}
		go h.retire(old)
	}
	switch {
	case pl.Resident(): // compiled to describe itself
		go pl.settle()
	case h.loader.cfg.Pool.Preload:
		go func() {
			// Background compiles wait for the server's first answer
			// (startgate.go), and leave a core to the server.
			h.loader.started.wait()
			backgroundCompiles <- struct{}{}
			defer func() { <-backgroundCompiles }()
			_ = pl.wait(context.Background()) // a failure is logged and counted by bringIn
		}()
	}
	h.logger.Info("plugin loaded", "file", path, "plugin", pl.Name(), "version", pl.Desc.Version,
		"provider", pl.Desc.Provider, "tools", len(pl.Desc.Tools), "sha256", pl.SHA256[:12], "replaced", old != nil)
	return nil
}

// Unload removes the plugin loaded from path, if any, and its tools.
func (h *Host) Unload(path string) bool {
	h.setCollided(path, false)
	pl := h.reg.remove(path)
	if pl == nil {
		return false
	}
	names := make([]string, 0, len(pl.Desc.Tools))
	for _, t := range pl.Desc.Tools {
		names = append(names, t.Name)
	}
	h.mcp.DeleteTools(names...)
	go h.retire(pl)
	h.logger.Info("plugin unloaded", "file", path, "plugin", pl.Name())
	return true
}

// setCollided records whether the last load of path was refused for a
// collision.
func (h *Host) setCollided(path string, refused bool) {
	h.collidedMu.Lock()
	defer h.collidedMu.Unlock()
	if refused {
		h.collided[path] = true
	} else {
		delete(h.collided, path)
	}
}

// collidedFiles returns the files refused for a collision, sorted.
func (h *Host) collidedFiles() []string {
	h.collidedMu.Lock()
	defer h.collidedMu.Unlock()
	files := make([]string, 0, len(h.collided))
	for f := range h.collided {
		files = append(files, f)
	}
	sort.Strings(files)
	return files
}

// retire closes a plugin once its calls in flight are done.
func (h *Host) retire(pl *Plugin) {
	ctx, cancel := context.WithTimeout(context.Background(), pl.Limits.Timeout)
	defer cancel()
	pl.Close(ctx)
}

// UnmatchedPluginConfigs returns the names under the config's plugins key
// that no loaded plugin has, sorted: a typo there would otherwise leave a
// plugin without its upstreams, pin or limits, silently.
func (h *Host) UnmatchedPluginConfigs() []string {
	loaded := map[string]bool{}
	for _, pl := range h.reg.list() {
		loaded[pl.Name()] = true
		loaded[fileStem(pl.File)] = true // its pin binds the file too
	}
	var names []string
	for name := range h.cfg.Plugins {
		if !loaded[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// Plugins returns the loaded plugins, sorted by name.
func (h *Host) Plugins() []*Plugin { return h.reg.list() }

// Plugin returns the plugin loaded from path, or nil.
func (h *Host) Plugin(path string) *Plugin { return h.reg.get(path) }

// StopCalls stops every call running now, for a shutdown past its grace
// period: each answers with a tool error saying that the host shut down,
// through the transport as usual. Calls made after it fail the same way.
func (h *Host) StopCalls() {
	for _, pl := range h.reg.list() {
		pl.stopCalls(errPluginClosed)
	}
}

// Close unloads every plugin, letting calls in flight finish until ctx ends.
func (h *Host) Close(ctx context.Context) error {
	h.loader.started.open() // a plugin's Close waits for its background compile
	var errs []error
	for _, pl := range h.reg.list() {
		h.reg.remove(pl.File)
		errs = append(errs, pl.Close(ctx))
	}
	return errors.Join(errs...)
}

// releaseLoadGarbage hands the memory a plugin's load left behind (the file
// read twice over, its decoding, its compilation) back to the kernel, once
// the plugin is compiled and warm: otherwise the Go heap keeps it, as RSS,
// until the scavenger gets to it minutes later, and an idle host looks twice
// its size.
func releaseLoadGarbage() {
	debug.FreeOSMemory()
}
