package hostfuncs

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// TestDoSelect: a Select path is applied natively to a 2xx JSON answer,
// after the body is scrubbed and again on the selection, which may build
// new JSON around the token's remains; an error answer is handed back whole;
// a malformed path is a bad request.
func TestDoSelect(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"Not Found","documentation_url":"https://docs.github.com"}`))
			return
		}
		json.NewEncoder(w).Encode([]map[string]any{
			{"full_name": "a/b", "owner": map[string]any{"login": "a"}, "auth": r.Header.Get("Authorization"), "big": strings.Repeat("x", 4096)},
			{"full_name": "c/d", "owner": map[string]any{"login": "c"}, "auth": r.Header.Get("Authorization"), "big": strings.Repeat("y", 4096)},
		})
	})
	resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com/repos", Select: "{repos:#.{full_name,owner:owner.login,auth},count:#}"})
	wantOK(t, resp, 200)
	noSecret(t, resp)
	want := `{"repos":[{"full_name":"a/b","owner":"a","auth":"Bearer [REDACTED]"},{"full_name":"c/d","owner":"c","auth":"Bearer [REDACTED]"}],"count":2}`
	if !resp.Selected || resp.Body != want {
		t.Errorf("selected %v, body %s\nwant %s", resp.Selected, resp.Body, want)
	}

	resp = fx.do(abi.HTTPRequest{URL: "https://api.github.com/missing", Select: "{full_name}"})
	wantOK(t, resp, 404)
	if resp.Selected || !strings.Contains(resp.Body, "Not Found") {
		t.Errorf("an error answer was selected: %v %s", resp.Selected, resp.Body)
	}

	resp = fx.do(abi.HTTPRequest{URL: "https://api.github.com/repos", Select: "a\nb"})
	wantErr(t, resp, abi.ErrBadRequest)
}
