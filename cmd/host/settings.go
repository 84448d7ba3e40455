package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/host/auth"
)

// errHelp is returned when --help was asked for; see helpError.
var errHelp = errors.New("help requested")

// helpError is --help: run prints the usage on stdout, so that
// "host serve --help | less" shows it, and exits 0.
type helpError struct{ usage string }

func (e helpError) Error() string        { return errHelp.Error() }
func (e helpError) Is(target error) bool { return target == errHelp }

// parseFlags parses args with fs, which prints nothing itself: --help
// returns a helpError with the usage that usage writes, and a bad flag a
// usageError that run prints, once, on stderr.
func parseFlags(fs *flag.FlagSet, usage func(io.Writer), args []string) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		var b strings.Builder
		fs.SetOutput(&b)
		usage(&b)
		fs.SetOutput(io.Discard)
		return helpError{b.String()}
	}
	if err != nil {
		return usageError{fmt.Errorf("%w (see \"host %s --help\")", err, fs.Name())}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// parseWithOperands is parseFlags for a command that takes want operands
// (file names...), which may come before, between or after its flags, as in
// "host call FILE TOOL --args {}". "--" ends the flags.
func parseWithOperands(fs *flag.FlagSet, usage func(io.Writer), args []string, want int) ([]string, error) {
	var operands []string
	for {
		fs.SetOutput(io.Discard)
		fs.Usage = func() {}
		if err := fs.Parse(args); err != nil {
			return nil, parseFlags(fs, usage, args) // its help, or its error
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			operands = append(operands, rest...)
			break
		}
		operands, args = append(operands, rest[0]), rest[1:]
	}
	if len(operands) != want {
		return nil, usageError{fmt.Errorf("want %d operands, got %d (see \"host %s --help\")", want, len(operands), fs.Name())}
	}
	return operands, nil
}

// settings are the flags shared by the commands. Precedence, highest first:
// flags, environment, config file, defaults.
type settings struct {
	configFile string
	pluginsDir string
	backendURL string
	mock       *bool
	timeout    time.Duration
	cacheDir   string
	logLevel   string
	logFormat  string
	fs         *flag.FlagSet
	usage      string
	extraEnv   string // a command's own environment variables, for its usage
}

// newSettings makes the flag set of a command with the shared flags. Its
// usage and flag errors reach run, which prints them; the last parameter is
// no longer used.
func newSettings(name, usage string, _ io.Writer) *settings {
	s := &settings{fs: flag.NewFlagSet(name, flag.ContinueOnError), usage: usage}
	fs := s.fs
	fs.StringVar(&s.configFile, "config", "", "YAML config `file` (see README, \"Configuration\")")
	fs.StringVar(&s.pluginsDir, "plugins", "", "plugin `folder` of *.wasm files (default \"plugins\", or plugins_dir in the config)")
	fs.StringVar(&s.backendURL, "backend-url", "", "OAuth backend base `URL` (env OAUTH_BACKEND_URL; https, or http on loopback only)")
	fs.BoolFunc("mock", "mock mode: fixed per-provider tokens, no backend (env OAUTH_BACKEND_MOCK_MODE=yes)", func(v string) error {
		b, err := strconv.ParseBool(v)
		s.mock = &b
		return err
	})
	fs.BoolFunc("no-mock", "use the backend even if the environment or config enables mock mode", func(v string) error {
		b, err := strconv.ParseBool(v)
		b = !b
		s.mock = &b
		return err
	})
	fs.DurationVar(&s.timeout, "backend-timeout", 0, "timeout of one token exchange (default 10s)")
	fs.StringVar(&s.cacheDir, "cache-dir", "", "compilation cache `dir` (default: the user cache dir; \"off\" disables it)")
	fs.StringVar(&s.logLevel, "log-level", "", "log `level`: debug, info, warn or error (env LOG_LEVEL; default info)")
	fs.StringVar(&s.logFormat, "log-format", "", "log `format`: text or json (default text)")
	return s
}

// writeUsage writes the command's usage, flags and environment.
func (s *settings) writeUsage(w io.Writer) {
	fmt.Fprint(w, s.usage)
	fmt.Fprintln(w, "\nFlags:")
	s.fs.PrintDefaults()
	fmt.Fprint(w, envUsage+s.extraEnv)
	fmt.Fprintln(w, "Flags override the environment; the environment overrides the config file.")
}

const envUsage = `
Environment:
  OAUTH_BACKEND_URL        backend base URL (overridden by --backend-url)
  OAUTH_BACKEND_MOCK_MODE  "yes" or "no" (overridden by --mock / --no-mock)
  LOG_LEVEL                debug, info, warn or error (overridden by --log-level)
`

// parse parses args; see parseFlags.
func (s *settings) parse(args []string) error {
	return parseFlags(s.fs, s.writeUsage, args)
}

// parseOperands parses args with want operands; see parseWithOperands.
func (s *settings) parseOperands(args []string, want int) ([]string, error) {
	return parseWithOperands(s.fs, s.writeUsage, args, want)
}

// isSet reports whether the flag was given on the command line.
func (s *settings) isSet(name string) bool {
	set := false
	s.fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// config resolves the configuration from the file, the environment and the
// flags.
func (s *settings) config() (host.Config, error) {
	var cfg host.Config
	if s.configFile != "" {
		c, err := host.LoadConfig(s.configFile)
		if err != nil {
			return cfg, usageError{err}
		}
		cfg = c
	}
	if v, ok := os.LookupEnv("OAUTH_BACKEND_URL"); ok && v != "" {
		cfg.Backend.URL = v
	}
	if v, ok := os.LookupEnv("OAUTH_BACKEND_MOCK_MODE"); ok && v != "" {
		b, err := parseYesNo(v)
		if err != nil {
			return cfg, usageError{fmt.Errorf("OAUTH_BACKEND_MOCK_MODE: %w", err)}
		}
		cfg.Backend.Mock = &b
	}
	if s.backendURL != "" {
		cfg.Backend.URL = s.backendURL
	}
	if s.mock != nil {
		cfg.Backend.Mock = s.mock
	}
	if s.timeout < 0 {
		return cfg, usageError{errors.New("--backend-timeout must not be negative")}
	}
	if s.timeout > 0 {
		cfg.Backend.Timeout = s.timeout
	}
	if s.pluginsDir != "" {
		cfg.PluginsDir = s.pluginsDir
	}
	if cfg.PluginsDir == "" {
		cfg.PluginsDir = "plugins"
	}

	if s.cacheDir != "" {
		cfg.CacheDir = s.cacheDir
	}
	return cfg, nil
}

// checkPluginFolder refuses a plugin folder that is not there: a mistake,
// where an empty folder is not (plugins may be added while the host runs).
func checkPluginFolder(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return usageError{fmt.Errorf("plugin folder: %w (set --plugins or plugins_dir)", err)}
	}
	if !fi.IsDir() {
		return usageError{fmt.Errorf("plugin folder %s is not a directory", dir)}
	}
	return nil
}

func parseYesNo(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "y", "true", "1", "on":
		return true, nil
	case "no", "n", "false", "0", "off":
		return false, nil
	}
	return false, fmt.Errorf("want yes or no, got %q", v)
}

