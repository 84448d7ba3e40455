package hostfuncs

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestNewPolicyValidation(t *testing.T) {
	gh := []string{"https://api.github.com"}
	tests := []struct {
		name      string
		declared  []string
		upstreams map[string]string
		wantErr   string // substring; "" means success
	}{
		{"plain", gh, nil, ""},
		{"none", nil, nil, ""},
		{"port and prefix", []string{"https://example.com:8443/api/v1/"}, nil, ""},
		{"duplicates", []string{"https://api.github.com", "HTTPS://API.GITHUB.COM:443/"}, nil, ""},
		{"ip literal", []string{"https://140.82.112.6", "https://[2001:4860::1]"}, nil, ""},
		{"declared http", []string{"http://api.github.com"}, nil, `"http://api.github.com": must be https`},
		{"declared ftp", []string{"ftp://api.github.com"}, nil, "scheme must be https or http"},
		{"no scheme", []string{"api.github.com"}, nil, "scheme"},
		{"no host", []string{"https://"}, nil, "no host"},
		{"userinfo", []string{"https://user:pw@api.github.com"}, nil, "userinfo"},
		{"query", []string{"https://api.github.com/?a=1"}, nil, "query"},
		{"empty query", []string{"https://api.github.com/?"}, nil, "query"},
		{"fragment", []string{"https://api.github.com/#x"}, nil, "fragment"},
		{"dot segment", []string{"https://api.github.com/a/../b"}, nil, `"." or ".."`},
		{"bad port", []string{"https://api.github.com:99999"}, nil, "port"},
		{"zone", []string{"https://[fe80::1%25eth0]"}, nil, "IP address"},
		{"numeric host", []string{"https://127.1"}, nil, "IP address"},
		{"hex host", []string{"https://0x7f.1"}, nil, "IP address"},
		{"unicode host", []string{"https://exämple.com"}, nil, "DNS name"},
		{"opaque", []string{"https:api.github.com"}, nil, "hierarchical"},

		{"map to https", gh, map[string]string{"https://api.github.com": "https://ghe.example.com/api/v3"}, ""},
		{"map key spelled differently", gh, map[string]string{"HTTPS://api.github.com:443/": "https://ghe.example.com"}, ""},
		{"map to http loopback v4", gh, map[string]string{"https://api.github.com": "http://127.0.0.1:8123"}, ""},
		{"map to http loopback 127/8", gh, map[string]string{"https://api.github.com": "http://127.9.9.9:8123"}, ""},
		{"map to http loopback v6", gh, map[string]string{"https://api.github.com": "http://[::1]:8123"}, ""},
		{"map to http localhost", gh, map[string]string{"https://api.github.com": "http://localhost:8123/x"}, ""},
		{"map to http remote", gh, map[string]string{"https://api.github.com": "http://ghe.example.com"}, "http is allowed only for loopback"},
		{"map to http private", gh, map[string]string{"https://api.github.com": "http://10.0.0.1"}, "http is allowed only for loopback"},
		{"map to http localhost subdomain", gh, map[string]string{"https://api.github.com": "http://evil.localhost"}, "http is allowed only for loopback"},
		{"map undeclared", gh, map[string]string{"https://api.gitlab.com": "https://x.example.com"}, `"https://api.gitlab.com": the plugin does not declare this host`},
		{"map prefix of declared", []string{"https://example.com/api"}, map[string]string{"https://example.com": "https://x.example.com"}, "does not declare"},
		{"map target userinfo", gh, map[string]string{"https://api.github.com": "https://u@ghe.example.com"}, "userinfo"},
		{"map target query", gh, map[string]string{"https://api.github.com": "https://ghe.example.com/?a"}, "query"},
		{"map target fragment", gh, map[string]string{"https://api.github.com": "https://ghe.example.com/#a"}, "fragment"},
		{"map twice", gh, map[string]string{"https://api.github.com": "https://a.example.com", "HTTPS://API.GITHUB.COM": "https://b.example.com"}, "name the same host"},
		{"map target ftp", gh, map[string]string{"https://api.github.com": "ftp://ghe.example.com"}, "scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPolicy(tt.declared, tt.upstreams)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if p == nil {
					t.Fatal("nil policy")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestPolicyTargets(t *testing.T) {
	p := mustPolicy(t,
		[]string{"https://api.github.com", "https://uploads.github.com:443/", "https://example.com:8443/api/"},
		map[string]string{"https://api.github.com": "https://GHE.example.com/api/v3/"})
	want := []string{"https://example.com:8443/api", "https://ghe.example.com/api/v3", "https://uploads.github.com"}
	if got := p.Targets(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Targets() = %q, want %q", got, want)
	}
	var nilPolicy *Policy
	if got := nilPolicy.Targets(); got != nil {
		t.Fatalf("nil policy Targets() = %q", got)
	}
}

func TestPolicyRoute(t *testing.T) {
	p := mustPolicy(t,
		[]string{"https://api.github.com", "https://example.com/api", "https://example.com/api/special", "https://plain.example.com"},
		map[string]string{
			"https://api.github.com":          "https://ghe.example.com/api/v3",
			"https://example.com/api/special": "http://127.0.0.1:9000/s",
		})
	tests := []struct {
		in, want    string // want "" means refused
		wantPrivate bool
	}{
		// Operator-mapped targets may be dialed on private addresses.
		{"https://api.github.com/user?per_page=1", "https://ghe.example.com/api/v3/user?per_page=1", true},
		{"https://api.github.com", "https://ghe.example.com/api/v3", true},
		{"https://api.github.com/", "https://ghe.example.com/api/v3/", true},
		{"HTTPS://API.GITHUB.COM:443/Repos/A%2FB", "https://ghe.example.com/api/v3/Repos/A%2FB", true},
		{"https://api.github.com./user#frag", "https://ghe.example.com/api/v3/user", true},
		{"https://plain.example.com", "https://plain.example.com/", false},
		{"https://example.com/api", "https://example.com/api", false},
		{"https://example.com/api/x", "https://example.com/api/x", false},
		{"https://example.com/api/special/y?z", "http://127.0.0.1:9000/s/y?z", true},
		{"https://example.com/api/specialty", "https://example.com/api/specialty", false},
		{"https://plain.example.com/x", "https://plain.example.com/x", false},
		{"https://example.com/apix", "", false},
		{"https://example.com/", "", false},
		{"https://example.com/API/x", "", false},
		{"https://api.github.com.evil.com/", "", false},
		{"https://evil.com/api.github.com", "", false},
		{"http://api.github.com/user", "", false},
		{"https://api.github.com:8443/user", "", false},
		{"https://ghe.example.com/api/v3/user", "", false},
	}
	for _, tt := range tests {
		u, err := parseRequestURL(tt.in)
		if err != nil {
			t.Fatalf("parseRequestURL(%q): %v", tt.in, err)
		}
		got, private, err := p.route(u)
		if tt.want == "" {
			if err == nil {
				t.Errorf("route(%q) = %s, want refusal", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("route(%q): %v", tt.in, err)
			continue
		}
		if got.String() != tt.want || private != tt.wantPrivate {
			t.Errorf("route(%q) = %s private=%v, want %s private=%v", tt.in, got, private, tt.want, tt.wantPrivate)
		}
	}
}

func TestParseRequestURLRefuses(t *testing.T) {
	for _, in := range []string{
		"", "not a url", "/relative", "api.github.com/user", "ftp://api.github.com/",
		"https://api.github.com@evil.com/", "https://user:pw@api.github.com/",
		"https://api.github.com/a/../b", "https://api.github.com/a/./b", "https://api.github.com/%2e%2e/admin",
		"https://api.github.com/a/..%2fadmin", "https://api.github.com/a/..%5Cadmin", "https://api.github.com/%zz",
		"https://api.github.com:0/", "https://api.github.com:65536/", "https://[fe80::1%25eth0]/",
		"https://127.1/", "https://exämple.com/", "https:opaque", "https:///nohost",
		"https://api.github.com\\@evil.com/", "https://api.github.com/a/..;x/b", "https://api.github.com/a/.%3B/b",
		"https://api.github.com/x?a b", "https://api.github.com/x?a\tb",
	} {
		if u, err := parseRequestURL(in); err == nil {
			t.Errorf("parseRequestURL(%q) = %s, want error", in, u)
		} else if r, ok := err.(*refusal); !ok || r.code != "bad_request" {
			t.Errorf("parseRequestURL(%q) error %v is not a bad_request refusal", in, err)
		}
	}
}

func TestIsTarget(t *testing.T) {
	p := mustPolicy(t, []string{"https://api.github.com", "https://uploads.github.com"},
		map[string]string{"https://api.github.com": "http://127.0.0.1:9000/v3"})
	for _, tt := range []struct {
		in          string
		ok, private bool
	}{
		{"http://127.0.0.1:9000/v3/x", true, true},
		{"http://127.0.0.1:9000/v3", true, true},
		{"http://127.0.0.1:9000/other", false, false},
		{"https://127.0.0.1:9000/v3/x", false, false},
		{"https://uploads.github.com/x", true, false},
		{"https://api.github.com/x", false, false}, // declared but mapped away
	} {
		u, _ := url.Parse(tt.in)
		ok, private := p.isTarget(u)
		if ok != tt.ok || private != tt.private {
			t.Errorf("isTarget(%s) = %v,%v want %v,%v", tt.in, ok, private, tt.ok, tt.private)
		}
	}
}
