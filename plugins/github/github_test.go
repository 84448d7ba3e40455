package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// wantHeaders are the headers every request must carry, exactly.
var wantHeaders = map[string]string{
	"Accept":               "application/vnd.github+json",
	"X-GitHub-Api-Version": "2022-11-28",
	"User-Agent":           "wasmcp-github-plugin/0.1.0",
}

// onlyRequest checks that h saw exactly one GET of url with wantHeaders.
func onlyRequest(t *testing.T, h *pdktest.Host, url, sel string) {
	t.Helper()
	want := []abi.HTTPRequest{{Method: "GET", URL: url, Headers: wantHeaders, Select: sel}}
	if got := h.Requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("requests =\n%+v\nwant\n%+v", got, want)
	}
}

func TestDescriptor(t *testing.T) {
	d := plugin.Descriptor()
	if d.ABIVersion != abi.Version || d.Name != "github" || d.Provider != "github" ||
		!reflect.DeepEqual(d.Hosts, []string{"https://api.github.com"}) {
		t.Errorf("descriptor = %+v", d)
	}
	var names []string
	for _, tool := range d.Tools {
		names = append(names, tool.Name)
		if tool.InputSchema["type"] != "object" || tool.InputSchema["additionalProperties"] != false {
			t.Errorf("tool %s: schema %v is not a closed object schema", tool.Name, tool.InputSchema)
		}
		if tool.Description == "" {
			t.Errorf("tool %s has no description", tool.Name)
		}
	}
	want := []string{"get_github_user", "list_github_repos", "search_github_repos", "get_github_file_contents",
		"list_github_issues", "get_github_issue", "search_github_issues", "list_github_pull_requests",
		"get_github_pull_request", "list_github_notifications", "create_github_issue", "comment_github_issue"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("tools = %v, want %v", names, want)
	}
}

// errorCases are API failures and the words the tool error must contain.
var errorCases = []struct {
	name    string
	status  int
	headers map[string]string
	body    string
	want    []string
}{
	{"401", 401, nil, `{"message":"Bad credentials"}`,
		[]string{"GitHub API returned 401 Unauthorized", "reconnect GitHub", `GitHub said: "Bad credentials"`}},
	{"403", 403, map[string]string{"X-Ratelimit-Remaining": "10"}, `{"message":"Must have admin rights"}`,
		[]string{"403 Forbidden", "permission or scope", "Must have admin rights"}},
	{"403 rate limit", 403, map[string]string{"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "1700000000"}, `{"message":"API rate limit exceeded"}`,
		[]string{"403 Forbidden", "rate limit was exceeded", "resets at 2023-11-14T22:13:20Z"}},
	{"404", 404, nil, `{"message":"Not Found"}`, []string{"404 Not Found", "not found"}},
	{"429", 429, map[string]string{"Retry-After": "42"}, "", []string{"429 Too Many Requests", "rate limit", "retry after 42 seconds"}},
	{"500", 500, nil, "<html>oops</html>", []string{"500 Internal Server Error", "try again later"}},
	{"503", 503, nil, "", []string{"503 Service Unavailable", "try again later"}},
}

func testErrors(t *testing.T, tool string, args any) {
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			h := pdktest.NewHost(plugin, pdktest.Reply(tt.status, tt.headers, tt.body))
			msg := pdktest.WantToolError(t, h.Call(t, tool, args), tt.want...)
			if strings.Contains(msg, "<html>") {
				t.Errorf("message %q quotes a non-JSON body", msg)
			}
		})
	}
}

func TestHostFailure(t *testing.T) {
	h := pdktest.NewHost(plugin, func(abi.HTTPRequest) abi.HTTPResponse {
		return abi.HTTPResponse{Error: abi.ErrTransport, ErrorMessage: "dial tcp: i/o timeout"}
	})
	res := h.Call(t, "get_github_user", nil)
	if want := "the HTTP request failed (transport): dial tcp: i/o timeout"; !res.IsError || res.Message != want {
		t.Errorf("result = %+v, want message %q", res, want)
	}
}

func TestUndecodableBody(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, "<html>"))
	res := h.Call(t, "get_github_user", nil)
	if !res.IsError || !strings.Contains(res.Message, "not the JSON expected") {
		t.Errorf("result = %+v", res)
	}
}
