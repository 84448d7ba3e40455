package host

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/token"

	"github.com/wasmcp/wasmcp/hostfuncs"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// Config is the operator's configuration, read from YAML (see LoadConfig) and
// then completed by environment variables and flags in cmd/host. The zero
// value of every field means "use the default"; Defaults lists them.
type Config struct {
	// Backend is the OAuth token backend.
	Backend BackendConfig `yaml:"backend"`
	// PluginsDir is the folder of *.wasm plugins.
	PluginsDir string `yaml:"plugins_dir"`
	// CacheDir holds wazero's compilation cache; "off" disables it.
	CacheDir string `yaml:"cache_dir"`
	// Limits apply to every plugin unless its own entry overrides them.
	Limits Limits `yaml:"limits"`
	// Pool tunes the instance pools of all plugins.
	Pool PoolConfig `yaml:"pool"`
	// Calls bounds the tool calls running at once and each user's rate of
	// calls, over either transport; see gate.
	Calls CallsConfig `yaml:"calls"`
	// Providers adds token hosts for providers the host does not know, or
	// extra hosts for ones it does. A plugin may only declare hosts of its
	// provider.
	Providers map[string]ProviderConfig `yaml:"providers"`
	// Plugins holds per-plugin settings, keyed by plugin name.
	Plugins map[string]PluginConfig `yaml:"plugins"`
	// RequireSHA256 refuses every plugin file whose digest is not pinned
	// under plugins.<name>.sha256 of the plugin it declares.
	RequireSHA256 bool `yaml:"require_sha256"`
	// Registry is where plugins pulled from a registry are kept.
	Registry RegistryConfig `yaml:"registry"`
}

// BackendConfig configures the token exchange.
type BackendConfig struct {
	// URL of the backend; POST {URL}/api/connectors/requestAuth.
	URL string `yaml:"url"`
	// Mock returns fixed per-provider tokens instead of calling the backend.
	Mock *bool `yaml:"mock"`
	// Timeout of one exchange (default 10s), never beyond the call's deadline.
	Timeout time.Duration `yaml:"timeout"`
	// Proxy is an HTTP proxy through which to reach an https backend; ""
	// means none. The environment's HTTPS_PROXY is never used.
	Proxy string `yaml:"proxy"`
	// ConnectURL is where a user connects a provider to their account,
	// a template with {userId} and {providerId}; "" turns the connect flow
	// off. See connect.go.
	ConnectURL string `yaml:"connect_url"`
	// ConnectStateKeyFile holds the key of the requestState HMAC, shared
	// by replicas; "" means a random key per process.
	ConnectStateKeyFile string `yaml:"connect_state_key_file"`
	// ConnectStateTTL is how long a requestState stays valid (default
	// DefaultConnectStateTTL).
	ConnectStateTTL time.Duration `yaml:"connect_state_ttl"`
}

// ProviderConfig lists the base URLs a provider's token may be sent to.
type ProviderConfig struct {
	Hosts []string `yaml:"hosts"`
}

// PluginConfig is one plugin's operator settings.
type PluginConfig struct {
	// Upstreams sends the plugin's requests for one base URL to another.
	Upstreams map[string]string `yaml:"upstreams"`
	// SHA256 pins the plugin file's digest (hex); a mismatch refuses it.
	SHA256 string `yaml:"sha256"`
	// Limits override the global limits field by field.
	Limits Limits `yaml:"limits"`
	// Source, oci://registry/repository:tag or @sha256:<digest>, pulls
	// the plugin from a registry instead of the plugin folder; Verify asks
	// for its cosign signature. See config_source.go.
	Source string       `yaml:"source"`
	Verify VerifyConfig `yaml:"verify"`
	// PulledFile is the file pulled from Source, set by whoever pulled it
	// (cmd/host), never by the YAML: only it may serve the name.
	PulledFile string `yaml:"-"`
}

