package main

import (
	"reflect"
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
	if res.IsError {
		t.Fatalf("tool error: %s", res.Message)
	}
	onlyRequest(t, h, "https://oauth.reddit.com/subreddits/mine/subscriber?after=t5_2qh0u&limit=2&raw_json=1", wantListingSelect)
	want := map[string]any{
		"count": 2.0,
		"after": "t5_2qh1i",
		"subreddits": []any{
			map[string]any{"name": "golang", "title": "The Go Programming Language", "url": "https://www.reddit.com/r/golang/",
				"subscribers": 250000.0, "public_description": "Ask & discuss <Go>", "over18": false},
			map[string]any{"name": "u_someone", "title": "", "url": "https://www.reddit.com/user/someone/",
				"subscribers": nil, "public_description": "", "over18": true},
		},
	}
	if !reflect.DeepEqual(res.Content, want) {
		t.Errorf("content =\n%v\nwant\n%v", res.Content, want)
	}
}

func TestListSubredditsDefaultsAndLastPage(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"kind":"Listing","data":{"after":null,"children":[]}}`))
	res := h.Call(t, "list_user_subreddits", nil)
	onlyRequest(t, h, "https://oauth.reddit.com/subreddits/mine/subscriber?raw_json=1", wantListingSelect)
	if want := map[string]any{"subreddits": []any{}, "count": 0.0, "after": nil}; !reflect.DeepEqual(res.Content, want) {
		t.Errorf("content = %v, want %v", res.Content, want)
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
		{map[string]any{"limit": 0}, "limit must be between 1 and 100, got 0"},
		{map[string]any{"limit": 101}, "limit must be between 1 and 100, got 101"},
		{map[string]any{"limit": -5}, "limit must be between 1 and 100, got -5"},
		{map[string]any{"limit": 10.5}, `invalid arguments for tool "list_user_subreddits": json: cannot unmarshal number 10.5 into Go struct field listSubredditsArgs.limit of type int`},
		{map[string]any{"limit": "10"}, `invalid arguments for tool "list_user_subreddits": json: cannot unmarshal string into Go struct field listSubredditsArgs.limit of type int`},
		{map[string]any{"after": "t5_x&limit=1000"}, `after must be the after value of a previous page (like t5_2qh1i), got "t5_x&limit=1000"`},
		{map[string]any{"after": ""}, `after must be the after value of a previous page (like t5_2qh1i), got ""`},
		{map[string]any{"count": 3}, `invalid arguments for tool "list_user_subreddits": json: unknown field "count"`},
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

func TestValidAfter(t *testing.T) {
	for s, want := range map[string]bool{
		"t5_2qh1i": true, "t3_a": true, "t5_": false, "x5_abc": false, "t5-abc": false,
		"t5_ABC": false, "t5_abc def": false, "t5_" + string(make([]byte, 30)): false,
		"t5_abcdefghijklmnopqrstuvwxyz0123": false, "t5_abcdefghijklmnopqrstuvwxyz012": true,
	} {
		if got := validAfter(s); got != want {
			t.Errorf("validAfter(%q) = %v, want %v", s, got, want)
		}
	}
}

// wantListingSelect is the selection the host applies to a listing of
// subreddits.
const wantListingSelect = "{data:data.{after,children:children.#.{data:data.{display_name,title,url,subscribers,public_description,over18}}}}"
