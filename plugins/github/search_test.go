package main

import (
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// wantRepoSearchSelect is the selection the host applies to GET /search/repositories.
const wantRepoSearchSelect = "{total_count,incomplete_results,items:items.#.{full_name,owner:owner.login,private,visibility,fork," +
	"archived,description,html_url,language,stargazers_count,forks_count,open_issues_count,default_branch,created_at," +
	"updated_at,pushed_at,topics,score}}"

func TestSearchRepos(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, link("/search/repositories", 3, 34), string(payloads.GitHubSearchRepos)))
	res := h.Call(t, "search_github_repos", map[string]any{"q": "language:go stars:>100 mcp", "sort": "stars", "order": "asc", "per_page": 30, "page": 2})
	wantRequests(t, h, abi.HTTPRequest{URL: "https://api.github.com/search/repositories?order=asc&page=2&per_page=30&q=language%3Ago+stars%3A%3E100+mcp&sort=stars",
		Select: wantRepoSearchSelect})
	got := pdktest.Content[repoSearch](t, res)
	all := decode[struct {
		Items []struct {
			FullName string   `json:"full_name"`
			Topics   []string `json:"topics"`
		} `json:"items"`
	}](t, payloads.GitHubSearchRepos)
	if got.TotalCount != 40123 || got.IncompleteResults || len(got.Items) != 30 || got.NextPage != 3 {
		t.Fatalf("total %d, incomplete %v, %d items, next %d", got.TotalCount, got.IncompleteResults, len(got.Items), got.NextPage)
	}
	first := got.Items[0]
	if first.FullName != all.Items[0].FullName || first.Owner != "octocat" || first.Score != 1 || len(first.Topics) != len(all.Items[0].Topics) ||
		first.StargazersCount != 80 || first.HTMLURL != "https://github.com/"+first.FullName {
		t.Errorf("first item = %+v", first)
	}
}

func TestSearchReposArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string // "" for a call sent
	}{
		{map[string]any{"q": "x", "per_page": 100, "page": 10}, ""},
		{map[string]any{"q": "x", "page": 34}, ""}, // 990 to 1019 of 1000: the last page
		{map[string]any{"q": "x", "page": 35}, "GitHub search returns only the first 1000 results: page 35 of 30 per page starts past them"},
		{map[string]any{"q": "x", "per_page": 100, "page": 11}, "page 11 of 100 per page starts past them"},
		{map[string]any{"q": ""}, "at /q: minLength: got 0, want 1"},
		{map[string]any{"q": strings.Repeat("a", 257)}, "at /q: maxLength: got 257, want 256"},
		{map[string]any{}, "missing property 'q'"},
		{map[string]any{"q": "x", "sort": "best"}, "at /sort: value must be one of"},
		{map[string]any{"q": "x", "per_page": 101}, "at /per_page: maximum: got 101, want 100"},
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"total_count":0,"incomplete_results":false,"items":[]}`))
		res := h.Call(t, "search_github_repos", tt.args)
		if tt.want == "" {
			if res.IsError || len(h.Requests()) != 1 {
				t.Errorf("%v: %+v, %d requests; want success", tt.args, res, len(h.Requests()))
			}
			continue
		}
		if !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%v: %+v, %d requests; want an error with %q and no request", tt.args, res, len(h.Requests()), tt.want)
		}
	}
}

func TestSearchReposErrors(t *testing.T) {
	testErrors(t, "search_github_repos", map[string]any{"q": "x"})
}

func TestSearchIssues(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.GitHubSearchIssues)))
	res := h.Call(t, "search_github_issues", map[string]any{"q": "repo:octocat/Hello-World label:bug", "type": "pr", "sort": "updated"})
	wantRequests(t, h, abi.HTTPRequest{URL: "https://api.github.com/search/issues?q=repo%3Aoctocat%2FHello-World+label%3Abug+is%3Apr&sort=updated",
		Select: issueSearchSelect})
	got := pdktest.Content[issueSearch](t, res)
	if got.TotalCount != 2817 || len(got.Items) != 30 || got.NextPage != 0 {
		t.Fatalf("total %d, %d items, next %d", got.TotalCount, len(got.Items), got.NextPage)
	}
	prs, cut := 0, 0
	for _, it := range got.Items {
		if it.Repository != "octocat/Hello-World" || it.HTMLURL == "" || it.User == nil {
			t.Errorf("item %d: repository %q, url %q", it.Number, it.Repository, it.HTMLURL)
		}
		if it.PullRequest != nil {
			prs++
			if !strings.HasSuffix(it.PullRequest.HTMLURL, "/pull/"+itoa(it.Number)) {
				t.Errorf("item %d: pull_request %+v", it.Number, it.PullRequest)
			}
		}
		if it.BodyTruncated {
			cut++
			if len(*it.Body) > listBodyBytes {
				t.Errorf("item %d: body of %d bytes", it.Number, len(*it.Body))
			}
		}
	}
	if prs != 10 || cut == 0 {
		t.Errorf("%d pull requests (want 10), %d bodies cut (want some)", prs, cut)
	}
}

// The issue selection, as SelectOf derives it from issueItem.
func TestIssueSelect(t *testing.T) {
	want := "{total_count,incomplete_results,items:items.#.{number,title,state,state_reason,repository:repository_url,user:user.login," +
		"labels:labels.#.name,assignees:assignees.#.login,milestone:milestone.title,comments,locked,author_association," +
		"pull_request:pull_request.{html_url,merged_at},html_url,created_at,updated_at,closed_at,body,body_truncated}}"
	if issueSearchSelect != want {
		t.Errorf("issueSearchSelect =\n%s\nwant\n%s", issueSearchSelect, want)
	}
}

func TestSearchIssuesErrors(t *testing.T) {
	testErrors(t, "search_github_issues", map[string]any{"q": "is:issue x"})
}
