package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateBackendURL(t *testing.T) {
	ok := []string{
		"https://api.example.com",
		"https://api.example.com/",
		"https://api.example.com:8443/prefix/",
		"HTTPS://API.EXAMPLE.COM",
		"https://user:pass@api.example.com",
		"  https://api.example.com\n",
		"http://127.0.0.1:8080",
		"http://127.5.6.7",
		"http://[::1]:9000/x",
		"http://[::ffff:127.0.0.1]",
		"http://localhost:3000",
		"http://LocalHost",
		"http://localhost.",
	}
	for _, u := range ok {
		if err := ValidateBackendURL(u); err != nil {
			t.Errorf("ValidateBackendURL(%q) = %v, want nil", u, err)
		}
	}

	bad := []struct{ url, want string }{
		{"http://api.example.com", "http is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost)"},
		{"http://10.0.0.1", "must be reached over https"},
		{"http://localhost.example.com", "must be reached over https"},
		{"http://foo.localhost", "must be reached over https"},
		{"http://[::2]", "must be reached over https"},
		{"ftp://api.example.com", "the scheme must be https, not ftp"},
		{"api.example.com", "it must be absolute"},
		{"/api", "it must be absolute"},
		{"https://", "it has no host"},
		{"https:api.example.com", "it has no host"},
		{"https://api.example.com?x=1", "must not have a query or fragment"},
		{"https://api.example.com/#frag", "must not have a query or fragment"},
		{"https://api.example.com:port", "invalid backend URL"},
		{"https://user:hunter2@api.example.com:bad", "invalid backend URL"},
		{"http://user:hunter2@example.com", "must be reached over https"},
	}
	for _, tt := range bad {
		err := ValidateBackendURL(tt.url)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ValidateBackendURL(%q) = %v, want an error containing %q", tt.url, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ValidateBackendURL(%q) error repeats the password: %v", tt.url, err)
		}
	}
}

func TestValidateBackendURLEmpty(t *testing.T) {
	for _, u := range []string{"", "   "} {
		err := ValidateBackendURL(u)
		if !errors.Is(err, ErrNoBackendURL) {
			t.Fatalf("ValidateBackendURL(%q) = %v, want ErrNoBackendURL", u, err)
		}
		for _, want := range []string{"No backend URL configured", "OAUTH_BACKEND_URL", "--backend-url", "backend.url"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	}
	if _, err := NewBackend(BackendConfig{}); !errors.Is(err, ErrNoBackendURL) {
		t.Errorf("NewBackend without URL = %v, want ErrNoBackendURL", err)
	}
}

func TestNewBackendConfig(t *testing.T) {
	if _, err := NewBackend(BackendConfig{URL: "http://example.com"}); err == nil {
		t.Error("NewBackend accepted http to a remote host")
	}
	if _, err := NewBackend(BackendConfig{URL: "https://example.com", Timeout: -1}); err == nil {
		t.Error("NewBackend accepted a negative timeout")
	}
	if _, err := NewBackend(BackendConfig{URL: "https://example.com", RetryBackoff: -1}); err == nil {
		t.Error("NewBackend accepted a negative backoff")
	}
	b, err := NewBackend(BackendConfig{URL: "https://u:secret@example.com/base/"})
	if err != nil {
		t.Fatal(err)
	}
	if b.timeout != DefaultTimeout || b.backoff != DefaultRetryBackoff || b.userAgent != DefaultUserAgent {
		t.Errorf("defaults: timeout %v backoff %v user agent %q", b.timeout, b.backoff, b.userAgent)
	}
	if b.endpoint != "https://u:secret@example.com/base/api/connectors/requestAuth" {
		t.Errorf("endpoint = %s", b.endpoint)
	}
	if strings.Contains(b.logURL, "secret") {
		t.Errorf("log URL %s shows the password", b.logURL)
	}
}
