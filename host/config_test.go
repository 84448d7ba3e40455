package host

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`
backend:
  url: https://auth.example.com
  mock: false
  timeout: 4s
  proxy: http://proxy.internal:3128
plugins_dir: /srv/plugins
limits:
  timeout: 20s
  memory_mib: 32
  max_log_records: 50
pool:
  warm: -1
plugins:
  github:
    upstreams:
      "https://api.github.com": "https://github.example.com/api/v3"
    sha256: ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789
    limits:
      max_http_requests: 4
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Backend.URL != "https://auth.example.com" || c.Backend.Mock == nil || *c.Backend.Mock || c.Backend.Timeout != 4*time.Second ||
		c.Backend.Proxy != "http://proxy.internal:3128" {
		t.Errorf("backend = %+v", c.Backend)
	}
	if c.PluginsDir != "/srv/plugins" || c.Limits.Timeout != 20*time.Second || c.Limits.MemoryMiB != 32 {
		t.Errorf("config = %+v", c)
	}
	gh := c.Plugins["github"]
	if gh.Upstreams["https://api.github.com"] != "https://github.example.com/api/v3" || gh.Limits.MaxHTTPRequests != 4 {
		t.Errorf("plugins.github = %+v", gh)
	}
	// Per-plugin limits override the global ones field by field, over the defaults.
	eff := gh.Limits.Or(c.Limits.Or(DefaultLimits()))
	if eff.MaxHTTPRequests != 4 || eff.Timeout != 20*time.Second || eff.MaxOutputBytes != DefaultLimits().MaxOutputBytes ||
		eff.MaxLogRecords != 50 || eff.MaxLogBytes != 64<<10 {
		t.Errorf("effective limits = %+v", eff)
	}
	if p := c.Pool.Or(DefaultPool()); p.Warm != 0 || p.MaxIdle != DefaultPool().MaxIdle {
		t.Errorf("pool = %+v, want no warm set and the default max_idle", p)
	}
	if calls := c.Calls.Or(DefaultCalls()); calls != DefaultCalls() {
		t.Errorf("calls = %+v, want the defaults", calls)
	}
	if empty, err := ParseConfig([]byte("  \n")); err != nil || empty.PluginsDir != "" {
		t.Errorf("an empty file = %+v, %v; want the zero config", empty, err)
	}
}

// Every mistake is refused at start with a message naming the key, never
// replaced by a default.
func TestParseConfigRefusals(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown top-level key", "plugin_dir: x\n", "plugin_dir"},
		{"unknown nested key", "backend:\n  mokc: true\n", "mokc"},
		{"unknown limit", "limits:\n  cpu: 2\n", "cpu"},
		{"wrong type", "limits:\n  max_http_requests: many\n", "max_http_requests"},
		{"bad duration", "limits:\n  timeout: soon\n", `invalid duration "soon": want a duration like 30s`},
		{"duration without a unit", "limits:\n  timeout: 30\n", "[2:12] timeout: want a duration like 30s, got 30: add a unit"},
		{"backend duration without a unit", "backend:\n  timeout: 1.5\n", "timeout: want a duration like 30s, got 1.5"},
		{"quoted duration without a unit", "pool:\n  idle_ttl: \"300\"\n", `missing unit in duration "300": want a duration like 30s`},
		{"duration as a list", "pool:\n  idle_ttl: [1]\n", "idle_ttl: want a duration like 30s, got a list"},
		{"tag without a value on a list", "providers:\n  x:\n    hosts: !t\n", "the YAML decoder failed"},
		{"calls: negative burst", "calls:\n  per_user_burst: -1\n", "calls.per_user_burst -1 must not be negative"},
		{"calls: rate not finite", "calls:\n  per_user_rate: .inf\n", "calls.per_user_rate: want calls per second, a finite number"},
		{"calls: unknown key", "calls:\n  max_inflight: 3\n", "max_inflight"},
		{"memory too small", "limits:\n  memory_mib: 1\n", "memory_mib 1 is below"},
		{"memory too large", "plugins:\n  x:\n    limits:\n      memory_mib: 5000\n", "plugins.x.limits: memory_mib 5000"},
		{"negative limit", "limits:\n  max_http_requests: -1\n", "must not be negative"},
		{"negative log budget", "plugins:\n  x:\n    limits:\n      max_log_bytes: -1\n", "plugins.x.limits: limits must not be negative"},
		{"bad sha256", "plugins:\n  x:\n    sha256: abc\n", "plugins.x.sha256"},
		{"provider without hosts", "providers:\n  notion: {}\n", "providers.notion.hosts"},
		{"plain http upstream off loopback", "plugins:\n  github:\n    upstreams:\n      \"https://api.github.com\": \"http://10.1.2.3\"\n",
			"plugins.github.upstreams"},
		{"upstream key not https", "plugins:\n  github:\n    upstreams:\n      \"http://api.github.com\": \"https://x.example.com\"\n",
			"must be https"},
		{"upstream target with userinfo", "plugins:\n  github:\n    upstreams:\n      \"https://api.github.com\": \"https://u:p@x.example.com\"\n",
			"plugins.github.upstreams"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// A refused upstream's credentials are not repeated in the error.
func TestParseConfigRedactsUpstreamCredentials(t *testing.T) {
	_, err := ParseConfig([]byte("plugins:\n  github:\n    upstreams:\n      \"https://api.github.com\": \"https://bob:s3cret@ghe.example.com/api?access_token=t0ken\"\n"))
	if err == nil {
		t.Fatal("userinfo and query in an upstream were accepted")
	}
	if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "t0ken") || strings.Contains(err.Error(), "bob") {
		t.Errorf("the error repeats the credentials: %v", err)
	}
}

// The calls section: each field overrides its default; -1 turns a bound off.
func TestParseConfigCalls(t *testing.T) {
	c, err := ParseConfig([]byte("calls:\n  max_in_flight: 16\n  per_user_in_flight: -1\n  per_user_rate: 0.5\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := CallsConfig{MaxInFlight: 16, PerUserInFlight: -1, PerUserRate: 0.5, PerUserBurst: DefaultCalls().PerUserBurst}
	if got := c.Calls.Or(DefaultCalls()); got != want {
		t.Errorf("calls = %+v, want %+v", got, want)
	}
	// stdio ran 64 calls at once before the gate; the default keeps that.
	if d := DefaultCalls(); d.MaxInFlight != 64 || d.PerUserInFlight > d.MaxInFlight || d.PerUserBurst < 1 || d.PerUserRate <= 0 {
		t.Errorf("defaults = %+v", d)
	}
}
