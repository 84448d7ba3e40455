package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A client that gives up on a call (the Go SDK sends notifications/cancelled
// when the call's context ends) stops it in the host: the plugin's HTTP
// request to the API is abandoned, the call is logged as cancelled, and the
// host keeps serving.
func TestClientCancellationStopsCall(t *testing.T) {
	started := make(chan struct{}, 4)
	abandoned := make(chan struct{}, 4)
	var requests atomic.Int32
	gh := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 { // the first call hangs until abandoned
			started <- struct{}{}
			select {
			case <-r.Context().Done():
				abandoned <- struct{}{}
				return
			case <-time.After(time.Minute):
			}
		}
		writeJSON(w, 200, map[string]any{"login": "octocat", "id": 1})
	})
	r := startHost(t, hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL}})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.session.CallTool(ctx, &mcp.CallToolParams{Name: "get_github_user", Meta: meta("u1", "temp_token_abc456", "github")})
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the call never reached the API")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled call returned %v, want context.Canceled", err)
	}
	select {
	case <-abandoned:
	case <-time.After(30 * time.Second):
		t.Fatal("the host did not abandon the plugin's HTTP request after notifications/cancelled")
	}
	r.stderr.waitFor(t, "log line of the cancelled call", func(logs string) bool {
		return strings.Contains(logs, `tool=get_github_user plugin=github provider=github userId=u1 outcome=cancelled`)
	})
	// The host still serves the same user.
	if res := r.call(t, "get_github_user", nil, meta("u1", "temp_token_abc456", "github")); res.IsError || structured(t, res)["login"] != "octocat" {
		t.Fatalf("the call after the cancellation: %s", text(res))
	}
}
