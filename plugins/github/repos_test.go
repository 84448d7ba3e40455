package main

import (
	"testing"

	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

const reposJSON = `[
  {"id": 1296269, "name": "Hello-World", "full_name": "octocat/Hello-World",
   "owner": {"login": "octocat", "id": 1}, "private": false, "visibility": "public",
   "html_url": "https://github.com/octocat/Hello-World", "description": "This your first repo!",
   "fork": false, "language": "Go", "stargazers_count": 80, "watchers_count": 80,
   "forks_count": 9, "open_issues_count": 2, "default_branch": "main", "archived": false,
   "created_at": "2011-01-26T19:01:12Z", "updated_at": "2011-01-26T19:14:43Z",
   "pushed_at": "2011-01-26T19:06:43Z", "permissions": {"admin": true}},
  {"id": 2, "name": "secret", "full_name": "acme/secret", "owner": {"login": "acme"},
   "private": true, "visibility": "private", "html_url": "https://github.com/acme/secret",
   "description": null, "fork": true, "language": null, "stargazers_count": 0,
   "forks_count": 0, "open_issues_count": 0, "default_branch": "trunk", "archived": true,
   "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-02T00:00:00Z", "pushed_at": null}
]`

// wantReposSelect is the selection the host applies to GET /user/repos.
const wantReposSelect = "{repos:#.{full_name,owner:owner.login,private,visibility,fork,archived,description," +
	"html_url,language,stargazers_count,forks_count,open_issues_count,default_branch,created_at,updated_at,pushed_at},count:#}"

func TestListRepos(t *testing.T) {
	link := `<https://api.github.com/user/repos?page=3&per_page=2>; rel="next", <https://api.github.com/user/repos?page=9&per_page=2>; rel="last"`
	h := pdktest.NewHost(plugin, pdktest.Reply(200, map[string]string{"Link": link}, reposJSON))
	res := h.Call(t, "list_github_repos", map[string]any{"per_page": 2, "page": 2, "sort": "updated"})
	onlyRequest(t, h, "https://api.github.com/user/repos?page=2&per_page=2&sort=updated", wantReposSelect)
	pdktest.WantContent(t, res, repos{Count: 2, NextPage: 3, Repos: []repo{{
		FullName: "octocat/Hello-World", Owner: "octocat", Visibility: "public", Description: new("This your first repo!"),
		HTMLURL: "https://github.com/octocat/Hello-World", Language: new("Go"), StargazersCount: 80, ForksCount: 9,
		OpenIssuesCount: 2, DefaultBranch: "main", CreatedAt: new("2011-01-26T19:01:12Z"),
		UpdatedAt: new("2011-01-26T19:14:43Z"), PushedAt: new("2011-01-26T19:06:43Z"),
	}, { // description, language and pushed_at are null
		FullName: "acme/secret", Owner: "acme", Private: true, Visibility: "private", Fork: true, Archived: true,
		HTMLURL: "https://github.com/acme/secret", DefaultBranch: "trunk",
		CreatedAt: new("2020-01-01T00:00:00Z"), UpdatedAt: new("2020-01-02T00:00:00Z"),
	}}})
}

func TestListReposDefaultsAndLastPage(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `[]`))
	res := h.Call(t, "list_github_repos", nil)
	onlyRequest(t, h, "https://api.github.com/user/repos", wantReposSelect)
	pdktest.WantContent(t, res, repos{Repos: []repo{}})
}

func TestListReposArgumentBounds(t *testing.T) {
	tests := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"per_page": 1}, ""},
		{map[string]any{"per_page": 100}, ""},
		// The host refuses these, by the schema the argument tags declare.
		{map[string]any{"per_page": 0}, "Invalid arguments for list_github_repos: at /per_page: minimum: got 0, want 1"},
		{map[string]any{"per_page": 101}, "Invalid arguments for list_github_repos: at /per_page: maximum: got 101, want 100"},
		{map[string]any{"page": 0}, "Invalid arguments for list_github_repos: at /page: minimum: got 0, want 1"},
		{map[string]any{"page": 1.5}, "Invalid arguments for list_github_repos: at /page: got number, want integer"},
		{map[string]any{"sort": "stars"}, "Invalid arguments for list_github_repos: at /sort: value must be one of 'created', 'updated', 'pushed', 'full_name'"},
		{map[string]any{"visibility": "all"}, "Invalid arguments for list_github_repos: at /: additional properties 'visibility' not allowed"},
	}
	for _, tt := range tests {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `[]`))
		res := h.Call(t, "list_github_repos", tt.args)
		if tt.want == "" {
			if res.IsError || len(h.Requests()) != 1 {
				t.Errorf("%v: result %+v, %d requests; want success", tt.args, res, len(h.Requests()))
			}
			continue
		}
		if !res.IsError || res.Message != tt.want {
			t.Errorf("%v: result %+v, want error %q", tt.args, res, tt.want)
		}
		if len(h.Requests()) != 0 {
			t.Errorf("%v: a request was sent despite bad arguments", tt.args)
		}
	}
}

func TestListReposErrors(t *testing.T) { testErrors(t, "list_github_repos", map[string]any{"page": 2}) }
