package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/pdk"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// The 403s and 429s of GitHub's REST reference ("Troubleshooting the REST
// API", "Rate limits for the REST API"), and what the model is told.
func TestRateLimitAndScopeMessages(t *testing.T) {
	for _, tt := range []struct {
		name    string
		status  int
		headers map[string]string
		body    string
		want    []string
		not     []string
	}{
		{"primary limit spent", 403, map[string]string{"X-Ratelimit-Limit": "5000", "X-Ratelimit-Remaining": "0", "X-Ratelimit-Used": "5000", "X-Ratelimit-Reset": "1714564800"},
			`{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`,
			[]string{"403 Forbidden: the rate limit was exceeded; the limit resets at 2024-05-01T12:00:00Z"}, []string{"scope"}},
		{"primary limit, 429", 429, map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "1714564800"}, `{"message":"API rate limit exceeded"}`,
			[]string{"429 Too Many Requests: the rate limit was exceeded; the limit resets at 2024-05-01T12:00:00Z"}, nil},
		{"secondary limit with Retry-After", 403, map[string]string{"Retry-After": "60"},
			`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`,
			[]string{"the rate limit was exceeded; retry after 60 seconds"}, []string{"scope"}},
		{"secondary limit without headers", 403, nil,
			`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`,
			[]string{"GitHub API returned 403: a secondary rate limit was exceeded", "wait at least a minute before retrying"}, []string{"scope"}},
		{"missing scope", 403, map[string]string{"X-Accepted-Oauth-Scopes": "repo", "X-Oauth-Scopes": "read:user, user:email"},
			`{"message":"Resource not accessible by integration"}`,
			[]string{"This request needs the OAuth scope repo; the token has read:user, user:email; the user may need to reconnect GitHub granting it"}, nil},
		{"token with no scope", 403, map[string]string{"X-Accepted-Oauth-Scopes": "repo, public_repo", "X-Oauth-Scopes": ""}, `{"message":"Not allowed"}`,
			[]string{"This request needs the OAuth scope repo or public_repo; the token has none"}, nil},
		{"fine-grained", 403, map[string]string{"X-Accepted-Github-Permissions": "issues=read; pull_requests=read"}, `{"message":"Resource not accessible by personal access token"}`,
			[]string{"This request needs the fine-grained permission issues=read or pull_requests=read"}, nil},
		{"no header", 403, nil, `{"message":"Must have push access to view repository collaborators."}`,
			[]string{"This request needs the OAuth scope repo for private repositories; public ones need none; fine-grained permission Issues: read",
				`GitHub said: "Must have push access to view repository collaborators."`}, nil},
		{"headers not copied", 403, map[string]string{"X-Accepted-Oauth-Scopes": "repo, \x1b[31mevil, <b>x</b>, " + strings.Repeat("a", 100), "X-Oauth-Scopes": "gho_notascope!"},
			`{"message":"no"}`, []string{"This request needs the OAuth scope repo; the token has none"}, []string{"evil", "<b>", "gho_", "aaaa"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := pdktest.NewHost(plugin, pdktest.Reply(tt.status, tt.headers, tt.body))
			res := h.Call(t, "list_github_issues", helloWorld)
			if !res.IsError {
				t.Fatalf("result = %+v, want an error", res)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Message, w) {
					t.Errorf("message %q lacks %q", res.Message, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(res.Message, n) {
					t.Errorf("message %q has %q", res.Message, n)
				}
			}
		})
	}
}

// The error says whether the limit was hit, for a caller that checks.
func TestAPIErrorType(t *testing.T) {
	for _, tt := range []struct {
		status  int
		headers map[string]string
		body    string
		limited bool
	}{
		{429, nil, "", true},
		{403, nil, `{"message":"You have exceeded a secondary rate limit"}`, true},
		{403, map[string]string{"X-Ratelimit-Remaining": "0"}, "", true},
		{403, nil, `{"message":"Forbidden"}`, false},
		{404, nil, "", false},
	} {
		err := apiError(&pdk.Response{Status: tt.status, Headers: tt.headers, Body: tt.body}, endpoint{what: "x", needs: readIssues})
		var se *statusError
		if !errors.As(err, &se) || se.Status != tt.status || se.RateLimited != tt.limited {
			t.Errorf("%d %s: %#v", tt.status, tt.body, err)
		}
	}
}
