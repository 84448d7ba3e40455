package main

import (
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

func TestCreateIssue(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{"POST /repos/octocat/Hello-World/issues": {status: 201, body: payloads.GitHubIssueCreated}}))
	res := h.Call(t, "create_github_issue", args("title", "Found a bug", "body", "I'm having a problem with this.",
		"labels", []string{"bug"}, "assignees", []string{"octocat"}, "milestone", 1))
	wantRequests(t, h, abi.HTTPRequest{Method: "POST", URL: "https://api.github.com/repos/octocat/Hello-World/issues",
		Body:   `{"title":"Found a bug","body":"I'm having a problem with this.","labels":["bug"],"assignees":["octocat"],"milestone":1}`,
		Select: "{id,number,title,state,user:user.login,labels:labels.#.name,assignees:assignees.#.login,html_url,url,created_at}"})
	pdktest.WantContent(t, res, created{ID: 1001348, Number: 1348, Title: "Found a bug", State: "open", User: new("octocat"),
		Labels: []string{"bug"}, Assignees: []string{"octocat"}, HTMLURL: "https://github.com/octocat/Hello-World/issues/1348",
		URL: "https://api.github.com/repos/octocat/Hello-World/issues/1348", CreatedAt: res.Content["created_at"].(string)})
}

// Only the title is required; absent fields are not sent.
func TestCreateIssueMinimal(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(201, nil, string(payloads.GitHubIssueCreated)))
	if res := h.Call(t, "create_github_issue", args("title", "T")); res.IsError {
		t.Fatal(res.Message)
	}
	if b := h.Requests()[0].Body; b != `{"title":"T"}` {
		t.Errorf("body %s", b)
	}
}

func TestCreateIssueArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{args(), "missing property 'title'"},
		{args("title", ""), "at /title: minLength: got 0, want 1"},
		{args("title", strings.Repeat("t", 257)), "at /title: maxLength: got 257, want 256"},
		{args("title", "t", "body", strings.Repeat("b", 65537)), "at /body: maxLength: got 65,537, want 65,536"},
		{args("title", "t", "assignees", []string{"not a login"}), "at /assignees/0"},
		{args("title", "t", "milestone", 0), "at /milestone: minimum: got 0, want 1"},
		{args("title", "t", "state", "closed"), "additional properties 'state' not allowed"},
	} {
		h := pdktest.NewHost(plugin, nil)
		if res := h.Call(t, "create_github_issue", tt.args); !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%.200v: %+v; want %q", tt.args, res, tt.want)
		}
	}
}

// GitHub's 422 names the fields it refused.
func TestCreateIssueValidationFailed(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(422, nil, `{"message":"Validation Failed","errors":[{"value":"nobody","resource":"Issue","field":"assignees","code":"invalid"},{"resource":"Issue","field":"x\u001b[31m","code":"invalid"}],"documentation_url":"https://docs.github.com/rest/issues/issues#create-an-issue","status":"422"}`))
	res := h.Call(t, "create_github_issue", args("title", "t", "assignees", []string{"nobody"}))
	want := `GitHub API returned 422 Unprocessable Entity: the API refused the request. GitHub said: "Validation Failed". GitHub refused: Issue.assignees (invalid)`
	if !res.IsError || res.Message != want {
		t.Errorf("message\n%q\nwant\n%q", res.Message, want)
	}
}

func TestCreateIssueNoPermission(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(403, map[string]string{"X-Accepted-Github-Permissions": "issues=write"},
		`{"message":"Resource not accessible by personal access token","status":"403"}`))
	res := h.Call(t, "create_github_issue", args("title", "t"))
	if want := "This request needs the fine-grained permission issues=write"; !res.IsError || !strings.Contains(res.Message, want) {
		t.Errorf("result = %+v, want %q", res, want)
	}
}

func TestCreateIssueErrors(t *testing.T) { testErrors(t, "create_github_issue", args("title", "t")) }

func TestCommentIssue(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{"POST /repos/octocat/Hello-World/issues/1347/comments": {status: 201, body: payloads.GitHubCommentCreated}}))
	res := h.Call(t, "comment_github_issue", args("issue_number", 1347, "body", "Me too"))
	wantRequests(t, h, abi.HTTPRequest{Method: "POST", URL: "https://api.github.com/repos/octocat/Hello-World/issues/1347/comments",
		Body: `{"body":"Me too"}`, Select: "{id,user:user.login,html_url,issue_url,created_at}"})
	got := pdktest.Content[newComment](t, res)
	if got.ID != 1500000099 || *got.User != "octocat" || got.HTMLURL != "https://github.com/octocat/Hello-World/issues/1347#issuecomment-1500000099" ||
		got.IssueURL != "https://api.github.com/repos/octocat/Hello-World/issues/1347" || got.CreatedAt == "" {
		t.Errorf("comment = %+v", got)
	}
}

func TestCommentIssueArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{args("issue_number", 1), "missing property 'body'"},
		{args("issue_number", 1, "body", ""), "at /body: minLength: got 0, want 1"},
		{args("body", "x"), "missing property 'issue_number'"},
	} {
		h := pdktest.NewHost(plugin, nil)
		if res := h.Call(t, "comment_github_issue", tt.args); !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%.200v: %+v; want %q", tt.args, res, tt.want)
		}
	}
}

func TestCommentIssueNotFound(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(nil))
	res := h.Call(t, "comment_github_issue", args("issue_number", 404, "body", "x"))
	if !res.IsError || !strings.Contains(res.Message, "Not found: issue or pull request #404 of octocat/Hello-World") ||
		!strings.Contains(res.Message, "repo (or public_repo for public repositories)") {
		t.Errorf("result = %+v", res)
	}
}

func TestCommentIssueErrors(t *testing.T) {
	testErrors(t, "comment_github_issue", args("issue_number", 1, "body", "x"))
}
