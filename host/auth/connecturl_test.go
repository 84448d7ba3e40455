package auth

import (
	"encoding/json"
	"strings"
	"testing"
)

// A 403 or 404 body's connectUrl reaches the host, as written, in
// Error.ConnectURL, and nowhere else: not in Object, Error or the logs.
func TestBackendConnectURL(t *testing.T) {
	const link = "https://auth.example.com/connect?state=SECRET-BODY-link"
	long := `{"connectUrl":"https://auth.example.com/` + strings.Repeat("a", MaxConnectURLBytes) + `"}`
	padded := `{"connectUrl":"` + link + `","pad":"` + strings.Repeat("x", maxConnectBody) + `"}`
	for _, c := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"403", 403, `{"error":"not connected","connectUrl":"` + link + `"}`, link},
		{"404", 404, `{"connectUrl":"` + link + `"}`, link},
		{"401 is not read", 401, `{"connectUrl":"` + link + `"}`, ""},
		{"500 is not read", 500, `{"connectUrl":"` + link + `"}`, ""},
		{"wrong case", 403, `{"connecturl":"` + link + `"}`, ""},
		{"not a string", 403, `{"connectUrl":["` + link + `"]}`, ""},
		{"not JSON", 403, `connectUrl=` + link, ""},
		{"too long a URL", 403, long, ""},
		{"too long a body", 403, padded, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newBackendServer(t, statusHandler(c.status, c.body))
			var logs logBuffer
			b := newTestBackend(t, srv.URL, &logs)
			_, e := b.Exchange(t.Context(), testCreds)
			if e == nil || e.Status != c.status || e.ConnectURL != c.want {
				t.Fatalf("error %+v, want status %d and ConnectURL %q", e, c.status, c.want)
			}
			obj, _ := json.Marshal(e.Object())
			whole, _ := json.Marshal(e)
			for _, where := range []string{string(obj), string(whole), e.Error(), logs.String()} {
				if strings.Contains(where, "SECRET-BODY") {
					t.Errorf("the backend's body reached %s", where)
				}
			}
		})
	}
}
