package hostfuncs

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/wasmcp/wasmcp/internal/reqrules/reqrulestest"
)

// answer204 is a transport that records every request it is given and
// answers each with 204, touching no network.
type answer204 struct {
	mu   sync.Mutex
	sent []string
}

func (a *answer204) RoundTrip(r *http.Request) (*http.Response, error) {
	a.mu.Lock()
	a.sent = append(a.sent, r.Method+" "+r.URL.String())
	a.mu.Unlock()
	return &http.Response{StatusCode: 204, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

// TestSharedRequestRules runs the table pdktest runs too (see
// pdk/pdktest's TestSharedRequestRules) through Do: each request is refused
// with the table's code and reaches no transport, or is sent, once.
func TestSharedRequestRules(t *testing.T) {
	p := mustPolicy(t, reqrulestest.Hosts(), nil)
	for _, tc := range reqrulestest.Cases() {
		t.Run(tc.Name, func(t *testing.T) {
			rt := &answer204{}
			f := New(Options{Transport: rt})
			resp := f.Do(callCtx(newCall(p)), tc.Request)
			if resp.Error != tc.Want {
				t.Fatalf("error = %q (%s), want %q", resp.Error, resp.ErrorMessage, tc.Want)
			}
			switch {
			case tc.Want == "" && (resp.Status != 204 || len(rt.sent) != 1):
				t.Errorf("status %d, sent %q; want 204 from one request", resp.Status, rt.sent)
			case tc.Want != "" && len(rt.sent) != 0:
				t.Errorf("refused, yet sent %q", rt.sent)
			}
		})
	}
}