// Limits bound one tool call. A zero field takes the default.
type Limits struct {
	// Timeout is the wall-clock deadline of the whole call, exchange included.
	Timeout time.Duration `yaml:"timeout"`
	// MemoryMiB caps each linear memory of a plugin instance.
	MemoryMiB int `yaml:"memory_mib"`
	// MaxOutputBytes caps the plugin's result.
	MaxOutputBytes int64 `yaml:"max_output_bytes"`
	// MaxHTTPResponseBytes caps each HTTP response body handed to the plugin.
	MaxHTTPResponseBytes int64 `yaml:"max_http_response_bytes"`
	// MaxHTTPRequests caps the host HTTP calls one tool call may make.
	MaxHTTPRequests int `yaml:"max_http_requests"`
	// MaxLogRecords and MaxLogBytes are one call's log budget: the lines,
	// and their bytes, the plugin may cause; past it lines are dropped and
	// one line says how many.
	MaxLogRecords int   `yaml:"max_log_records"`
	MaxLogBytes   int64 `yaml:"max_log_bytes"`
}

// PoolConfig tunes instance reuse; see RATIONALE.md, "Why per-user instances?".
type PoolConfig struct {
	// Warm is how many fresh instances each plugin keeps ready for users
	// that have no idle instance of their own.
	Warm int `yaml:"warm"`
	// MaxIdle caps the idle per-user instances of one plugin.
	MaxIdle int `yaml:"max_idle"`
	// IdleTTL drops an idle instance not reused within it.
	IdleTTL time.Duration `yaml:"idle_ttl"`
	// PerUser keeps one instance per user, as before resets, even for a
	// plugin whose instances can be reset and shared (see reset.go). It
	// costs an instance per active user.
	PerUser bool `yaml:"per_user"`
	// SpareTTL closes a clean instance beyond the warm set that no call has
	// taken within it; GrowAfter is how long a call that finds no clean
	// instance, while others are out on calls, waits for one to come back
	// before it may make one (negative: it does not wait), and longer
	// while the instances out are computing. See poolspare.go and
	// poolwait.go.
	SpareTTL  time.Duration `yaml:"spare_ttl"`
	GrowAfter time.Duration `yaml:"grow_after"`
	// UnloadAfter frees a plugin's instances and compiled code once no
	// call has come for it (negative: never); its next call loads them
	// again from the on-disk caches. Preload compiles every plugin at
	// start instead of at its first call. See resident.go.
	UnloadAfter time.Duration `yaml:"unload_after"`
	Preload     bool          `yaml:"preload"`
	// MaxBytes is the memory budget of all plugins' instances together, in
	// bytes; 0 means none. A call that needs a new instance past it waits
	// for one to close, until its deadline (see memBudget).
	MaxBytes int64 `yaml:"max_bytes"`
}

// CallsConfig bounds the work clients can start; see RATIONALE.md, "Why cap
// calls in flight, per host and per user?". A zero field takes the default;
// a negative one means no limit. A user is the userId of a call's _meta.
type CallsConfig struct {
	// MaxInFlight caps the tool calls running at once, all users together.
	MaxInFlight int `yaml:"max_in_flight"`
	// PerUserInFlight caps the tool calls one user has running at once.
	PerUserInFlight int `yaml:"per_user_in_flight"`
	// PerUserRate is the calls per second one user may start, on average.
	PerUserRate float64 `yaml:"per_user_rate"`
	// PerUserBurst is how many calls a user may start at once, above the
	// rate, after a quiet spell.
	PerUserBurst int `yaml:"per_user_burst"`
}

var defaultCalls = CallsConfig{MaxInFlight: 64, PerUserInFlight: 8, PerUserRate: 10, PerUserBurst: 20}

// DefaultCalls returns the call bounds used where none are configured.
func DefaultCalls() CallsConfig { return defaultCalls }

// NoCallBounds returns call bounds that are all off: for measurements (host
// bench) and tests that are not about the bounds.
func NoCallBounds() CallsConfig {
	return CallsConfig{MaxInFlight: -1, PerUserInFlight: -1, PerUserRate: -1}
}

// Or returns c with each zero field taken from d.
func (c CallsConfig) Or(d CallsConfig) CallsConfig {
	if c.MaxInFlight == 0 {
		c.MaxInFlight = d.MaxInFlight
	}
	if c.PerUserInFlight == 0 {
		c.PerUserInFlight = d.PerUserInFlight
	}
	if c.PerUserRate == 0 {
		c.PerUserRate = d.PerUserRate
	}
	if c.PerUserBurst == 0 {
		c.PerUserBurst = d.PerUserBurst
	}
	return c
}

