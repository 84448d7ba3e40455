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
	"Accept":     "application/json",
	"User-Agent": "wasmcp-reddit-plugin/0.1.0 (by wasmcp)",
}

// onlyRequest checks that h saw exactly one GET of url with wantHeaders,
// asking the host to select sel.
func onlyRequest(t *testing.T, h *pdktest.Host, url, sel string) {
	t.Helper()
	want := []abi.HTTPRequest{{Method: "GET", URL: url, Headers: wantHeaders, Select: sel}}
	if got := h.Requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("requests =\n%+v\nwant\n%+v", got, want)
	}
}

func TestDescriptor(t *testing.T) {
	d := plugin.Descriptor()
	if d.ABIVersion != abi.Version || d.Name != "reddit" || d.Provider != "reddit" ||
		!reflect.DeepEqual(d.Hosts, []string{"https://oauth.reddit.com"}) {
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
	if want := []string{"get_reddit_user", "list_user_subreddits", "list_subreddit_posts", "get_reddit_post", "search_reddit"}; !reflect.DeepEqual(names, want) {
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
	{"401", 401, nil, `{"message": "Unauthorized", "error": 401}`,
		[]string{"Reddit API returned 401 Unauthorized", "reconnect Reddit", `Reddit said: "Unauthorized"`}},
	{"403", 403, nil, `{"message": "Forbidden", "error": 403}`, []string{"403 Forbidden", "access was denied"}},
	{"404", 404, nil, `{"message": "Not Found", "error": 404}`, []string{"404 Not Found", "not found"}},
	{"429", 429, map[string]string{"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "95", "x-ratelimit-used": "100"}, `{"message": "Too Many Requests", "error": 429}`,
		[]string{"429 Too Many Requests", "rate limit", "resets in 95 seconds"}},
	{"500", 500, nil, "<html>oops</html>", []string{"500 Internal Server Error", "Reddit had a server error", "try again later"}},
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
		return abi.HTTPResponse{Error: abi.ErrTooManyRequests, ErrorMessage: "the call may make at most 10 requests"}
	})
	res := h.Call(t, "list_user_subreddits", nil)
	if want := "the HTTP request failed (too_many_requests): the call may make at most 10 requests"; !res.IsError || res.Message != want {
		t.Errorf("result = %+v, want message %q", res, want)
	}
}
