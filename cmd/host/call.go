package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

const callUsage = `Usage: host call [FLAGS] FILE.wasm TOOL

Loads one plugin and runs one of its tools through the real sandbox, with
the same checks as "serve" (descriptor, schemas, arguments, host policy,
limits, scrubbing), and prints the result: the structured result as JSON on
stdout, or the tool's error on stderr with exit status 1. The token comes
from the backend (--backend-url, or OAUTH_BACKEND_URL) or, with --mock, from
mock mode. --upstream sends the plugin's requests for one of its declared
base URLs to another, as the config's upstreams do: point it at a local fake
to try a plugin without a network.

Example:
  host call --mock --upstream https://api.github.com=http://127.0.0.1:8080 \
    dist/plugins/github.wasm get_github_user
`

const describeUsage = `Usage: host describe [FLAGS] FILE.wasm

Loads one plugin as "serve" would and prints what it declares, validated:
name, version, provider, hosts, and each tool with its description and
schemas, as JSON. A plugin that fails the host's checks is refused with the
reason, exit status 1.
`

// upstreamFlag collects --upstream BASE=URL pairs.
type upstreamFlag map[string]string

func (u upstreamFlag) String() string { return "" }

func (u upstreamFlag) Set(v string) error {
	base, target, ok := strings.Cut(v, "=")
	if !ok || base == "" || target == "" {
		return fmt.Errorf("want BASE=URL, got %q", v)
	}
	u[base] = target
	return nil
}

func call(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newSettings("call", callUsage, stderr)
	argsJSON := s.fs.String("args", "{}", "the tool's arguments, a JSON `object`")
	user := s.fs.String("user", "local-user", "the call's _meta.userId")
	userToken := s.fs.String("user-token", "", "the call's _meta.userToken (env WASMCP_USER_TOKEN; in mock mode a placeholder is used when unset)")
	provider := s.fs.String("provider", "", "the call's _meta.providerId (default: the plugin's provider)")
	upstreams := upstreamFlag{}
	s.fs.Var(upstreams, "upstream", "send the plugin's requests for `BASE=URL` to URL instead (repeatable)")
	operands, err := s.parseOperands(args, 2)
	if err != nil {
		return err
	}
	file, tool := operands[0], operands[1]
	var arguments map[string]any
	dec := json.NewDecoder(strings.NewReader(*argsJSON))
	dec.UseNumber()
	if err := dec.Decode(&arguments); err != nil || arguments == nil {
		return usageError{fmt.Errorf("--args must be a JSON object: %s", *argsJSON)}
	}
	logger, err := s.logger(stderr)
	if err != nil {
		return err
	}
	cfg, err := s.config()
	if err != nil {
		return err
	}
	token := *userToken
	if token == "" {
		token = os.Getenv("WASMCP_USER_TOKEN")
	}
	if token == "" && cfg.Backend.Mock != nil && *cfg.Backend.Mock {
		token = "host-call-placeholder-token"
	}
	if token == "" {
		return usageError{errors.New("a userToken is needed to exchange at the backend: set --user-token or WASMCP_USER_TOKEN (or use --mock)")}
	}
	ex, err := exchanger(cfg, logger)
	if err != nil {
		return err
	}
	h, pl, err := loadOne(ctx, cfg, ex, logger, file, upstreams)
	if err != nil {
		return err
	}
	defer closeUnlessStopped(ctx, h)
	if *provider == "" {
		*provider = pl.Desc.Provider
	}
	req, err := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "id": 1, "method": "tools/call",
		"params": map[string]any{
			"name": tool, "arguments": arguments,
			"_meta": map[string]any{"userId": *user, "userToken": token, "providerId": *provider},
		},
	})
	if err != nil {
		return err
	}
	resp, err := json.Marshal(h.MCPServer().HandleMessage(ctx, req))
	if err != nil {
		return err
	}
	return printCallResult(resp, stdout, stderr)
}

