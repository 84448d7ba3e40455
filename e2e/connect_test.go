package e2e

// The connect flow, end to end: a user who has not connected the provider
// (backend 403 or 404), or whose token the provider refuses (401), is sent
// to backend.connect_url, in the form the client's protocol version and
// capabilities allow: -32042 on 2025-11-25, input_required on 2026-07-28,
// the api_error with the URL for the others.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	connectTemplate = "https://auth.example.test/connect?provider={providerId}&user={userId}"
	connectUser     = "user 1&x"                    // escaped in the URL
	connectTempTok  = "temp_token_connect_7f3a9c21" // must appear in no answer
)

// connectURLFor is connectTemplate expanded for user on github.
func connectURLFor(user string) string {
	return "https://auth.example.test/connect?provider=github&user=" + url.QueryEscape(user)
}

// connectBackend is a token backend on which users connect: it answers 403
// (or status) until connect is called for the user, then hands out tokens.
type connectBackend struct {
	*backend
	mu         sync.Mutex
	connected  map[string]bool
	status     int    // the answer for a user not connected: 403 or 404
	connectURL string // the connectUrl of that answer's body, if any
}

func newConnectBackend(t *testing.T, status int, connectURL string) *connectBackend {
	cb := &connectBackend{connected: map[string]bool{}, status: status, connectURL: connectURL}
	cb.backend = newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		var body struct{ UserID, UserToken, ProviderID string }
		json.NewDecoder(r.Body).Decode(&body)
		cb.mu.Lock()
		ok := cb.connected[body.UserID]
		cb.mu.Unlock()
		if !ok {
			m := map[string]any{"error": "not connected"}
			if cb.connectURL != "" {
				m["connectUrl"] = cb.connectURL
			}
			writeJSON(w, cb.status, m)
			return
		}
		writeJSON(w, 200, map[string]any{"accessToken": tokenFor(body.UserID, body.ProviderID)})
	})
	return cb
}

func (cb *connectBackend) connect(user string) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	cb.connected[user] = true
}

// connectOpts are the host's options for a connect test.
func connectOpts(be *connectBackend, gh *fake) hostOpts {
	return hostOpts{
		backendURL: be.URL,
		upstreams:  map[string]string{"https://api.github.com": gh.URL},
		extraYAML:  "backend:\n  connect_url: \"" + connectTemplate + "\"\n",
	}
}

// startConnectHost starts the host over stdio and connects a client with
// copts on protocol.
func startConnectHost(t *testing.T, o hostOpts, protocol string, copts *mcp.ClientOptions) (*mcp.ClientSession, *syncBuffer) {
	t.Helper()
	cmd := hostCommand(t, o, "serve")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e-connect", Version: "1"}, copts)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, &mcp.ClientSessionOptions{ProtocolVersion: protocol})
	if err != nil {
		t.Fatalf("connecting: %v\n%s", err, stderr.String())
	}
	t.Cleanup(func() {
		s.Close()
		if t.Failed() {
			t.Logf("host stderr:\n%s", stderr.String())
		}
	})
	return s, stderr
}

// urlElicitation declares URL elicitation, and no handler.
func urlElicitation() *mcp.ClientOptions {
	return &mcp.ClientOptions{Capabilities: &mcp.ClientCapabilities{
		Elicitation: &mcp.ElicitationCapabilities{URL: &mcp.URLElicitationCapabilities{}},
	}}
}

// assertNoSecrets fails if the userToken or an access token is in any of
// what the client or the log got.
func assertNoSecrets(t *testing.T, user string, got ...string) {
	t.Helper()
	for _, s := range got {
		for _, secret := range []string{connectTempTok, url.QueryEscape(connectTempTok), tokenFor(user, "github"), "at_github_"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q appears in %s", secret, s)
			}
		}
	}
}

func callGitHubUser(ctx context.Context, s *mcp.ClientSession, user string, p *mcp.CallToolParams) (*mcp.CallToolResult, error) {
	if p == nil {
		p = &mcp.CallToolParams{Name: "get_github_user"}
	}
	p.Meta = meta(user, connectTempTok, "github")
	return s.CallTool(ctx, p)
}

