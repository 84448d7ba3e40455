package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/internal/payloads"
)

// ghLink is GitHub's Link header of a page that has a next one.
func ghLink(path string, next int) string {
	return `<https://api.github.com` + path + `?page=` + ghItoa(next) + `>; rel="next", <https://api.github.com` + path + `?page=9>; rel="last"`
}

func ghItoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// fakeGitHubAPI answers like api.github.com for every tool of the github
// plugin, with GitHub's answers in their full shapes and sizes (package
// payloads); octocat/private answers 403 for a missing scope, octocat/busy
// 429 with Retry-After, and anything else 404, as GitHub does.
func fakeGitHubAPI(t *testing.T) *fake {
	mux := http.NewServeMux()
	page := func(body []byte, next string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if next != "" {
				w.Header().Set("Link", next)
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write(body)
		}
	}
	const repo = "/repos/octocat/Hello-World"
	mux.HandleFunc("GET /user", page(payloads.GitHubUser, ""))
	mux.HandleFunc("GET /user/repos", page(payloads.GitHubUserRepos, ghLink("/user/repos", 2)))
	mux.HandleFunc("GET /search/repositories", page(payloads.GitHubSearchRepos, ghLink("/search/repositories", 3)))
	mux.HandleFunc("GET /search/issues", page(payloads.GitHubSearchIssues, ghLink("/search/issues", 2)))
	mux.HandleFunc("GET "+repo+"/contents/README.md", page(payloads.GitHubContentFile, ""))
	mux.HandleFunc("GET "+repo+"/issues", page(payloads.GitHubIssues, ghLink("/repositories/1296269/issues", 2)))
	mux.HandleFunc("GET "+repo+"/issues/1347", page(payloads.GitHubIssue, ""))
	mux.HandleFunc("GET "+repo+"/issues/1347/comments", page(payloads.GitHubIssueComments, ghLink("/repositories/1296269/issues/1347/comments", 2)))
	mux.HandleFunc("GET "+repo+"/pulls", page(payloads.GitHubPulls, ghLink("/repositories/1296269/pulls", 2)))
	mux.HandleFunc("GET "+repo+"/pulls/1347", page(payloads.GitHubPull, ""))
	mux.HandleFunc("GET "+repo+"/pulls/1347/files", page(payloads.GitHubPullFiles, ghLink("/repositories/1296269/pulls/1347/files", 2)))
	mux.HandleFunc("GET /notifications", page(payloads.GitHubNotifications, ghLink("/notifications", 2)))
	mux.HandleFunc("POST "+repo+"/issues", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://api.github.com"+repo+"/issues/1348")
		w.WriteHeader(201)
		w.Write(payloads.GitHubIssueCreated)
	})
	mux.HandleFunc("POST "+repo+"/issues/1347/comments", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(201)
		w.Write(payloads.GitHubCommentCreated)
	})
	mux.HandleFunc("GET /repos/octocat/private/issues", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Accepted-OAuth-Scopes", "repo")
		w.Header().Set("X-OAuth-Scopes", "read:user")
		writeJSON(w, 403, map[string]any{"message": "Resource not accessible by integration", "status": "403"})
	})
	mux.HandleFunc("GET /repos/octocat/busy/issues", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, 429, map[string]any{"message": "API rate limit exceeded", "status": "429"})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})
	})
	return newFake(t, mux.ServeHTTP)
}

// allGitHubTools are the github plugin's tools.
var allGitHubTools = []string{"get_github_user", "list_github_repos", "search_github_repos", "get_github_file_contents",
	"list_github_issues", "get_github_issue", "search_github_issues", "list_github_pull_requests",
	"get_github_pull_request", "list_github_notifications", "create_github_issue", "comment_github_issue"}

