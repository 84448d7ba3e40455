package hostfuncs

import (
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// TestRehearsalSendsNothing: a rehearsal's requests are checked as a real
// call's are, and the allowed ones are answered with "{}" (selected when the
// request asks) without any connection to any host; the refused ones are
// refused with the real call's codes.
func TestRehearsalSendsNothing(t *testing.T) {
	fx := newGithubFixture(t, nil)
	c := NewRehearsal("github", "github", fx.call.Policy, nil)
	if c.Token != "" || len(c.Secrets) != 0 || c.Logger != nil {
		t.Fatalf("rehearsal %+v: want no token, no secrets and no logger", c)
	}
	do := func(req abi.HTTPRequest) abi.HTTPResponse { return fx.funcs.Do(callCtx(c), req) }

	got := do(abi.HTTPRequest{Method: "GET", URL: "https://api.github.com/user"})
	if got.Error != "" || got.Status != 200 || got.Body != "{}" || got.Selected {
		t.Errorf("allowed request: got %+v, want status 200 and the body {}", got)
	}
	if !strings.HasPrefix(got.Headers["Content-Type"], "application/json") {
		t.Errorf("allowed request: headers %v, want a JSON content type", got.Headers)
	}
	sel := do(abi.HTTPRequest{Method: "GET", URL: "https://api.github.com/user", Select: "{login,id}"})
	if sel.Error != "" || !sel.Selected || sel.Body != `{}` {
		t.Errorf("request with a selection: got %+v, want the selection of {}", sel)
	}
	for _, tc := range []struct {
		req  abi.HTTPRequest
		code string
	}{
		{abi.HTTPRequest{Method: "GET", URL: "https://evil.example.com/"}, abi.ErrHostNotAllowed},
		{abi.HTTPRequest{Method: "GET", URL: "https://api.github.com/user", Headers: map[string]string{"Authorization": "x"}}, abi.ErrHeaderNotAllowed},
		{abi.HTTPRequest{Method: "GET", URL: "ftp://api.github.com/"}, abi.ErrBadRequest},
	} {
		if got := do(tc.req); got.Error != tc.code || got.Status != 0 {
			t.Errorf("%s %s: got %+v, want refused with %s", tc.req.Method, tc.req.URL, got, tc.code)
		}
	}
	if n := len(fx.api.requests()); n != 0 {
		t.Errorf("the API received %d requests from a rehearsal: %+v", n, fx.api.requests())
	}
	fx.dns.mu.Lock()
	dials := fx.dns.dials
	fx.dns.mu.Unlock()
	if len(dials) != 0 {
		t.Errorf("a rehearsal dialed %v", dials)
	}
	fx.assertEvilUntouched(t)
}
