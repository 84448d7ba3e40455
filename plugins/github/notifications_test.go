package main

import (
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

const wantNotificationsSelect = "{notifications:#.{id,unread,reason,updated_at,last_read_at,repository:repository.full_name," +
	"subject:subject.{title,type,url,latest_comment_url}},count:#}"

func TestListNotifications(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{"GET /notifications": {headers: link("/notifications", 2, 4), body: payloads.GitHubNotifications}}))
	res := h.Call(t, "list_github_notifications", map[string]any{"all": true, "participating": false, "since": "2024-05-01T00:00:00Z",
		"before": "2024-06-01T00:00:00Z", "per_page": 50, "page": 1})
	wantRequests(t, h, abi.HTTPRequest{
		URL:    "https://api.github.com/notifications?all=true&before=2024-06-01T00%3A00%3A00Z&page=1&participating=false&per_page=50&since=2024-05-01T00%3A00%3A00Z",
		Select: wantNotificationsSelect})
	got := pdktest.Content[notifications](t, res)
	raw := decode[[]struct {
		ID         string
		Unread     bool
		Reason     string
		Repository struct {
			FullName string `json:"full_name"`
		}
		Subject struct{ Title, Type string }
	}](t, payloads.GitHubNotifications)
	if got.Count != 30 || len(got.Notifications) != 30 || got.NextPage != 2 {
		t.Fatalf("count %d, next %d", got.Count, got.NextPage)
	}
	nulls := 0
	for i, n := range got.Notifications {
		r := raw[i]
		if n.ID != r.ID || n.Unread != r.Unread || n.Reason != r.Reason || n.Repository != r.Repository.FullName ||
			n.Subject.Title != r.Subject.Title || n.Subject.Type != r.Subject.Type || n.UpdatedAt == "" {
			t.Errorf("notification %d = %+v", i, n)
		}
		if n.Subject.URL == nil {
			nulls++ // a discussion or check suite has none
		}
	}
	if nulls == 0 {
		t.Error("no notification with a null subject url in the payload")
	}
}

func TestListNotificationsArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"per_page": 51}, "at /per_page: maximum: got 51, want 50"},
		{map[string]any{"all": "yes"}, "at /all: got string, want boolean"},
		{map[string]any{"since": "2024-02-30T00:00:00Z"}, "argument since must be an ISO 8601 time"},
		{map[string]any{"before": "2024-01-01"}, "at /before: '2024-01-01' does not match pattern"},
		{map[string]any{"repo": "x"}, "additional properties 'repo' not allowed"},
	} {
		h := pdktest.NewHost(plugin, nil)
		if res := h.Call(t, "list_github_notifications", tt.args); !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%.200v: %+v; want %q", tt.args, res, tt.want)
		}
	}
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `[]`))
	pdktest.WantContent(t, h.Call(t, "list_github_notifications", nil), notifications{Notifications: []notification{}})
	wantRequests(t, h, abi.HTTPRequest{URL: "https://api.github.com/notifications", Select: wantNotificationsSelect})
}

// A token that cannot read notifications gets a 403 naming the scope.
func TestListNotificationsScope(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(403, map[string]string{"X-Accepted-Oauth-Scopes": "notifications, repo", "X-Oauth-Scopes": "read:user"},
		`{"message":"Missing the 'notifications' scope.","documentation_url":"https://docs.github.com/rest/activity/notifications"}`))
	res := h.Call(t, "list_github_notifications", nil)
	want := "This request needs the OAuth scope notifications or repo; the token has read:user"
	if !res.IsError || !strings.Contains(res.Message, want) {
		t.Errorf("result = %+v, want %q", res, want)
	}
}

func TestListNotificationsErrors(t *testing.T) { testErrors(t, "list_github_notifications", nil) }
