package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestNoSecretInOutput drives every path of the package with a debug-level
// logger and checks that no log line, error, error object or report contains
// the userToken or the access token, even when the backend echoes them
// back in its answers.
func TestNoSecretInOutput(t *testing.T) {
	var logs logBuffer
	var outputs []string
	record := func(token string, e *Error) {
		if e != nil {
			raw, _ := json.Marshal(e.Object())
			outputs = append(outputs, e.Error(), string(raw))
		}
	}

	srv := newBackendServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		echo := `{"echo":"` + testUserToken + `","accessToken":"` + testAccessToken + `"}`
		switch r.URL.Path {
		case "/ok/api/connectors/requestAuth":
			tokenHandler(n, w, r)
		case "/hang/api/connectors/requestAuth":
			hangHandler(time.Minute)(n, w, r)
		case "/401/api/connectors/requestAuth":
			w.WriteHeader(401)
			io.WriteString(w, echo)
		case "/500/api/connectors/requestAuth":
			w.WriteHeader(500)
			io.WriteString(w, echo)
		case "/badjson/api/connectors/requestAuth":
			io.WriteString(w, testUserToken+testAccessToken)
		case "/big/api/connectors/requestAuth":
			io.WriteString(w, `{"accessToken":"`+testAccessToken+strings.Repeat("x", 2*MaxResponseBytes)+`"}`)
		case "/ctl/api/connectors/requestAuth":
			io.WriteString(w, `{"accessToken":"`+testAccessToken+`\n"}`)
		}
	})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + l.Addr().String()
	l.Close()

	for _, url := range []string{
		srv.URL + "/ok", srv.URL + "/hang", srv.URL + "/401", srv.URL + "/500",
		srv.URL + "/badjson", srv.URL + "/big", srv.URL + "/ctl", refused,
	} {
		b := newTestBackend(t, url, &logs, func(c *BackendConfig) { c.Timeout = 50 * time.Millisecond })
		record(b.Exchange(t.Context(), testCreds))

		// Shared and canceled exchanges.
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				_, e := b.Exchange(ctx, testCreds)
				if e != nil {
					raw, _ := json.Marshal(e)
					logs.Write(append(raw, '\n'))
				}
			})
		}
		wg.Wait()
		cancel()

		var report bytes.Buffer
		WriteReport(&report, Check(t.Context(), b, []Credentials{testCreds}))
		outputs = append(outputs, report.String())
	}

	mock := NewMock().WithLogger(logs.logger())
	record(mock.Exchange(t.Context(), testCreds))
	record(mock.Exchange(t.Context(), Credentials{UserID: "u", UserToken: testUserToken, ProviderID: "gitlab"}))
	var report bytes.Buffer
	WriteReport(&report, Check(t.Context(), mock, []Credentials{
		{UserID: "u", UserToken: testUserToken, ProviderID: "github"},
		{UserID: "u", UserToken: testUserToken, ProviderID: "gitlab"},
	}))
	outputs = append(outputs, report.String())

	for _, m := range []map[string]any{
		{"userId": "u", "userToken": testUserToken, "providerId": "github"},
		{"userId": "u\n", "userToken": testUserToken, "providerId": "reddit"},
		{"userId": "u", "userToken": testUserToken + strings.Repeat(" ", MaxParamLen), "providerId": "reddit"},
		{"userId": "u", "userToken": testUserToken + "\xff", "providerId": "reddit"},
		{"userId": "u", "userToken": []any{testUserToken}, "providerId": "reddit"},
		{"userToken": testUserToken},
	} {
		c, e := ValidateMeta(m, "reddit")
		record("", e)
		outputs = append(outputs, c.String())
	}

	outputs = append(outputs, logs.String())
	if !strings.Contains(logs.String(), `"level":"DEBUG"`) {
		t.Fatal("the logger did not run at debug level")
	}
	for _, out := range outputs {
		for name, secret := range map[string]string{"userToken": testUserToken, "access token": testAccessToken} {
			if strings.Contains(out, secret) {
				t.Errorf("output contains the %s:\n%s", name, out)
			}
		}
	}
}
