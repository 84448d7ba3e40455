package main

import (
	"reflect"
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
	if res.IsError {
		t.Fatalf("tool error: %s", res.Message)
	}
	onlyRequest(t, h, "https://api.github.com/user/repos?page=2&per_page=2&sort=updated", wantReposSelect)
	want := map[string]any{
		"count":     2.0,
		"next_page": 3.0,
		"repos": []any{
			map[string]any{
				"full_name": "octocat/Hello-World", "owner": "octocat", "private": false, "visibility": "public",
				"fork": false, "archived": false, "description": "This your first repo!",
				"html_url": "https://github.com/octocat/Hello-World", "language": "Go",
				"stargazers_count": 80.0, "forks_count": 9.0, "open_issues_count": 2.0, "default_branch": "main",
				"created_at": "2011-01-26T19:01:12Z", "updated_at": "2011-01-26T19:14:43Z", "pushed_at": "2011-01-26T19:06:43Z",
			},
			map[string]any{
				"full_name": "acme/secret", "owner": "acme", "private": true, "visibility": "private",
				"fork": true, "archived": true, "html_url": "https://github.com/acme/secret",
				"description": nil, "language": nil, "pushed_at": nil, "stargazers_count": 0.0, "forks_count": 0.0, "open_issues_count": 0.0, "default_branch": "trunk",
				"created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-02T00:00:00Z",
			},
		},
	}
	if !reflect.DeepEqual(res.Content, want) {
		t.Errorf("content =\n%v\nwant\n%v", res.Content, want)
	}
}

func TestListReposDefaultsAndLastPage(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `[]`))
	res := h.Call(t, "list_github_repos", nil)
	onlyRequest(t, h, "https://api.github.com/user/repos", wantReposSelect)
	if want := map[string]any{"repos": []any{}, "count": 0.0}; !reflect.DeepEqual(res.Content, want) {
		t.Errorf("content = %v, want %v", res.Content, want)
	}
}

func TestListReposArgumentBounds(t *testing.T) {
	tests := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"per_page": 1}, ""},
		{map[string]any{"per_page": 100}, ""},
		{map[string]any{"per_page": 0}, "per_page must be between 1 and 100, got 0"},
		{map[string]any{"per_page": 101}, "per_page must be between 1 and 100, got 101"},
		{map[string]any{"page": 0}, "page must be 1 or more, got 0"},
		{map[string]any{"page": 1.5}, `invalid arguments for tool "list_github_repos": json: cannot unmarshal number 1.5 into Go struct field listReposArgs.page of type int`},
		{map[string]any{"sort": "stars"}, `sort must be one of created, updated, pushed, full_name, got "stars"`},
		{map[string]any{"visibility": "all"}, `invalid arguments for tool "list_github_repos": json: unknown field "visibility"`},
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

func TestNextPage(t *testing.T) {
	tests := map[string]int{
		"": 0,
		`<https://api.github.com/user/repos?page=2>; rel="next"`:                                                       2,
		`<https://api.github.com/user/repos?page=1>; rel="prev", <https://api.github.com/user/repos?page=3>; rel=next`: 3,
		`<https://api.github.com/user/repos?page=1>; rel="first"`:                                                      0,
		`<https://api.github.com/user/repos?page=x>; rel="next"`:                                                       0,
		`garbage`: 0,
	}
	for in, want := range tests {
		if got := nextPage(in); got != want {
			t.Errorf("nextPage(%q) = %d, want %d", in, got, want)
		}
	}
}
