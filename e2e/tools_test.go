package e2e

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	mockGitHub = "gho_mockGitHubToken123456789"
	mockReddit = "mock_reddit_token_123456789"
)

func TestToolsAreListed(t *testing.T) {
	gh, rd := fakeGitHub(t), fakeReddit(t)
	r := startHost(t, hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL, "https://oauth.reddit.com": rd.URL}})
	res, err := r.session.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if tool.Description == "" {
			t.Errorf("tool %s has no description", tool.Name)
		}
		schema, ok := tool.InputSchema.(map[string]any)
		if !ok || schema["type"] != "object" {
			t.Errorf("tool %s: input schema is not an object schema: %#v", tool.Name, tool.InputSchema)
		}
	}
	slices.Sort(names)
	want := slices.Sorted(slices.Values(slices.Concat(githubTools, redditTools, googleTools)))
	if !slices.Equal(names, want) {
		t.Fatalf("tools = %v, want %v", names, want)
	}
}

// Each tool reaches its provider's API with exactly the provider's token, in
// mock mode and in backend mode, and the token appears in no result.
func TestEveryToolSendsExactlyItsToken(t *testing.T) {
	type toolCase struct {
		tool, provider, path, field string
		want                        any
		args                        map[string]any
	}
	cases := []toolCase{
		{"get_github_user", "github", "/user", "login", "octocat", nil},
		{"list_github_repos", "github", "/user/repos", "", nil, map[string]any{"per_page": 5, "page": 2}},
		{"get_reddit_user", "reddit", "/api/v1/me", "name", "spez", nil},
		{"list_user_subreddits", "reddit", "/subreddits/mine/subscriber", "", nil, map[string]any{"limit": 10}},
	}
	for _, mode := range []string{"mock", "backend"} {
		t.Run(mode, func(t *testing.T) {
			gh, rd := fakeGitHub(t), fakeReddit(t)
			o := hostOpts{upstreams: map[string]string{"https://api.github.com": gh.URL, "https://oauth.reddit.com": rd.URL}}
			var be *backend
			if mode == "mock" {
				o.mock = true
			} else {
				be = defaultBackend(t)
				o.backendURL = be.URL
			}
			r := startHost(t, o)
			for _, c := range cases {
				api := gh
				if c.provider == "reddit" {
					api = rd
				}
				before := len(api.requests())
				res := r.call(t, c.tool, c.args, meta("alice", "temp-alice-token-01", c.provider))
				if res.IsError {
					t.Fatalf("%s: tool error: %s", c.tool, text(res))
				}
				reqs := api.requests()[before:]
				if len(reqs) != 1 {
					t.Fatalf("%s: the API got %d requests, want 1", c.tool, len(reqs))
				}
				got := reqs[0]
				wantToken := map[string]string{"github": mockGitHub, "reddit": mockReddit}[c.provider]
				if mode == "backend" {
					wantToken = tokenFor("alice", c.provider)
				}
				if got.Auth != "Bearer "+wantToken {
					t.Errorf("%s: Authorization = %q, want Bearer %s", c.tool, got.Auth, wantToken)
				}
				if got.Method != "GET" || got.Path != c.path {
					t.Errorf("%s: request %s %s, want GET %s", c.tool, got.Method, got.Path, c.path)
				}
				if got.UserAgent == "" || strings.HasPrefix(got.UserAgent, "Go-http-client") {
					t.Errorf("%s: User-Agent %q is not descriptive", c.tool, got.UserAgent)
				}
				if c.provider == "github" {
					if got.Accept != "application/vnd.github+json" || got.Header.Get("X-GitHub-Api-Version") == "" {
						t.Errorf("%s: GitHub headers missing: Accept=%q version=%q", c.tool, got.Accept, got.Header.Get("X-GitHub-Api-Version"))
					}
				}
				if c.tool == "list_github_repos" && (!strings.Contains(got.Query, "per_page=5") || !strings.Contains(got.Query, "page=2")) {
					t.Errorf("list_github_repos: query %q lacks per_page=5&page=2", got.Query)
				}
				if c.tool == "list_user_subreddits" && !strings.Contains(got.Query, "limit=10") {
					t.Errorf("list_user_subreddits: query %q lacks limit=10", got.Query)
				}
				all := resultJSON(t, res)
				if strings.Contains(all, wantToken) || strings.Contains(all, "temp-alice-token-01") {
					t.Errorf("%s: a secret appears in the result: %s", c.tool, all)
				}
				if c.field != "" {
					if s := structured(t, res); s[c.field] != c.want {
						t.Errorf("%s: structuredContent[%q] = %v, want %v", c.tool, c.field, s[c.field], c.want)
					}
					if !strings.Contains(text(res), `"`+c.field+`"`) {
						t.Errorf("%s: text content lacks %q: %s", c.tool, c.field, text(res))
					}
				}
			}
			if be != nil {
				reqs := be.requests()
				if len(reqs) != len(cases) {
					t.Errorf("backend got %d exchanges, want %d", len(reqs), len(cases))
				}
				for _, q := range reqs {
					if q.Method != "POST" || q.Path != "/api/connectors/requestAuth" {
						t.Errorf("backend request %s %s", q.Method, q.Path)
					}
				}
			}
			if strings.Contains(r.stderr.String(), "temp-alice-token-01") || strings.Contains(r.stderr.String(), "s3cr3t") || strings.Contains(r.stderr.String(), mockGitHub) {
				t.Errorf("a secret appears in the logs")
			}
		})
	}
}

// An API error status becomes a tool error that says what happened.
func TestAPIErrorIsToolError(t *testing.T) {
	for _, status := range []int{401, 403, 404, 429, 500, 503} {
		gh := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, status, map[string]any{"message": "upstream says no"})
		})
		r := startHost(t, hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL}})
		res := r.call(t, "get_github_user", nil, meta("u1", "temp-token-u1-0001", "github"))
		if !res.IsError {
			t.Fatalf("status %d: not a tool error: %s", status, text(res))
		}
		if !strings.Contains(text(res), strconv.Itoa(status)) {
			t.Errorf("status %d: message does not name the status: %s", status, text(res))
		}
		if strings.Contains(resultJSON(t, res), mockGitHub) {
			t.Errorf("status %d: token in result", status)
		}
	}
}

// An invalid argument is a tool error that reaches neither backend nor API.
func TestInvalidArgumentsAreRefused(t *testing.T) {
	gh := fakeGitHub(t)
	be := defaultBackend(t)
	r := startHost(t, hostOpts{backendURL: be.URL, upstreams: map[string]string{"https://api.github.com": gh.URL}})
	res := r.call(t, "list_github_repos", map[string]any{"per_page": 1000}, meta("u1", "temp-token-u1-0001", "github"))
	if !res.IsError || !strings.Contains(text(res), "per_page") {
		t.Fatalf("want a tool error naming per_page, got %v: %s", res.IsError, text(res))
	}
	if n := len(be.requests()) + len(gh.requests()); n != 0 {
		t.Errorf("a refused call made %d requests", n)
	}
}

// An unknown tool is a protocol error, not a tool result.
func TestUnknownToolIsProtocolError(t *testing.T) {
	r := startHost(t, hostOpts{mock: true})
	_, err := r.session.CallTool(t.Context(), &mcp.CallToolParams{Name: "no_such_tool", Meta: meta("u", "temp_token_abc456", "github")})
	if err == nil {
		t.Fatal("calling an unknown tool succeeded")
	}
}