// exchanger builds the token exchanger the configuration asks for. Mock mode
// is off unless asked for; without it a backend URL is required.
func exchanger(cfg host.Config, logger *slog.Logger) (auth.Exchanger, error) {
	if cfg.Backend.Mock != nil && *cfg.Backend.Mock {
		logger.Warn("mock mode: tools get fixed test tokens; do not use in production")
		return auth.NewMock().WithLogger(logger), nil
	}
	b, err := auth.NewBackend(auth.BackendConfig{URL: cfg.Backend.URL, Timeout: cfg.Backend.Timeout, Proxy: cfg.Backend.Proxy, Logger: logger})
	if err != nil {
		return nil, usageError{err}
	}
	return b, nil
}

// logger builds the stderr logger; stdout belongs to the protocol.
func (s *settings) logger(stderr io.Writer) (*slog.Logger, error) {
	level := s.logLevel
	if level == "" {
		level = os.Getenv("LOG_LEVEL")
	}
	var l slog.Level
	switch strings.ToLower(level) {
	case "", "info":
		l = slog.LevelInfo
	case "debug":
		l = slog.LevelDebug
	case "warn", "warning":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		return nil, usageError{fmt.Errorf("log level %q: want debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: l}
	switch s.logFormat {
	case "", "text":
		return slog.New(slog.NewTextHandler(stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(stderr, opts)), nil
	}
	return nil, usageError{fmt.Errorf("log format %q: want text or json", s.logFormat)}
}