// 2025-11-25, URL elicitation declared: -32042 with the elicitation; once
// the user connected, the same call succeeds.
func TestConnectURLElicitationRequired(t *testing.T) {
	gh := fakeGitHub(t)
	be := newConnectBackend(t, 403, "")
	s, stderr := startConnectHost(t, connectOpts(be, gh), "2025-11-25", urlElicitation())

	_, err := callGitHubUser(t.Context(), s, connectUser, nil)
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != mcp.CodeURLElicitationRequired {
		t.Fatalf("err %v, want -32042", err)
	}
	var data struct {
		Elicitations []mcp.ElicitParams `json:"elicitations"`
	}
	if err := json.Unmarshal(rpcErr.Data, &data); err != nil || len(data.Elicitations) != 1 {
		t.Fatalf("error data %s: %v", rpcErr.Data, err)
	}
	e := data.Elicitations[0]
	if e.Mode != "url" || e.URL != connectURLFor(connectUser) || !strings.HasPrefix(e.ElicitationID, "connect-") || !strings.Contains(e.Message, "Connect your github account") {
		t.Fatalf("elicitation %+v, want url mode to %s", e, connectURLFor(connectUser))
	}
	raw, _ := json.Marshal(rpcErr)
	assertNoSecrets(t, connectUser, string(raw), stderr.String())
	if n := len(gh.requests()); n != 0 {
		t.Errorf("the tool ran %d times before the user connected", n)
	}

	be.connect(connectUser)
	res, err := callGitHubUser(t.Context(), s, connectUser, nil)
	if err != nil || res.IsError || structured(t, res)["login"] != "octocat" {
		t.Fatalf("after connecting: err %v, result %v", err, res)
	}
	stderr.waitFor(t, "the connect_required outcome", func(logs string) bool {
		return logLine(logs, `msg="tool call"`, "outcome=connect_required")
	})
}

// A connectUrl from the backend is used when it is https on the template's
// host, and ignored, with a log line that quotes none of it, otherwise.
func TestConnectBackendURL(t *testing.T) {
	for _, c := range []struct{ name, fromBackend, want string }{
		{"accepted", "https://auth.example.test/resume?session=abc", "https://auth.example.test/resume?session=abc"},
		{"other host", "https://evil.example.test/phish", connectURLFor(connectUser)},
		{"plain http", "http://auth.example.test/resume", connectURLFor(connectUser)},
		{"userToken in it", "https://auth.example.test/resume?t=" + connectTempTok, connectURLFor(connectUser)},
	} {
		t.Run(c.name, func(t *testing.T) {
			gh := fakeGitHub(t)
			be := newConnectBackend(t, 404, c.fromBackend)
			s, stderr := startConnectHost(t, connectOpts(be, gh), "2025-11-25", urlElicitation())
			_, err := callGitHubUser(t.Context(), s, connectUser, nil)
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) || rpcErr.Code != mcp.CodeURLElicitationRequired {
				t.Fatalf("err %v, want -32042", err)
			}
			if !strings.Contains(string(rpcErr.Data), jsonString(c.want)) {
				t.Fatalf("error data %s, want the URL %s", rpcErr.Data, c.want)
			}
			if c.fromBackend != c.want {
				stderr.waitFor(t, "the ignored URL's log line", func(logs string) bool {
					return logLine(logs, "backend connectUrl ignored")
				})
				if strings.Contains(stderr.String(), c.fromBackend) {
					t.Errorf("the log quotes the refused URL")
				}
			}
			assertNoSecrets(t, connectUser, string(rpcErr.Data), stderr.String())
		})
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

// A client that did not declare URL elicitation gets today's api_error,
// with the URL in its details and as connect_url; so does a 2025-11-25
// client over stateless HTTP, whose capabilities the host cannot know.
func TestConnectURLInDetails(t *testing.T) {
	check := func(t *testing.T, s *mcp.ClientSession, stderr *syncBuffer) {
		res, err := callGitHubUser(t.Context(), s, connectUser, nil)
		if err != nil || !res.IsError {
			t.Fatalf("err %v, result %v: want a tool error", err, res)
		}
		obj := structured(t, res)
		want := connectURLFor(connectUser)
		if obj["error"] != "api_error" || obj["status"] != 403.0 || obj["connect_url"] != want ||
			!strings.Contains(str(obj["details"]), "403 Forbidden: User not authorized for provider") ||
			!strings.Contains(str(obj["details"]), "Connect the github account at "+want) || !strings.Contains(text(res), want) {
			t.Fatalf("error object %v", obj)
		}
		assertNoSecrets(t, connectUser, resultJSON(t, res), stderr.String())
	}
	gh := fakeGitHub(t)
	t.Run("stdio, no elicitation declared", func(t *testing.T) {
		s, stderr := startConnectHost(t, connectOpts(newConnectBackend(t, 403, ""), gh), "", nil)
		check(t, s, stderr)
	})
	t.Run("stdio, form elicitation only", func(t *testing.T) {
		opts := &mcp.ClientOptions{Capabilities: &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapabilities{Form: &mcp.FormElicitationCapabilities{}}}}
		s, stderr := startConnectHost(t, connectOpts(newConnectBackend(t, 403, ""), gh), "2025-11-25", opts)
		check(t, s, stderr)
	})
	t.Run("http 2025-11-25, stateless", func(t *testing.T) {
		h := startHTTPHost(t, connectOpts(newConnectBackend(t, 403, ""), gh))
		s, err := connectHTTPWith(t, h.url, "", "2025-11-25", urlElicitation())
		if err != nil {
			t.Fatal(err)
		}
		check(t, s, h.stderr)
	})
}

