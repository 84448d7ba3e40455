package hostfuncs

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// An upstream that puts the token in a response header's name (which Go
// canonicalises), in other cases, or base64-encoded, gives the guest
// nothing it can fold back into the token.
func TestDoScrubsFoldedSecrets(t *testing.T) {
	const tok = "gho_HeaderSafeToken0123456789ABC" // header-name characters only
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header()["x-tok-"+got] = []string{"1"} // sent as is, canonicalised by the client
		w.Header().Set("X-Upper", strings.ToUpper(got))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"lower":  strings.ToLower(got),
			"basic":  base64.StdEncoding.EncodeToString([]byte("x-access-token:" + got)),
			"bearer": base64.RawURLEncoding.EncodeToString([]byte(r.Header.Get("Authorization"))),
			"query":  strings.ToLower(url.QueryEscape(got + "/+")),
		})
	})
	fx.call.Token = tok
	fx.call.Secrets = []string{tok, testUserToken}
	resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com/echo"})
	wantOK(t, resp, 200)
	all := resp.Body
	for k, v := range resp.Headers {
		all += "\n" + k + ": " + v
	}
	low := strings.ToLower(all)
	for _, bad := range []string{strings.ToLower(tok), "headersafetoken"} {
		if strings.Contains(low, bad) {
			t.Errorf("the guest can fold %q out of:\n%s", bad, all)
		}
	}
	for _, want := range []string{"X-Tok-[REDACTED]", "X-Upper: [REDACTED]", `"lower":"[REDACTED]"`} {
		if !strings.Contains(all, want) {
			t.Errorf("response lacks %q:\n%s", want, all)
		}
	}
	if reqs := fx.api.requests(); len(reqs) != 1 || reqs[0].Auth != "Bearer "+tok {
		t.Errorf("the API received %+v", reqs)
	}
}

// A token too short to be scrubbed is never sent.
func TestDoRefusesShortToken(t *testing.T) {
	fx := newGithubFixture(t, nil)
	fx.call.Token = "short-token"
	resp := fx.do(abi.HTTPRequest{URL: "https://api.github.com/user"})
	wantErr(t, resp, abi.ErrTransport)
	if strings.Contains(resp.ErrorMessage, "short-token") {
		t.Errorf("message names the token: %q", resp.ErrorMessage)
	}
	if n := len(fx.api.requests()); n != 0 {
		t.Errorf("the API received %d requests", n)
	}
}
