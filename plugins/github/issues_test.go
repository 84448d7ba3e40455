package main

import (
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

var helloWorld = map[string]any{"owner": "octocat", "repo": "Hello-World"}

// args returns helloWorld with kv added.
func args(kv ...any) map[string]any {
	m := map[string]any{"owner": "octocat", "repo": "Hello-World"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func TestListIssues(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{
		"GET /repos/octocat/Hello-World/issues": {headers: link("/repositories/1296269/issues", 3, 9), body: payloads.GitHubIssues},
	}))
	res := h.Call(t, "list_github_issues", args("state", "all", "labels", []string{"bug", "good first issue"}, "assignee", "*",
		"creator", "monalisa", "since", "2024-01-31T00:00:00Z", "sort", "updated", "direction", "asc", "per_page", 30, "page", 2))
	wantRequests(t, h, abi.HTTPRequest{
		URL: "https://api.github.com/repos/octocat/Hello-World/issues?assignee=%2A&creator=monalisa&direction=asc&labels=bug%2Cgood+first+issue" +
			"&page=2&per_page=30&since=2024-01-31T00%3A00%3A00Z&sort=updated&state=all",
		Select: issuesSelect})
	got := pdktest.Content[issuePage](t, res)
	if got.Count != 30 || len(got.Issues) != 30 || got.NextPage != 3 {
		t.Fatalf("count %d, %d issues, next %d", got.Count, len(got.Issues), got.NextPage)
	}
	raw := decode[[]struct {
		Number int `json:"number"`
		Title  string
		User   struct{ Login string }
		Labels []struct{ Name string }
		Body   *string
		PR     *struct{} `json:"pull_request"`
	}](t, payloads.GitHubIssues)
	prs := 0
	for i, it := range got.Issues {
		r := raw[i]
		if it.Number != r.Number || it.Title != r.Title || *it.User != r.User.Login || len(it.Labels) != len(r.Labels) ||
			it.Repository != "octocat/Hello-World" || (it.PullRequest != nil) != (r.PR != nil) {
			t.Errorf("issue %d = %+v", r.Number, it)
		}
		for j, l := range r.Labels {
			if it.Labels[j] != l.Name {
				t.Errorf("issue %d: labels %v", r.Number, it.Labels)
			}
		}
		if it.PullRequest != nil {
			prs++
		}
		switch {
		case r.Body == nil:
			if it.Body != nil {
				t.Errorf("issue %d: body %q, want null", r.Number, *it.Body)
			}
		case len(*r.Body) > listBodyBytes:
			if !it.BodyTruncated || len(*it.Body) > listBodyBytes || !strings.HasPrefix(*r.Body, *it.Body) || len(*it.Body) < listBodyBytes-3 {
				t.Errorf("issue %d: body of %d bytes cut to %d, truncated %v", r.Number, len(*r.Body), len(*it.Body), it.BodyTruncated)
			}
		default:
			if it.BodyTruncated || *it.Body != *r.Body {
				t.Errorf("issue %d: body changed", r.Number)
			}
		}
	}
	if prs != 8 {
		t.Errorf("%d pull requests, want 8", prs)
	}
}

// The page ends mid-character: the cut keeps whole UTF-8 characters.
func TestBodyCutKeepsCharacters(t *testing.T) {
	body := strings.Repeat("a", listBodyBytes-1) + "é and more"
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `[{"number":1,"body":"`+body+`"}]`))
	got := pdktest.Content[issuePage](t, h.Call(t, "list_github_issues", helloWorld))
	if b := *got.Issues[0].Body; b != strings.Repeat("a", listBodyBytes-1) || !got.Issues[0].BodyTruncated {
		t.Errorf("body cut to %d bytes: %q", len(b), b[len(b)-3:])
	}
}

func TestListIssuesArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{args("assignee", "none"), ""},
		{args("since", "2024-01-31T00:00:00+02:00"), ""},
		{args("owner", "-octocat"), "at /owner: '-octocat' does not match pattern"},
		{args("owner", strings.Repeat("a", 40)), "at /owner: '" + strings.Repeat("a", 40) + "' does not match pattern"},
		{args("repo", ".."), "at /repo: '..' does not match pattern"},
		{args("repo", "a/b"), "at /repo: 'a/b' does not match pattern"},
		{args("repo", strings.Repeat("r", 101)), "at /repo: maxLength: got 101, want 100"},
		{args("state", "merged"), "at /state: value must be one of 'open', 'closed', 'all'"},
		{args("labels", []string{"a,b"}), "at /labels/0: 'a,b' does not match pattern"},
		{args("labels", make([]string, 11)), "at /labels: maxItems: got 11, want 10"},
		{args("since", "yesterday"), "at /since: 'yesterday' does not match pattern"},
		{args("since", "2024-13-45T99:00:00Z"), "argument since must be an ISO 8601 time"},
		{args("assignee", "a b"), "at /assignee: 'a b' does not match pattern"},
		{args("per_page", 0), "at /per_page: minimum: got 0, want 1"},
		{map[string]any{"owner": "octocat"}, "missing property 'repo'"},
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `[]`))
		res := h.Call(t, "list_github_issues", tt.args)
		if tt.want == "" {
			if res.IsError || len(h.Requests()) != 1 {
				t.Errorf("%v: %+v; want success", tt.args, res)
			}
			continue
		}
		if !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%v: %+v, %d requests; want an error with %q and no request", tt.args, res, len(h.Requests()), tt.want)
		}
	}
}

func TestListIssuesEmptyAndNotFound(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `[]`))
	pdktest.WantContent(t, h.Call(t, "list_github_issues", helloWorld), issuePage{Issues: []issueItem{}})
	wantRequests(t, h, abi.HTTPRequest{URL: "https://api.github.com/repos/octocat/Hello-World/issues", Select: issuesSelect})

	h = pdktest.NewHost(plugin, routes(nil))
	res := h.Call(t, "list_github_issues", args("repo", "Nope"))
	if !res.IsError || !strings.Contains(res.Message, "404 Not Found") || !strings.Contains(res.Message, "Not found: the repository octocat/Nope") ||
		!strings.Contains(res.Message, "Issues: read") {
		t.Errorf("result = %+v", res)
	}
}

func TestListIssuesErrors(t *testing.T) { testErrors(t, "list_github_issues", helloWorld) }

func TestGetIssue(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{
		"GET /repos/octocat/Hello-World/issues/1347":          ok(payloads.GitHubIssue),
		"GET /repos/octocat/Hello-World/issues/1347/comments": {headers: link("/repositories/1296269/issues/1347/comments", 2, 2), body: payloads.GitHubIssueComments},
	}))
	res := h.Call(t, "get_github_issue", args("issue_number", 1347))
	wantRequests(t, h,
		abi.HTTPRequest{URL: "https://api.github.com/repos/octocat/Hello-World/issues/1347", Select: issueSelect},
		abi.HTTPRequest{URL: "https://api.github.com/repos/octocat/Hello-World/issues/1347/comments", Select: commentsSelect})
	got := pdktest.Content[issueDetail](t, res)
	raw := decode[struct {
		Title     string
		Body      string
		Reactions map[string]any
		Milestone *struct{ Title string }
	}](t, payloads.GitHubIssue)
	if got.Number != 1347 || got.Title != raw.Title || got.Comments != 30 || *got.Body != raw.Body || got.BodyTruncated ||
		got.Reactions.TotalCount != int(raw.Reactions["total_count"].(float64)) || got.Reactions.PlusOne != int(raw.Reactions["+1"].(float64)) {
		t.Errorf("issue = %+v", got.issueFields)
	}
	if len(got.CommentList) != 30 || got.CommentsNextPage != 2 {
		t.Fatalf("%d comments, next page %d", len(got.CommentList), got.CommentsNextPage)
	}
	comments := decode[[]struct {
		ID   int64
		Body string
		User struct{ Login string }
	}](t, payloads.GitHubIssueComments)
	cut := 0
	for i, c := range got.CommentList {
		if c.ID != comments[i].ID || *c.User != comments[i].User.Login || !strings.HasPrefix(comments[i].Body, *c.Body) || c.HTMLURL == "" {
			t.Errorf("comment %d = %+v", i, c)
		}
		if c.BodyTruncated {
			cut++
			if len(*c.Body) > commentBytes || len(comments[i].Body) <= commentBytes {
				t.Errorf("comment %d cut from %d to %d bytes", i, len(comments[i].Body), len(*c.Body))
			}
		}
	}
	if cut != 1 {
		t.Errorf("%d comments cut, want 1", cut)
	}
}

