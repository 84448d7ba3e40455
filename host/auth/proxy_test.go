package auth

import (
	"net/http"
	"strings"
	"testing"
)

// The backend client never takes a proxy from the environment.
func TestBackendIgnoresEnvironmentProxy(t *testing.T) {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"} {
		t.Setenv(k, "http://env-proxy.example.com:3128")
	}
	t.Setenv("NO_PROXY", "")
	b := newTestBackend(t, "https://backend.example.com", nil)
	if tr := b.client.Transport.(*http.Transport); tr.Proxy != nil {
		t.Fatal("the default transport has a Proxy function; it must be nil unless BackendConfig.Proxy is set")
	}
}

// An explicit proxy tunnels https exchanges (CONNECT, nothing else: the
// userToken travels inside TLS), with the proxy's credentials, which no
// error or log line repeats.
func TestBackendProxyTunnelsHTTPS(t *testing.T) {
	proxy := newBackendServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden) // refuse the tunnel: the test only needs what was asked
	})
	var logs logBuffer
	proxyURL := strings.Replace(proxy.URL, "http://", "http://ops:pw-PROXYSECRET@", 1)
	b := newTestBackend(t, "https://backend.example.com:8443", &logs, func(c *BackendConfig) { c.Proxy = proxyURL })
	_, e := b.Exchange(t.Context(), testCreds)
	if e == nil || e.Code != CodeAPIError {
		t.Fatalf("Exchange through a refusing proxy: %+v", e)
	}
	reqs := proxy.recorded()
	if len(reqs) == 0 {
		t.Fatal("the proxy received nothing")
	}
	for _, r := range reqs {
		if r.method != http.MethodConnect || len(r.body) != 0 {
			t.Errorf("the proxy received %s %s with %d body bytes, want CONNECT only", r.method, r.path, len(r.body))
		}
		if !strings.HasPrefix(r.header.Get("Proxy-Authorization"), "Basic ") {
			t.Errorf("CONNECT without the proxy's credentials: %v", r.header)
		}
		for _, v := range r.header {
			if strings.Contains(strings.Join(v, ","), testUserToken) {
				t.Errorf("the proxy saw the userToken in %v", r.header)
			}
		}
	}
	for _, where := range []string{e.Error(), logs.String()} {
		if strings.Contains(where, "pw-PROXYSECRET") || strings.Contains(where, testUserToken) {
			t.Errorf("a secret leaked: %s", where)
		}
	}
}

// A plain-http (loopback) backend is never proxied: the proxy would read
// the userToken.
func TestBackendProxySkipsPlainHTTP(t *testing.T) {
	proxy := newBackendServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) })
	srv := newBackendServer(t, tokenHandler)
	b := newTestBackend(t, srv.URL, nil, func(c *BackendConfig) { c.Proxy = proxy.URL })
	if token, e := b.Exchange(t.Context(), testCreds); e != nil || token != testAccessToken {
		t.Fatalf("Exchange = %q, %v", token, e)
	}
	if n := proxy.count(); n != 0 {
		t.Errorf("the proxy received %d requests for a plain-http backend", n)
	}
}

func TestBackendProxyValidation(t *testing.T) {
	for raw, want := range map[string]string{
		"ftp://proxy.example.com":                   "http:// or https://",
		"proxy.example.com:3128":                    "http:// or https://",
		"http://":                                   "no host",
		"http://ops:pw-PROXYSECRET@proxy/x":         "path",
		"http://ops:pw-PROXYSECRET@proxy:3128/?a=b": "query",
		"http://ops:pw-PROXYSECRET@[::1":            "invalid backend proxy URL",
	} {
		_, err := NewBackend(BackendConfig{URL: "https://backend.example.com", Proxy: raw})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "pw-PROXYSECRET") {
			t.Errorf("Proxy %q: err = %v, want one with %q and no password", raw, err, want)
		}
	}
	_, err := NewBackend(BackendConfig{URL: "https://backend.example.com", Proxy: "http://proxy:3128", Client: &http.Client{}})
	if err == nil || !strings.Contains(err.Error(), "custom HTTP client") {
		t.Errorf("Proxy with Client: err = %v", err)
	}
}