func (c CallsConfig) validate() error {
	if math.IsNaN(c.PerUserRate) || math.IsInf(c.PerUserRate, 0) {
		return fmt.Errorf("calls.per_user_rate: want calls per second, a finite number, got %v", c.PerUserRate)
	}
	if c.PerUserBurst < 0 {
		return fmt.Errorf("calls.per_user_burst %d must not be negative (set per_user_rate: -1 for no rate limit)", c.PerUserBurst)
	}
	return nil
}

// DefaultLimits are the limits of a plugin nobody configured.
var defaultLimits = Limits{
	Timeout:              30 * time.Second,
	MemoryMiB:            64,
	MaxOutputBytes:       1 << 20,
	MaxHTTPResponseBytes: 4 << 20,
	MaxHTTPRequests:      16,
	MaxLogRecords:        hostfuncs.DefaultMaxLogRecords,
	MaxLogBytes:          hostfuncs.DefaultMaxLogBytes,
}

var defaultPool = PoolConfig{Warm: 2, MaxIdle: 64, IdleTTL: 5 * time.Minute, SpareTTL: defaultSpareTTL, GrowAfter: defaultGrowAfter, UnloadAfter: defaultUnloadAfter}

// DefaultLimits returns the limits used where none are configured.
func DefaultLimits() Limits { return defaultLimits }

// DefaultPool returns the pool settings used where none are configured.
func DefaultPool() PoolConfig { return defaultPool }

// Or returns l with each zero field taken from d.
func (l Limits) Or(d Limits) Limits {
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.MemoryMiB <= 0 {
		l.MemoryMiB = d.MemoryMiB
	}
	if l.MaxOutputBytes <= 0 {
		l.MaxOutputBytes = d.MaxOutputBytes
	}
	if l.MaxHTTPResponseBytes <= 0 {
		l.MaxHTTPResponseBytes = d.MaxHTTPResponseBytes
	}
	if l.MaxHTTPRequests <= 0 {
		l.MaxHTTPRequests = d.MaxHTTPRequests
	}
	if l.MaxLogRecords <= 0 {
		l.MaxLogRecords = d.MaxLogRecords
	}
	if l.MaxLogBytes <= 0 {
		l.MaxLogBytes = d.MaxLogBytes
	}
	return l
}

// Or returns p with each zero field taken from d.
func (p PoolConfig) Or(d PoolConfig) PoolConfig {
	if p.Warm == 0 {
		p.Warm = d.Warm
	}
	if p.Warm < 0 {
		p.Warm = 0
	}
	if p.MaxIdle == 0 {
		p.MaxIdle = d.MaxIdle
	}
	if p.MaxIdle < 0 {
		p.MaxIdle = 0
	}
	if p.IdleTTL <= 0 {
		p.IdleTTL = d.IdleTTL
	}
	if p.SpareTTL <= 0 {
		p.SpareTTL = d.SpareTTL
	}
	if p.GrowAfter == 0 {
		p.GrowAfter = d.GrowAfter
	}
	if p.GrowAfter < 0 {
		p.GrowAfter = 0
	}
	if p.UnloadAfter == 0 {
		p.UnloadAfter = d.UnloadAfter
	}
	if p.UnloadAfter < 0 {
		p.UnloadAfter = 0
	}
	return p
}

// minMemoryMiB is what a stock-Go guest needs to instantiate (52 pages),
// rounded up.
const minMemoryMiB = 4

func (l Limits) validate(where string) error {
	if l.MemoryMiB != 0 && l.MemoryMiB < minMemoryMiB {
		return fmt.Errorf("%s: memory_mib %d is below the minimum of %d", where, l.MemoryMiB, minMemoryMiB)
	}
	if l.MemoryMiB > 4096 {
		return fmt.Errorf("%s: memory_mib %d is above the Wasm maximum of 4096", where, l.MemoryMiB)
	}
	if l.Timeout < 0 || l.MaxOutputBytes < 0 || l.MaxHTTPResponseBytes < 0 || l.MaxHTTPRequests < 0 ||
		l.MaxLogRecords < 0 || l.MaxLogBytes < 0 {
		return fmt.Errorf("%s: limits must not be negative", where)
	}
	return nil
}