// 2026-07-28, URL elicitation declared: the SDK's multi round-trip
// middleware gets input_required, calls the elicitation handler (where
// the user connects), and retries with the requestState; the call then
// runs. Over both transports: over stateless HTTP the retry is a new
// request, which the state's MAC lets the host trust.
func TestConnectInputRequired(t *testing.T) {
	for _, transport := range []string{"stdio", "http"} {
		t.Run(transport, func(t *testing.T) {
			gh := fakeGitHub(t)
			be := newConnectBackend(t, 403, "")
			var asked []*mcp.ElicitParams
			opts := urlElicitation()
			opts.ElicitationHandler = func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
				asked = append(asked, req.Params)
				be.connect(connectUser) // the user opens the URL and connects
				return &mcp.ElicitResult{Action: "accept"}, nil
			}
			var s *mcp.ClientSession
			var stderr *syncBuffer
			if transport == "stdio" {
				s, stderr = startConnectHost(t, connectOpts(be, gh), "2026-07-28", opts)
			} else {
				h := startHTTPHost(t, connectOpts(be, gh))
				var err error
				if s, err = connectHTTPWith(t, h.url, "", "2026-07-28", opts); err != nil {
					t.Fatal(err)
				}
				stderr = h.stderr
			}
			res, err := callGitHubUser(t.Context(), s, connectUser, nil)
			if err != nil || res.IsError || structured(t, res)["login"] != "octocat" {
				t.Fatalf("err %v, result %v: want the call to run after the connect", err, res)
			}
			if len(asked) != 1 || asked[0].Mode != "url" || asked[0].URL != connectURLFor(connectUser) || asked[0].ElicitationID == "" {
				t.Fatalf("elicitations %+v", asked)
			}
			if n := len(be.requests()); n != 2 {
				t.Errorf("the backend got %d exchanges, want 2 (before and after the connect)", n)
			}
			assertNoSecrets(t, connectUser, resultJSON(t, res), stderr.String())
		})
	}
}

