package main

import (
	"testing"

	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

const subredditsJSON = `{"kind": "Listing", "data": {
  "after": "t5_2qh1i", "dist": 2, "modhash": null, "geo_filter": "", "before": null,
  "children": [
    {"kind": "t5", "data": {"display_name": "golang", "display_name_prefixed": "r/golang",
      "title": "The Go Programming Language", "url": "/r/golang/", "subscribers": 250000,
      "public_description": "Ask & discuss <Go>", "over18": false, "name": "t5_2rc7j"}},
    {"kind": "t5", "data": {"display_name": "u_someone", "title": "", "url": "/user/someone/",
      "subscribers": null, "public_description": "", "over18": true, "name": "t5_2qh1i"}}
  ]}}`

func TestListSubreddits(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, subredditsJSON))
	res := h.Call(t, "list_user_subreddits", map[string]any{"limit": 2, "after": "t5_2qh0u"})
	onlyRequest(t, h, "https://oauth.reddit.com/subreddits/mine/subscriber?after=t5_2qh0u&limit=2&raw_json=1", wantListingSelect)
	pdktest.WantContent(t, res, subredditsResult{Count: 2, After: new("t5_2qh1i"), Subreddits: []subreddit{
		{Name: "golang", Title: "The Go Programming Language", URL: "https://www.reddit.com/r/golang/",
			Subscribers: new(int64(250000)), PublicDescription: "Ask & discuss <Go>"},
		{Name: "u_someone", URL: "https://www.reddit.com/user/someone/", Over18: true}, // subscribers: null
	}})
}

func TestListSubredditsDefaultsAndLastPage(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"kind":"Listing","data":{"after":null,"children":[]}}`))
	res := h.Call(t, "list_user_subreddits", nil)
	onlyRequest(t, h, "https://oauth.reddit.com/subreddits/mine/subscriber?raw_json=1", wantListingSelect)
	pdktest.WantContent(t, res, subredditsResult{Subreddits: []subreddit{}})
	if after, ok := res.Content["after"]; !ok || after != nil {
		t.Errorf("after = %v, %v; want null on the last page", after, ok)
	}
}

func TestListSubredditsArgumentBounds(t *testing.T) {
	tests := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"limit": 1}, ""},
		{map[string]any{"limit": 100}, ""},
		{map[string]any{"after": "t5_abc09"}, ""},
		// The host refuses these, by the schema the argument tags declare.
		{map[string]any{"limit": 0}, "Invalid arguments for list_user_subreddits: at /limit: minimum: got 0, want 1"},
		{map[string]any{"limit": 101}, "Invalid arguments for list_user_subreddits: at /limit: maximum: got 101, want 100"},
		{map[string]any{"limit": -5}, "Invalid arguments for list_user_subreddits: at /limit: minimum: got -5, want 1"},
		{map[string]any{"limit": 10.5}, "Invalid arguments for list_user_subreddits: at /limit: got number, want integer"},
		{map[string]any{"limit": "10"}, "Invalid arguments for list_user_subreddits: at /limit: got string, want integer"},
		{map[string]any{"after": "t5_x&limit=1000"}, "Invalid arguments for list_user_subreddits: at /after: 't5_x&limit=1000' does not match pattern '^t[0-9]_[0-9a-z]+$'"},
		{map[string]any{"after": ""}, "Invalid arguments for list_user_subreddits: at /after: '' does not match pattern '^t[0-9]_[0-9a-z]+$'"},
		{map[string]any{"count": 3}, "Invalid arguments for list_user_subreddits: at /: additional properties 'count' not allowed"},
	}
	for _, tt := range tests {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"data":{"children":[]}}`))
		res := h.Call(t, "list_user_subreddits", tt.args)
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

func TestListSubredditsErrors(t *testing.T) {
	testErrors(t, "list_user_subreddits", map[string]any{"limit": 10})
}

// TestAfterSchema: the host lets through only a Reddit fullname of at most
// 32 bytes as after, by the argument's pattern and maxLength tags.
func TestAfterSchema(t *testing.T) {
	for s, want := range map[string]bool{
		"t5_2qh1i": true, "t3_a": true, "t5_": false, "x5_abc": false, "t5-abc": false,
		"t5_ABC": false, "t5_abc def": false, "t5_" + string(make([]byte, 30)): false,
		"t5_abcdefghijklmnopqrstuvwxyz0123": false, "t5_abcdefghijklmnopqrstuvwxyz012": true,
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"data":{"children":[]}}`))
		res := h.Call(t, "list_user_subreddits", map[string]any{"after": s})
		if got := !res.IsError; got != want {
			t.Errorf("after %q: accepted = %v, want %v (%s)", s, got, want, res.Message)
		}
	}
}

// wantListingSelect is the selection the host applies to a listing of
// subreddits.
const wantListingSelect = "{data:data.{after,children:children.#.{data:data.{display_name,title,url,subscribers,public_description,over18}}}}"