// The binary lists every GitHub tool with an output schema, the reads as
// read-only and idempotent, the writes as neither, and none destructive.
func TestGitHubToolsListed(t *testing.T) {
	r := startHost(t, hostOpts{mock: true})
	res, err := r.session.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tool := range res.Tools {
		if !slices.Contains(allGitHubTools, tool.Name) {
			continue
		}
		seen[tool.Name] = true
		write := strings.HasPrefix(tool.Name, "create_") || strings.HasPrefix(tool.Name, "comment_")
		a := tool.Annotations
		if a == nil || a.Title == "" || a.ReadOnlyHint == write || a.IdempotentHint == write || a.DestructiveHint == nil || *a.DestructiveHint {
			t.Errorf("%s: annotations %+v", tool.Name, a)
		}
		if s, ok := tool.OutputSchema.(map[string]any); !ok || s["type"] != "object" {
			t.Errorf("%s: output schema %v", tool.Name, tool.OutputSchema)
		}
	}
	for _, name := range allGitHubTools {
		if !seen[name] {
			t.Errorf("%s is not listed", name)
		}
	}
}

// Every GitHub tool works end to end through the binary against a fake
// with GitHub's real answers: the requests it sends (method, path, query,
// body), each with the calling user's own token and GitHub's headers, and
// the result the model gets.
func TestGitHubToolsEndToEnd(t *testing.T) {
	gh := fakeGitHubAPI(t)
	be := defaultBackend(t)
	r := startHost(t, hostOpts{backendURL: be.URL, upstreams: map[string]string{"https://api.github.com": gh.URL}})
	hw := func(kv ...any) map[string]any {
		m := map[string]any{"owner": "octocat", "repo": "Hello-World"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	type req struct{ method, path, query string }
	for _, c := range []struct {
		tool  string
		user  string
		args  map[string]any
		reqs  []req
		check func(t *testing.T, s map[string]any)
	}{
		{"search_github_repos", "alice", map[string]any{"q": "language:go mcp", "sort": "stars", "per_page": 30},
			[]req{{"GET", "/search/repositories", "per_page=30&q=language%3Ago+mcp&sort=stars"}},
			func(t *testing.T, s map[string]any) {
				items := s["items"].([]any)
				first := items[0].(map[string]any)
				if s["total_count"] != 40123.0 || len(items) != 30 || s["next_page"] != 3.0 || first["owner"] != "octocat" || first["score"] != 1.0 {
					t.Errorf("total %v, %d items, next %v, first %v", s["total_count"], len(items), s["next_page"], first)
				}
			}},
		{"get_github_file_contents", "alice", hw("path", "README.md", "ref", "main", "max_bytes", 5000),
			[]req{{"GET", "/repos/octocat/Hello-World/contents/README.md", "ref=main"}},
			func(t *testing.T, s map[string]any) {
				text, _ := s["content"].(string)
				if s["type"] != "file" || !strings.HasPrefix(text, "# Hello-World\n") || len(text) > 5000 || s["truncated"] != true || s["next_offset"] != float64(len(text)) {
					t.Errorf("type %v, %d bytes, truncated %v, next %v", s["type"], len(text), s["truncated"], s["next_offset"])
				}
			}},
		{"list_github_issues", "alice", hw("state", "open", "labels", []string{"bug", "help wanted"}, "since", "2024-01-01T00:00:00Z"),
			[]req{{"GET", "/repos/octocat/Hello-World/issues", "labels=bug%2Chelp+wanted&since=2024-01-01T00%3A00%3A00Z&state=open"}},
			func(t *testing.T, s map[string]any) {
				issues := s["issues"].([]any)
				first := issues[0].(map[string]any)
				if s["count"] != 30.0 || len(issues) != 30 || s["next_page"] != 2.0 || first["number"] != 1347.0 || first["repository"] != "octocat/Hello-World" {
					t.Errorf("count %v, next %v, first %v", s["count"], s["next_page"], first)
				}
			}},
		{"get_github_issue", "alice", hw("issue_number", 1347),
			[]req{{"GET", "/repos/octocat/Hello-World/issues/1347", ""}, {"GET", "/repos/octocat/Hello-World/issues/1347/comments", ""}},
			func(t *testing.T, s map[string]any) {
				comments := s["comment_list"].([]any)
				if s["number"] != 1347.0 || s["comments"] != 30.0 || len(comments) != 30 || s["comments_next_page"] != 2.0 {
					t.Errorf("number %v, %d comments, next %v", s["number"], len(comments), s["comments_next_page"])
				}
			}},
		{"search_github_issues", "alice", map[string]any{"q": "repo:octocat/Hello-World bug", "type": "issue"},
			[]req{{"GET", "/search/issues", "q=repo%3Aoctocat%2FHello-World+bug+is%3Aissue"}},
			func(t *testing.T, s map[string]any) {
				if s["total_count"] != 2817.0 || len(s["items"].([]any)) != 30 || s["next_page"] != 2.0 {
					t.Errorf("total %v, next %v", s["total_count"], s["next_page"])
				}
			}},
		{"list_github_pull_requests", "alice", hw("state", "all", "page", 1),
			[]req{{"GET", "/repos/octocat/Hello-World/pulls", "page=1&state=all"}},
			func(t *testing.T, s map[string]any) {
				prs := s["pull_requests"].([]any)
				base := prs[0].(map[string]any)["base"].(map[string]any)
				if s["count"] != 30.0 || len(prs) != 30 || base["repo"] != "octocat/Hello-World" || base["ref"] != "main" {
					t.Errorf("count %v, base %v", s["count"], base)
				}
			}},
		{"get_github_pull_request", "alice", hw("pull_number", 1347, "files_per_page", 30),
			[]req{{"GET", "/repos/octocat/Hello-World/pulls/1347", ""}, {"GET", "/repos/octocat/Hello-World/pulls/1347/files", "per_page=30"}},
			func(t *testing.T, s map[string]any) {
				files := s["files"].([]any)
				f := files[0].(map[string]any)
				if s["changed_files"] != 35.0 || s["mergeable_state"] != "clean" || len(files) != 30 || s["files_next_page"] != 2.0 ||
					f["filename"] != "pdk/client.go" || f["status"] != "modified" || f["additions"] == nil || f["deletions"] == nil {
					t.Errorf("changed %v, %d files, first %v", s["changed_files"], len(files), f)
				}
			}},
		{"list_github_notifications", "alice", map[string]any{"all": true, "per_page": 50},
			[]req{{"GET", "/notifications", "all=true&per_page=50"}},
			func(t *testing.T, s map[string]any) {
				n := s["notifications"].([]any)[0].(map[string]any)
				if s["count"] != 30.0 || n["repository"] != "octocat/repo-00" || n["subject"].(map[string]any)["type"] != "Issue" {
					t.Errorf("count %v, first %v", s["count"], n)
				}
			}},
		{"create_github_issue", "bob", hw("title", "Found a bug", "body", "I'm having a problem with this.", "labels", []string{"bug"}),
			[]req{{"POST", "/repos/octocat/Hello-World/issues", ""}},
			func(t *testing.T, s map[string]any) {
				if s["number"] != 1348.0 || s["html_url"] != "https://github.com/octocat/Hello-World/issues/1348" || s["state"] != "open" {
					t.Errorf("created %v", s)
				}
			}},
		{"comment_github_issue", "bob", hw("issue_number", 1347, "body", "Me too"),
			[]req{{"POST", "/repos/octocat/Hello-World/issues/1347/comments", ""}},
			func(t *testing.T, s map[string]any) {
				if s["id"] != 1500000099.0 || !strings.HasSuffix(s["html_url"].(string), "#issuecomment-1500000099") {
					t.Errorf("comment %v", s)
				}
			}},
	} {
		t.Run(c.tool, func(t *testing.T) {
			before := len(gh.requests())
			res := r.call(t, c.tool, c.args, meta(c.user, "temp-"+c.user+"-token-01", "github"))
			if res.IsError {
				t.Fatalf("tool error: %s", text(res))
			}
			got := gh.requests()[before:]
			if len(got) != len(c.reqs) {
				t.Fatalf("the fake got %d requests, want %d: %+v", len(got), len(c.reqs), got)
			}
			for i, w := range c.reqs {
				g := got[i]
				if g.Method != w.method || g.Path != w.path || g.Query != w.query {
					t.Errorf("request %d: %s %s?%s, want %s %s?%s", i, g.Method, g.Path, g.Query, w.method, w.path, w.query)
				}
				if g.Auth != "Bearer "+tokenFor(c.user, "github") {
					t.Errorf("request %d: Authorization %q, want %s's token", i, g.Auth, c.user)
				}
				if g.Accept != "application/vnd.github+json" || g.Header.Get("X-GitHub-Api-Version") != "2022-11-28" || !strings.HasPrefix(g.UserAgent, "wasmcp-github-plugin/") {
					t.Errorf("request %d: Accept %q, version %q, User-Agent %q", i, g.Accept, g.Header.Get("X-GitHub-Api-Version"), g.UserAgent)
				}
			}
			if c.tool == "create_github_issue" {
				var body map[string]any
				if err := json.Unmarshal([]byte(got[0].Body), &body); err != nil || body["title"] != "Found a bug" ||
					body["body"] != "I'm having a problem with this." || !slices.Equal(body["labels"].([]any), []any{"bug"}) || len(body) != 3 ||
					got[0].Header.Get("Content-Type") != "application/json" {
					t.Errorf("body %s (%v), Content-Type %q", got[0].Body, err, got[0].Header.Get("Content-Type"))
				}
			}
			if c.tool == "comment_github_issue" && got[0].Body != `{"body":"Me too"}` {
				t.Errorf("body %s", got[0].Body)
			}
			all := resultJSON(t, res)
			if strings.Contains(all, tokenFor(c.user, "github")) || strings.Contains(all, "temp-"+c.user+"-token-01") {
				t.Error("a secret appears in the result")
			}
			c.check(t, structured(t, res))
		})
	}
	if logs := r.stderr.String(); strings.Contains(logs, "s3cr3t") || strings.Contains(logs, "-token-01") {
		t.Error("a secret appears in the logs")
	}
}

// GitHub's 404, 403 for a missing scope and 429 reach the model as tool
// errors that say what was not found, which scope is needed, and when to
// retry.
func TestGitHubToolErrorsEndToEnd(t *testing.T) {
	gh := fakeGitHubAPI(t)
	r := startHost(t, hostOpts{mock: true, upstreams: map[string]string{"https://api.github.com": gh.URL}})
	for _, c := range []struct {
		tool string
		args map[string]any
		want []string
	}{
		{"get_github_issue", map[string]any{"owner": "octocat", "repo": "Hello-World", "issue_number": 4040},
			[]string{"404 Not Found", "Not found: issue #4040 of octocat/Hello-World"}},
		{"get_github_file_contents", map[string]any{"owner": "octocat", "repo": "Hello-World", "path": "no/such.md"},
			[]string{"404 Not Found", `Not found: the path "no/such.md" in octocat/Hello-World`}},
		{"list_github_issues", map[string]any{"owner": "octocat", "repo": "private"},
			[]string{"403 Forbidden", "This request needs the OAuth scope repo; the token has read:user"}},
		{"list_github_issues", map[string]any{"owner": "octocat", "repo": "busy"},
			[]string{"429 Too Many Requests", "retry after 30 seconds"}},
	} {
		res := r.call(t, c.tool, c.args, meta("u1", "temp-token-u1-0001", "github"))
		if !res.IsError {
			t.Errorf("%s %v: not a tool error: %s", c.tool, c.args, text(res))
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(text(res), w) {
				t.Errorf("%s %v: %q lacks %q", c.tool, c.args, text(res), w)
			}
		}
		if strings.Contains(resultJSON(t, res), mockGitHub) {
			t.Errorf("%s: the token appears in the result", c.tool)
		}
	}
	for _, q := range gh.requests() {
		if q.Auth != "Bearer "+mockGitHub {
			t.Errorf("%s %s: Authorization %q", q.Method, q.Path, q.Auth)
		}
	}
}