// LoadConfig reads a YAML config file. Unknown keys are an error, so a typo
// never silently falls back to a default.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading config: %w", err)
	}
	return ParseConfig(data)
}

// ParseConfig parses YAML config bytes; see LoadConfig.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	if err := decodeYAML(data, &c); err != nil {
		return Config{}, fmt.Errorf("config: %s", yamlError(err))
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// decodeYAML decodes data into c, strictly. The decoder panics on some
// malformed files (a tag with no value on a list: "hosts: !x", found by
// FuzzParseConfig); such a file is refused like any other mistake.
func decodeYAML(data []byte, c *Config) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML decoder failed on this file (%v): look for a tag such as !x with no value", r)
		}
	}()
	return yaml.UnmarshalWithOptions(data, c, yaml.Strict())
}

// yamlError words a decoding error for the operator. A duration written
// as a bare number ("timeout: 30") or a malformed string gets the fix, not
// the decoder's Go types.
func yamlError(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) && te.DstType == reflect.TypeFor[time.Duration]() && te.Token != nil {
		got := clipValue(te.Token.Value)
		if te.SrcType != nil {
			switch te.SrcType.Kind() {
			case reflect.Slice, reflect.Array:
				got = "a list"
			case reflect.Map, reflect.Struct:
				got = "a mapping"
			}
		}
		msg := fmt.Sprintf("%s: want a duration like 30s, got %s", yamlKey(te.Token), got)
		if _, nerr := strconv.ParseFloat(te.Token.Value, 64); nerr == nil {
			msg += ": add a unit (ms, s, m or h)"
		}
		return yaml.FormatErrorWithToken(msg, te.Token, false, true)
	}
	if msg := err.Error(); strings.HasPrefix(msg, "time: ") {
		// time.ParseDuration's error, which the decoder returns bare.
		return clipValue(strings.TrimPrefix(msg, "time: ")) + ": want a duration like 30s"
	}
	return yaml.FormatError(err, false, true)
}

// yamlKey names the mapping key whose value is tk, or "value".
func yamlKey(tk *token.Token) string {
	if p := tk.Prev; p != nil && p.Type == token.MappingValueType && p.Prev != nil {
		return clipValue(p.Prev.Value)
	}
	return "value"
}

// clipValue cuts a config value quoted in an error to a readable length.
func clipValue(s string) string {
	return safetext.Clip(s, 64)
}

// Validate checks the values that YAML typing cannot.
func (c Config) Validate() error {
	if err := c.Limits.validate("limits"); err != nil {
		return err
	}
	if err := c.Calls.validate(); err != nil {
		return err
	}
	if err := c.Backend.validateConnect(); err != nil {
		return err
	}
	for name, p := range c.Plugins {
		if err := p.Limits.validate("plugins." + name + ".limits"); err != nil {
			return err
		}
		if len(p.Upstreams) > 0 {
			// Checked at start against the mapping's own keys, so that a bad
			// target stops the host instead of only refusing the plugin at
			// load; the keys are checked against the plugin's hosts at load.
			keys := make([]string, 0, len(p.Upstreams))
			for k := range p.Upstreams {
				keys = append(keys, k)
			}
			if _, err := hostfuncs.NewPolicy(keys, p.Upstreams); err != nil {
				return fmt.Errorf("plugins.%s.upstreams: %w", name, err)
			}
		}
		if p.SHA256 != "" && !isHexSHA256(p.SHA256) {
			return fmt.Errorf("plugins.%s.sha256: want 64 hexadecimal digits, got %q", name, p.SHA256)
		}
		if err := p.validateSource(name, c.RequireSHA256); err != nil {
			return err
		}
	}
	for id, p := range c.Providers {
		if len(p.Hosts) == 0 {
			return fmt.Errorf("providers.%s.hosts: list at least one base URL", id)
		}
	}
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
			return false
		}
	}
	return true
}
