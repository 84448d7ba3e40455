package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/internal/ociplugin"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

const pluginsUsage = `Usage: host plugins [FLAGS]

Loads the plugins of the plugin folder as "serve" would, and lists each with
its version, provider, hosts (after the config's upstreams), tools, limits and
sha256. Plugins that fail to load are listed with the reason. Exits 1 if any
failed, or if stopped by SIGINT or SIGTERM. Whatever a plugin says of itself
is printed escaped: one line of printable text per field.
`

// pluginInfo is one row of the inventory; its JSON form is --json's.
type pluginInfo struct {
	File     string      `json:"file"`
	Name     string      `json:"name,omitempty"`
	Version  string      `json:"version,omitempty"`
	Provider string      `json:"provider,omitempty"`
	Hosts    []string    `json:"hosts,omitempty"`
	Tools    []string    `json:"tools,omitempty"`
	Limits   *limitsInfo `json:"limits,omitempty"`
	SHA256   string      `json:"sha256,omitempty"`
	Error    string      `json:"error,omitempty"`
}

// limitsInfo is a plugin's effective limits under the config's keys.
type limitsInfo struct {
	Timeout              string `json:"timeout"`
	MemoryMiB            int    `json:"memory_mib"`
	MaxOutputBytes       int64  `json:"max_output_bytes"`
	MaxHTTPResponseBytes int64  `json:"max_http_response_bytes"`
	MaxHTTPRequests      int    `json:"max_http_requests"`
}

func newLimitsInfo(l host.Limits) *limitsInfo {
	return &limitsInfo{
		Timeout: l.Timeout.String(), MemoryMiB: l.MemoryMiB, MaxOutputBytes: l.MaxOutputBytes,
		MaxHTTPResponseBytes: l.MaxHTTPResponseBytes, MaxHTTPRequests: l.MaxHTTPRequests,
	}
}

func plugins(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newSettings("plugins", pluginsUsage, stderr)
	asJSON := s.fs.Bool("json", false, "print JSON instead of a table")
	if err := s.parse(args); err != nil {
		return err
	}
	logger, err := s.logger(io.Discard)
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
	files, err := host.PluginFiles(cfg.PluginsDir)
	if err != nil {
		return err
	}
	// Plugins from a registry are listed as serve would load them: from
	// the cache when their digest is known, pulled otherwise.
	pulled, pullErrs, err := pullSources(ctx, &cfg, logger, ociplugin.Options{})
	if err != nil {
		return err
	}
	if len(files) == 0 && len(pulled) == 0 && len(pullErrs) == 0 {
		fmt.Fprintf(stderr, "no plugins: the folder %s has no .wasm file\n", cfg.PluginsDir)
		if *asJSON {
			fmt.Fprintln(stdout, "[]")
		}
		return nil
	}
	// Listing runs no tool, so no token exchange is configured.
	h, err := host.New(host.Options{Config: cfg, Exchanger: auth.NewMock(), Logger: logger, Version: version})
	if err != nil {
		return usageError{err}
	}
	defer closeUnlessStopped(ctx, h)
	// A signal (main's signal.NotifyContext) ends ctx: the loads stop at
	// their next step, and the command at once, even if a compile (which
	// nothing interrupts) is still running.
	loaded := make(chan []error, 1)
	go func() {
		errs := h.LoadDir(ctx, cfg.PluginsDir)
		loaded <- append(append(errs, pullErrs...), loadPulled(ctx, h, pulled)...)
	}()
	var errs []error
	select {
	case errs = <-loaded:
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		return fmt.Errorf("stopped: %w", context.Cause(ctx))
	}
	for _, name := range h.UnmatchedPluginConfigs() {
		fmt.Fprintf(stderr, "warning: the config has settings for plugin %q, which is not loaded: check its name\n", name)
	}

	var rows []pluginInfo
	for _, pl := range h.Plugins() {
		row := pluginInfo{
			File: pl.Base(), Name: pl.Name(), Version: pl.Desc.Version, Provider: pl.Desc.Provider,
			Hosts: pl.Policy.Targets(), Limits: newLimitsInfo(pl.Limits), SHA256: pl.SHA256,
		}
		for _, t := range pl.Desc.Tools {
			row.Tools = append(row.Tools, t.Name)
		}
		rows = append(rows, row)
	}
	for _, e := range errs {
		row := pluginInfo{Error: e.Error()}
		if le, ok := e.(*host.LoadError); ok {
			row.File, row.Error = filepath.Base(le.File), le.Err.Error()
		}
		rows = append(rows, row)
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []pluginInfo{}
		}
		if err := enc.Encode(rows); err != nil {
			return err
		}
	} else {
		printPluginTable(stdout, rows)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d plugin(s) failed to load", len(errs))
	}
	return nil
}

// closeUnlessStopped closes h, or gives up waiting once ctx ends: the
// process is exiting on a signal, and a compile still running in the
// background must not hold it.
func closeUnlessStopped(ctx context.Context, h *host.Host) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.Close(ctx)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// printPluginTable prints rows as a table, then the failures. Every cell
// is escaped (safetext.Escape), the plugin's strings and the failures'
// reasons above all, so that nothing a plugin wrote can move the cursor,
// forge a line or reorder the text around it.
func printPluginTable(w io.Writer, rows []pluginInfo) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PLUGIN\tVERSION\tPROVIDER\tHOSTS\tTOOLS\tLIMITS\tSHA256\tFILE")
	row := func(cells ...string) {
		for i, c := range cells {
			cells[i] = safetext.Escape(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	for _, r := range rows {
		if r.Error != "" {
			row("-", "-", "-", "-", "-", "-", "-", r.File)
			continue
		}
		l := r.Limits
		limits := fmt.Sprintf("%s, %dMiB, out %s, http %d×%s", l.Timeout, l.MemoryMiB,
			size(l.MaxOutputBytes), l.MaxHTTPRequests, size(l.MaxHTTPResponseBytes))
		row(r.Name, r.Version, r.Provider, strings.Join(r.Hosts, ","), strings.Join(r.Tools, ","), limits, r.SHA256, r.File)
	}
	tw.Flush()
	for _, r := range rows {
		if r.Error != "" {
			fmt.Fprintf(w, "\nFAILED %s: %s\n", safetext.Escape(r.File), safetext.Escape(r.Error))
		}
	}
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