func TestGetIssueCommentsPaging(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{
		"GET /repos/octocat/Hello-World/issues/7":          ok([]byte(`{"number":7,"comments":3}`)),
		"GET /repos/octocat/Hello-World/issues/7/comments": ok([]byte(`[{"id":1,"body":"hi","user":{"login":"hubot"}}]`)),
	}))
	got := pdktest.Content[issueDetail](t, h.Call(t, "get_github_issue", args("issue_number", 7, "comments_per_page", 1, "comments_page", 3)))
	wantRequests(t, h,
		abi.HTTPRequest{URL: "https://api.github.com/repos/octocat/Hello-World/issues/7", Select: issueSelect},
		abi.HTTPRequest{URL: "https://api.github.com/repos/octocat/Hello-World/issues/7/comments?page=3&per_page=1", Select: commentsSelect})
	if len(got.CommentList) != 1 || *got.CommentList[0].User != "hubot" || got.CommentsNextPage != 0 {
		t.Errorf("comments = %+v, next %d", got.CommentList, got.CommentsNextPage)
	}
}

// No request for comments when none are wanted, or the issue has none.
func TestGetIssueWithoutComments(t *testing.T) {
	for _, tt := range []struct {
		body string
		args map[string]any
	}{
		{`{"number":7,"comments":3}`, args("issue_number", 7, "comments_per_page", 0)},
		{`{"number":7,"comments":0}`, args("issue_number", 7)},
	} {
		h := pdktest.NewHost(plugin, routes(map[string]answer{"GET /repos/octocat/Hello-World/issues/7": ok([]byte(tt.body))}))
		got := pdktest.Content[issueDetail](t, h.Call(t, "get_github_issue", tt.args))
		if len(h.Requests()) != 1 || got.CommentList == nil || len(got.CommentList) != 0 {
			t.Errorf("%v: %d requests, comments %v", tt.args, len(h.Requests()), got.CommentList)
		}
	}
}

func TestGetIssueNotFound(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(nil))
	res := h.Call(t, "get_github_issue", args("issue_number", 99999))
	if !res.IsError || !strings.Contains(res.Message, "Not found: issue #99999 of octocat/Hello-World") {
		t.Errorf("result = %+v", res)
	}
	// The issue exists, its comments do not: the message says which.
	h = pdktest.NewHost(plugin, routes(map[string]answer{"GET /repos/octocat/Hello-World/issues/7": ok([]byte(`{"number":7,"comments":2}`))}))
	if res := h.Call(t, "get_github_issue", args("issue_number", 7)); !strings.Contains(res.Message, "Not found: the comments of issue #7 of octocat/Hello-World") {
		t.Errorf("result = %+v", res)
	}
}

func TestGetIssueArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{args("issue_number", 0), "at /issue_number: minimum: got 0, want 1"},
		{args("issue_number", 1.5), "at /issue_number: got number, want integer"},
		{args("issue_number", "7"), "at /issue_number: got string, want integer"},
		{args(), "missing property 'issue_number'"},
		{args("issue_number", 1, "comments_per_page", 101), "at /comments_per_page: maximum: got 101, want 100"},
		{args("issue_number", 1, "comments_page", 0), "at /comments_page: minimum: got 0, want 1"},
	} {
		h := pdktest.NewHost(plugin, nil)
		if res := h.Call(t, "get_github_issue", tt.args); !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%.200v: %+v; want %q", tt.args, res, tt.want)
		}
	}
}

func TestGetIssueErrors(t *testing.T) { testErrors(t, "get_github_issue", args("issue_number", 1)) }