// printCallResult prints a tools/call answer: the structured result, or the
// text of a tool error (exit 1), or a protocol error (exit 1).
func printCallResult(resp []byte, stdout, stderr io.Writer) error {
	var msg struct {
		Result *struct {
			IsError           bool            `json:"isError"`
			StructuredContent json.RawMessage `json:"structuredContent"`
			Content           []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"content"`
		} `json:"result"`
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(resp, &msg); err != nil {
		return fmt.Errorf("unreadable answer: %w", err)
	}
	switch {
	case msg.Error != nil:
		return fmt.Errorf("protocol error %d: %s", msg.Error.Code, safetext.Bounded(msg.Error.Message, 4<<10))
	case msg.Result == nil:
		return errors.New("the answer has no result")
	case msg.Result.IsError:
		for _, c := range msg.Result.Content {
			if c.Type == "text" {
				fmt.Fprintln(stderr, safetext.Bounded(c.Text, 64<<10))
			}
		}
		return errors.New("the tool failed")
	}
	if len(msg.Result.StructuredContent) > 0 {
		var out bytes.Buffer
		if err := json.Indent(&out, msg.Result.StructuredContent, "", "  "); err != nil {
			return err
		}
		out.WriteByte('\n')
		_, err := stdout.Write(out.Bytes())
		return err
	}
	for _, c := range msg.Result.Content {
		if c.Type == "text" {
			fmt.Fprintln(stdout, c.Text)
		}
	}
	return nil
}

func describePlugin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s := newSettings("describe", describeUsage, stderr)
	operands, err := s.parseOperands(args, 1)
	if err != nil {
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
	// Describing runs no tool, so no token exchange is configured.
	h, pl, err := loadOne(ctx, cfg, auth.NewMock(), logger, operands[0], nil)
	if err != nil {
		return err
	}
	defer closeUnlessStopped(ctx, h)
	raw, err := json.Marshal(pl.Desc)
	if err != nil {
		return err
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return err
	}
	out["file"], out["sha256"], out["targets"] = pl.Base(), pl.SHA256, pl.Policy.Targets()
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(b, '\n'))
	return err
}

// loadOne loads the plugin file alone, with its config's settings and, when
// given, upstreams of its own, which are keyed by its name: a first load
// learns the name (its descriptor is then cached), a second applies them.
func loadOne(ctx context.Context, cfg host.Config, ex auth.Exchanger, logger *slog.Logger, file string, upstreams map[string]string) (*host.Host, *host.Plugin, error) {
	if fi, err := os.Stat(file); err != nil || fi.IsDir() {
		return nil, nil, usageError{fmt.Errorf("%s is not a plugin file", file)}
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, nil, err
	}
	h, pl, err := loadFileIn(ctx, cfg, ex, logger, abs)
	if err != nil || len(upstreams) == 0 {
		return h, pl, err
	}
	name := pl.Name()
	closeUnlessStopped(ctx, h)
	plugins := maps.Clone(cfg.Plugins)
	if plugins == nil {
		plugins = map[string]host.PluginConfig{}
	}
	pc := plugins[name]
	pc.Upstreams = maps.Clone(pc.Upstreams)
	if pc.Upstreams == nil {
		pc.Upstreams = map[string]string{}
	}
	maps.Copy(pc.Upstreams, upstreams)
	plugins[name] = pc
	cfg.Plugins = plugins
	return loadFileIn(ctx, cfg, ex, logger, abs)
}

// loadFileIn makes a host of cfg and loads the plugin at path into it.
func loadFileIn(ctx context.Context, cfg host.Config, ex auth.Exchanger, logger *slog.Logger, path string) (*host.Host, *host.Plugin, error) {
	cfg.PluginsDir = filepath.Dir(path)
	h, err := host.New(host.Options{Config: cfg, Exchanger: ex, Logger: logger, Version: version})
	if err != nil {
		return nil, nil, usageError{err}
	}
	if err := h.Load(ctx, path); err != nil {
		closeUnlessStopped(ctx, h)
		return nil, nil, err
	}
	pl := h.Plugin(path)
	if pl == nil {
		closeUnlessStopped(ctx, h)
		return nil, nil, fmt.Errorf("%s did not load", filepath.Base(path))
	}
	return h, pl, nil
}
