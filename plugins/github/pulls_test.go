package main

import (
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

func TestPullsSelect(t *testing.T) {
	want := "#.{number,title,state,draft,locked,user:user.login,head:head.{label,ref,sha,repo:repo.full_name}," +
		"base:base.{label,ref,sha,repo:repo.full_name},labels:labels.#.name,assignees:assignees.#.login," +
		"requested_reviewers:requested_reviewers.#.login,milestone:milestone.title,author_association,html_url," +
		"created_at,updated_at,closed_at,merged_at,body,body_truncated}"
	if pullsSelect != want {
		t.Errorf("pullsSelect =\n%s\nwant\n%s", pullsSelect, want)
	}
}

func TestListPulls(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{
		"GET /repos/octocat/Hello-World/pulls": {headers: link("/repositories/1296269/pulls", 2, 5), body: payloads.GitHubPulls},
	}))
	res := h.Call(t, "list_github_pull_requests", args("state", "closed", "base", "main", "head", "octocat:feature-1", "sort", "long-running", "direction", "desc", "per_page", 30))
	wantRequests(t, h, abi.HTTPRequest{
		URL:    "https://api.github.com/repos/octocat/Hello-World/pulls?base=main&direction=desc&head=octocat%3Afeature-1&per_page=30&sort=long-running&state=closed",
		Select: pullsSelect})
	got := pdktest.Content[pullPage](t, res)
	if got.Count != 30 || len(got.PullRequests) != 30 || got.NextPage != 2 {
		t.Fatalf("count %d, next %d", got.Count, got.NextPage)
	}
	raw := decode[[]struct {
		Number   int
		Title    string
		Draft    bool
		MergedAt *string `json:"merged_at"`
		Head     struct {
			Ref, SHA string
			Repo     *struct {
				FullName string `json:"full_name"`
			}
		}
		Base struct{ Ref string }
	}](t, payloads.GitHubPulls)
	deletedFork := 0
	for i, p := range got.PullRequests {
		r := raw[i]
		if p.Number != r.Number || p.Title != r.Title || p.Draft != r.Draft || p.Head.Ref != r.Head.Ref || p.Head.SHA != r.Head.SHA ||
			p.Base.Ref != "main" || *p.Base.Repo != "octocat/Hello-World" || (p.MergedAt == nil) != (r.MergedAt == nil) {
			t.Errorf("pull %d = %+v", r.Number, p)
		}
		if r.Head.Repo == nil {
			deletedFork++
			if p.Head.Repo != nil {
				t.Errorf("pull %d: head repo %q, want null (deleted fork)", r.Number, *p.Head.Repo)
			}
		} else if p.Head.Repo == nil || *p.Head.Repo != r.Head.Repo.FullName {
			t.Errorf("pull %d: head repo %v", r.Number, p.Head.Repo)
		}
		if p.Body != nil && len(*p.Body) > listBodyBytes {
			t.Errorf("pull %d: body of %d bytes", r.Number, len(*p.Body))
		}
	}
	if deletedFork == 0 {
		t.Error("the payload has no pull request from a deleted fork")
	}
}

func TestListPullsArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{args("head", "feature-1"), "at /head: 'feature-1' does not match pattern"},
		{args("base", "a b"), "at /base: 'a b' does not match pattern"},
		{args("sort", "comments"), "at /sort: value must be one of"},
		{args("state", "merged"), "at /state: value must be one of"},
	} {
		h := pdktest.NewHost(plugin, nil)
		if res := h.Call(t, "list_github_pull_requests", tt.args); !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%.200v: %+v; want %q", tt.args, res, tt.want)
		}
	}
}

func TestListPullsErrors(t *testing.T) { testErrors(t, "list_github_pull_requests", helloWorld) }

