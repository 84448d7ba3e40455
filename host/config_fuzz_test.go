package host

import (
	"testing"
	"unicode/utf8"
)

// configSeeds are the fuzzer's starting points: every key, and the
// mistakes the refusal tests make.
var configSeeds = []string{
	`backend:
  url: https://auth.example.com
  mock: false
  timeout: 10s
plugins_dir: plugins
cache_dir: ""
limits:
  timeout: 30s
  memory_mib: 64
  max_output_bytes: 1048576
  max_http_response_bytes: 4194304
  max_http_requests: 16
pool:
  warm: 2
  max_idle: 64
  idle_ttl: 5m
  max_bytes: 0
  per_user: false
calls:
  max_in_flight: 64
  per_user_in_flight: 8
  per_user_rate: 10
  per_user_burst: 20
providers:
  notion:
    hosts: ["https://api.notion.com"]
require_sha256: false
plugins:
  github:
    upstreams:
      "https://api.github.com": "https://github.example.com/api/v3"
    sha256: ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789
    limits: {max_http_requests: 4}
`,
	"limits:\n  timeout: 30\n",
	"limits:\n  timeout: soon\n",
	"pool:\n  idle_ttl: [1]\n",
	"calls:\n  per_user_rate: .nan\n",
	"calls: {per_user_burst: -1, per_user_rate: -1}\n",
	"plugins:\n  github:\n    upstreams:\n      \"https://api.github.com\": \"https://u:p@x.example.com\"\n",
	"providers:\n  notion: {}\n",
	"a: &x [*x]\n",
	"",
}

// FuzzParseConfig: any bytes parse or are refused with an error, never a
// panic; an accepted config passes Validate again, and its call bounds,
// once defaulted, bound something; the error for valid UTF-8 is valid UTF-8
// (clipValue cuts at character boundaries).
func FuzzParseConfig(f *testing.F) {
	for _, s := range configSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			msg := err.Error()
			if utf8.Valid(data) && !utf8.ValidString(msg) {
				t.Errorf("invalid UTF-8 in the error for valid input: %q", msg)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted, then refused by Validate: %v", err)
		}
		calls := c.Calls.Or(DefaultCalls())
		if calls.MaxInFlight == 0 || calls.PerUserInFlight == 0 || calls.PerUserRate == 0 || calls.PerUserBurst < 1 {
			t.Errorf("calls %+v after the defaults: a zero bound", calls)
		}
		if c.Limits.Timeout < 0 {
			t.Errorf("a negative timeout accepted: %v", c.Limits.Timeout)
		}
		newGate(c.Calls, nil) // builds whatever was accepted
	})
}