// 2026-07-28 by hand (the middleware off): the input_required result as
// sent, then retries with a state for other arguments, a tampered state,
// and the right one.
func TestConnectRequestStateRetries(t *testing.T) {
	gh := fakeGitHub(t)
	be := newConnectBackend(t, 403, "")
	opts := urlElicitation()
	opts.MultiRoundTrip = &mcp.MultiRoundTripOptions{Disabled: true}
	s, stderr := startConnectHost(t, connectOpts(be, gh), "2026-07-28", opts)

	first, err := callGitHubUser(t.Context(), s, connectUser, &mcp.CallToolParams{Name: "list_github_repos", Arguments: map[string]any{}})
	if err != nil || !first.NeedsInput() || first.RequestState == "" || len(first.InputRequests) != 1 {
		t.Fatalf("err %v, result %+v: want input_required", err, first)
	}
	e, ok := first.InputRequests["connect"].(*mcp.ElicitParams)
	if !ok || e.Mode != "url" || e.URL != connectURLFor(connectUser) || e.ElicitationID == "" {
		t.Fatalf("input requests %+v", first.InputRequests)
	}
	assertNoSecrets(t, connectUser, resultJSON(t, first), first.RequestState)
	be.connect(connectUser)
	accept := mcp.InputResponseMap{"connect": &mcp.ElicitResult{Action: "accept"}}

	refused := func(name string, p *mcp.CallToolParams, want string) {
		t.Helper()
		res, err := callGitHubUser(t.Context(), s, connectUser, p)
		if err != nil || !res.IsError || structured(t, res)["error"] != "invalid_request_state" || !strings.Contains(text(res), want) {
			t.Errorf("%s: err %v, result %s; want invalid_request_state saying %q", name, err, resultJSON(t, res), want)
		}
	}
	before := len(be.requests())
	refused("other tool", &mcp.CallToolParams{Name: "get_github_user", RequestState: first.RequestState, InputResponses: accept}, "issued for another tool")
	refused("other arguments", &mcp.CallToolParams{Name: "list_github_repos", Arguments: map[string]any{"page": 2}, RequestState: first.RequestState, InputResponses: accept}, "issued for other arguments")
	refused("tampered", &mcp.CallToolParams{Name: "list_github_repos", Arguments: map[string]any{}, RequestState: "x" + first.RequestState, InputResponses: accept}, "not issued by this server")
	other := &mcp.CallToolParams{Name: "list_github_repos", Arguments: map[string]any{}, RequestState: first.RequestState, InputResponses: accept}
	if res, err := s.CallTool(t.Context(), &mcp.CallToolParams{Name: other.Name, Arguments: other.Arguments, RequestState: other.RequestState, InputResponses: accept,
		Meta: meta("user_2", connectTempTok, "github")}); err != nil || !strings.Contains(text(res), "issued to another userId") {
		t.Errorf("another user: err %v, result %v", err, res)
	}
	if n := len(be.requests()) - before; n != 0 {
		t.Errorf("refused retries reached the backend %d times", n)
	}

	// Declined: the api_error with the URL, and no exchange.
	res, err := callGitHubUser(t.Context(), s, connectUser, &mcp.CallToolParams{Name: "list_github_repos", Arguments: map[string]any{},
		RequestState: first.RequestState, InputResponses: mcp.InputResponseMap{"connect": &mcp.ElicitResult{Action: "decline"}}})
	if err != nil || !res.IsError || structured(t, res)["connect_url"] != connectURLFor(connectUser) || !strings.Contains(text(res), "did not connect") {
		t.Fatalf("declined: err %v, result %v", err, res)
	}

	res, err = callGitHubUser(t.Context(), s, connectUser, &mcp.CallToolParams{Name: "list_github_repos", Arguments: map[string]any{},
		RequestState: first.RequestState, InputResponses: accept})
	if err != nil || res.IsError || res.NeedsInput() {
		t.Fatalf("the retry: err %v, result %s", err, resultJSON(t, res))
	}
	stderr.waitFor(t, "the refusals' log lines", func(logs string) bool {
		return logLine(logs, "requestState refused", "tool=get_github_user")
	})
	assertNoSecrets(t, connectUser, resultJSON(t, res), stderr.String())
}

// A provider that refuses the token of a good exchange (401) and a tool
// that fails for it: the user must reconnect.
func TestConnectAfterProvider401(t *testing.T) {
	gh := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 401, map[string]any{"message": "Bad credentials"})
	})
	be := newConnectBackend(t, 403, "")
	be.connect(connectUser)
	o := connectOpts(be, gh)

	s, stderr := startConnectHost(t, o, "2025-11-25", urlElicitation())
	_, err := callGitHubUser(t.Context(), s, connectUser, nil)
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != mcp.CodeURLElicitationRequired ||
		!strings.Contains(string(rpcErr.Data), jsonString(connectURLFor(connectUser))) || !strings.Contains(string(rpcErr.Data), "Reconnect your github account") {
		t.Fatalf("err %v, want -32042 asking to reconnect", err)
	}
	if got := gh.requests(); len(got) == 0 || got[0].Auth != "Bearer "+tokenFor(connectUser, "github") {
		t.Fatalf("the provider got %+v", got)
	}
	assertNoSecrets(t, connectUser, string(rpcErr.Data))

	plain, stderr2 := startConnectHost(t, o, "", nil)
	res, err := callGitHubUser(t.Context(), plain, connectUser, nil)
	if err != nil || !res.IsError || structured(t, res)["connect_url"] != connectURLFor(connectUser) || !strings.Contains(text(res), "401 Unauthorized") {
		t.Fatalf("no elicitation declared: err %v, result %v", err, res)
	}
	assertNoSecrets(t, connectUser, resultJSON(t, res), stderr.String(), stderr2.String())
}
