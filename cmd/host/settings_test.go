package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSettingsPrecedence: flags override the environment, which overrides
// the config file, which overrides the defaults.
func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	yaml := "backend:\n  url: https://file.example.com\n  mock: true\n  timeout: 3s\nplugins_dir: /from/file\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	type want struct {
		url     string
		mock    string // "nil", "true", "false"
		timeout time.Duration
		dir     string
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want want
	}{
		{"defaults", nil, nil, want{"", "nil", 0, "plugins"}},
		{"file", nil, []string{"--config", file}, want{"https://file.example.com", "true", 3 * time.Second, "/from/file"}},
		{"env over file", map[string]string{"OAUTH_BACKEND_URL": "https://env.example.com", "OAUTH_BACKEND_MOCK_MODE": "no"},
			[]string{"--config", file}, want{"https://env.example.com", "false", 3 * time.Second, "/from/file"}},
		{"flags over env", map[string]string{"OAUTH_BACKEND_URL": "https://env.example.com", "OAUTH_BACKEND_MOCK_MODE": "no"},
			[]string{"--config", file, "--backend-url", "https://flag.example.com", "--mock", "--backend-timeout", "7s", "--plugins", "/from/flag"},
			want{"https://flag.example.com", "true", 7 * time.Second, "/from/flag"}},
		{"--no-mock over env yes", map[string]string{"OAUTH_BACKEND_MOCK_MODE": "yes"}, []string{"--no-mock"}, want{"", "false", 0, "plugins"}},
		{"--mock=false is off", map[string]string{"OAUTH_BACKEND_MOCK_MODE": "yes"}, []string{"--mock=false"}, want{"", "false", 0, "plugins"}},
		{"--no-mock=false is on", nil, []string{"--no-mock=false"}, want{"", "true", 0, "plugins"}},
		{"empty env is unset", map[string]string{"OAUTH_BACKEND_URL": "", "OAUTH_BACKEND_MOCK_MODE": ""}, []string{"--config", file},
			want{"https://file.example.com", "true", 3 * time.Second, "/from/file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSettings(t, tt.env)
			if err := s.parse(tt.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := s.config()
			if err != nil {
				t.Fatal(err)
			}
			mock := "nil"
			if cfg.Backend.Mock != nil {
				mock = map[bool]string{true: "true", false: "false"}[*cfg.Backend.Mock]
			}
			got := want{cfg.Backend.URL, mock, cfg.Backend.Timeout, cfg.PluginsDir}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestSettingsRefusals: bad values are usage errors (exit 2), never silently
// replaced by a default.
func TestSettingsRefusals(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "unknown.yaml")
	os.WriteFile(unknown, []byte("backend:\n  url: https://a.example.com\n  mokc: true\n"), 0o600)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown config key", nil, []string{"--config", unknown}, "mokc"},
		{"missing config file", nil, []string{"--config", filepath.Join(dir, "none.yaml")}, "reading config"},
		{"bad mock env", map[string]string{"OAUTH_BACKEND_MOCK_MODE": "maybe"}, nil, "OAUTH_BACKEND_MOCK_MODE"},
		{"negative timeout", nil, []string{"--backend-timeout", "-1s"}, "must not be negative"},
		{"bad --mock value", nil, []string{"--mock=perhaps"}, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSettings(t, tt.env)
			err := s.parse(tt.args)
			if err == nil {
				_, err = s.config()
			}
			if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (%T), want a usage error containing %q", err, err, tt.want)
			}
		})
	}
}

// TestLogLevelFromEnv: LOG_LEVEL sets the level; --log-level overrides it.
func TestLogLevelFromEnv(t *testing.T) {
	for _, tt := range []struct {
		env, flag string
		debug     bool
	}{{"debug", "", true}, {"debug", "info", false}, {"", "debug", true}, {"", "", false}} {
		t.Setenv("LOG_LEVEL", tt.env)
		s := newSettings("serve", "", io.Discard)
		var args []string
		if tt.flag != "" {
			args = []string{"--log-level", tt.flag}
		}
		if err := s.parse(args); err != nil {
			t.Fatal(err)
		}
		var buf strings.Builder
		l, err := s.logger(&buf)
		if err != nil {
			t.Fatal(err)
		}
		l.Debug("probe")
		if got := strings.Contains(buf.String(), "probe"); got != tt.debug {
			t.Errorf("LOG_LEVEL=%q --log-level=%q: debug shown = %v, want %v", tt.env, tt.flag, got, tt.debug)
		}
	}
}

// testSettings returns serve's settings with the backend's environment
// cleared, then set from env, for the test's duration.
func testSettings(t *testing.T, env map[string]string) *settings {
	t.Helper()
	t.Setenv("OAUTH_BACKEND_URL", "")
	t.Setenv("OAUTH_BACKEND_MOCK_MODE", "")
	for k, v := range env {
		t.Setenv(k, v)
	}
	return newSettings("serve", "", io.Discard)
}

// A plugin folder that is not there stops serve and plugins with exit 2; an
// empty one does not (plugins may be added while the host runs).
func TestMissingPluginFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	for _, cmd := range []string{"serve", "plugins"} {
		var stderr strings.Builder
		code := run(t.Context(), []string{cmd, "--mock", "--plugins", missing}, strings.NewReader(""), io.Discard, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), "plugin folder") {
			t.Errorf("%s with a missing folder: exit %d, stderr %q; want exit %d naming the folder", cmd, code, stderr.String(), exitUsage)
		}
	}
	var stderr strings.Builder
	if code := run(t.Context(), []string{"serve", "--mock", "--watch=false", "--cache-dir", "off", "--plugins", t.TempDir()}, strings.NewReader(""), io.Discard, &stderr); code != 0 {
		t.Errorf("serve with an empty folder: exit %d, want 0 (stdin at EOF)\n%s", code, stderr.String())
	}
}