func TestGetPull(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{
		"GET /repos/octocat/Hello-World/pulls/1347":       ok(payloads.GitHubPull),
		"GET /repos/octocat/Hello-World/pulls/1347/files": {headers: link("/repositories/1296269/pulls/1347/files", 2, 2), body: payloads.GitHubPullFiles},
	}))
	res := h.Call(t, "get_github_pull_request", args("pull_number", 1347))
	wantRequests(t, h,
		abi.HTTPRequest{URL: "https://api.github.com/repos/octocat/Hello-World/pulls/1347", Select: pullSelect},
		abi.HTTPRequest{URL: "https://api.github.com/repos/octocat/Hello-World/pulls/1347/files",
			Select: "#.{filename,status,additions,deletions,changes,previous_filename}"})
	got := pdktest.Content[pullDetail](t, res)
	if got.Number != 1347 || got.Merged || got.Mergeable == nil || !*got.Mergeable || got.MergeableState != "clean" || got.Commits != 3 ||
		got.Additions != 1203 || got.Deletions != 240 || got.ChangedFiles != 35 || got.Comments != 10 || got.ReviewComments != 3 ||
		*got.Base.Repo != "octocat/Hello-World" || got.FilesNextPage != 2 {
		t.Errorf("pull = %+v", got.pullFields)
	}
	files := decode[[]struct {
		Filename, Status              string
		Additions, Deletions, Changes int
		Previous                      *string `json:"previous_filename"`
	}](t, payloads.GitHubPullFiles)
	if len(got.Files) != len(files) {
		t.Fatalf("%d files, want %d", len(got.Files), len(files))
	}
	renamed := 0
	for i, f := range got.Files {
		w := files[i]
		if f.Filename != w.Filename || f.Status != w.Status || f.Additions != w.Additions || f.Deletions != w.Deletions ||
			f.Changes != w.Changes || f.Patch != nil || (f.PreviousFilename == nil) != (w.Previous == nil) {
			t.Errorf("file %d = %+v, want %+v", i, f, w)
		}
		if f.PreviousFilename != nil {
			renamed++
		}
	}
	if renamed == 0 {
		t.Error("no renamed file in the payload")
	}
}

func TestGetPullWithPatches(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{
		"GET /repos/octocat/Hello-World/pulls/1347":       ok(payloads.GitHubPull),
		"GET /repos/octocat/Hello-World/pulls/1347/files": ok(payloads.GitHubPullFiles),
	}))
	got := pdktest.Content[pullDetail](t, h.Call(t, "get_github_pull_request", args("pull_number", 1347, "include_patch", true, "files_per_page", 100, "files_page", 1)))
	if r := h.Requests()[1]; r.URL != "https://api.github.com/repos/octocat/Hello-World/pulls/1347/files?page=1&per_page=100" || r.Select != filesPatchSelect {
		t.Errorf("files request %s %s", r.URL, r.Select)
	}
	files := decode[[]struct {
		Patch *string
	}](t, payloads.GitHubPullFiles)
	cut, none := 0, 0
	for i, f := range got.Files {
		switch w := files[i].Patch; {
		case w == nil:
			none++
			if f.Patch != nil {
				t.Errorf("file %s: a patch GitHub did not send", f.Filename)
			}
		case len(*w) > patchBytes:
			cut++
			if !f.PatchTruncated || len(*f.Patch) > patchBytes || !strings.HasPrefix(*w, *f.Patch) {
				t.Errorf("file %s: patch of %d bytes cut to %d", f.Filename, len(*w), len(*f.Patch))
			}
		default:
			if f.PatchTruncated || *f.Patch != *w {
				t.Errorf("file %s: patch changed", f.Filename)
			}
		}
	}
	if cut == 0 || none == 0 {
		t.Errorf("%d patches cut, %d files without one; want some of each", cut, none)
	}
}

func TestGetPullWithoutFiles(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{"GET /repos/octocat/Hello-World/pulls/2": ok([]byte(`{"number":2,"changed_files":4}`))}))
	got := pdktest.Content[pullDetail](t, h.Call(t, "get_github_pull_request", args("pull_number", 2, "files_per_page", 0)))
	if len(h.Requests()) != 1 || got.Files == nil || len(got.Files) != 0 || got.ChangedFiles != 4 {
		t.Errorf("%d requests, files %v", len(h.Requests()), got.Files)
	}
}

func TestGetPullNotFound(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(nil))
	res := h.Call(t, "get_github_pull_request", args("pull_number", 5))
	if !res.IsError || !strings.Contains(res.Message, "Not found: pull request #5 of octocat/Hello-World") || !strings.Contains(res.Message, "Pull requests: read") {
		t.Errorf("result = %+v", res)
	}
}

func TestGetPullErrors(t *testing.T) {
	testErrors(t, "get_github_pull_request", args("pull_number", 1))
}
