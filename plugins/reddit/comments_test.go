package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// flat is a comment of Reddit's tree, found by walking the answer in full,
// independently of the tool's selection.
type flat struct {
	id, parent, body string
	depth            int
}

// walkRaw flattens the full comment tree of GET /comments/{id}, in reading
// order, down to maxDepth levels, and sums the counts of the "more" stubs
// it meets.
func walkRaw(t *testing.T, body []byte, maxDepth int) (post map[string]any, comments []flat, more int) {
	t.Helper()
	var ans []struct {
		Data struct {
			Children []json.RawMessage `json:"children"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ans); err != nil || len(ans) != 2 {
		t.Fatalf("the payload is not two Listings: %v", err)
	}
	var p struct {
		Data map[string]any `json:"data"`
	}
	json.Unmarshal(ans[0].Data.Children[0], &p)
	var walk func(children []json.RawMessage, depth int)
	walk = func(children []json.RawMessage, depth int) {
		for _, raw := range children {
			var th struct {
				Kind string         `json:"kind"`
				Data map[string]any `json:"data"`
			}
			json.Unmarshal(raw, &th)
			if th.Kind == "more" {
				n := int(th.Data["count"].(float64))
				if c := len(th.Data["children"].([]any)); c > n {
					n = c
				}
				more += n
				continue
			}
			if depth >= maxDepth {
				continue
			}
			if d := int(th.Data["depth"].(float64)); d != depth {
				t.Fatalf("the payload's comment %v has depth %d at level %d", th.Data["id"], d, depth)
			}
			comments = append(comments, flat{id: th.Data["id"].(string), parent: th.Data["parent_id"].(string), body: th.Data["body"].(string), depth: depth})
			if rep, ok := th.Data["replies"].(map[string]any); ok {
				var l struct {
					Data struct {
						Children []json.RawMessage `json:"children"`
					} `json:"data"`
				}
				b, _ := json.Marshal(rep)
				json.Unmarshal(b, &l)
				walk(l.Data.Children, depth+1)
			}
		}
	}
	walk(ans[1].Data.Children, 0)
	return p.Data, comments, more
}

func TestGetPost(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.RedditPostComments)))
	res := h.Call(t, "get_reddit_post", map[string]any{"post_id": "t3_1hgsr30", "depth": 8, "limit": 500, "sort": "top"})
	onlyRequest(t, h, "https://oauth.reddit.com/comments/1hgsr30?depth=8&limit=500&raw_json=1&sort=top", postSelect(8))
	got := pdktest.Content[postResult](t, res)
	rawPost, want, more := walkRaw(t, payloads.RedditPostComments, 8)
	if got.Post.ID != rawPost["id"] || got.Post.Title != rawPost["title"] || got.Post.Selftext != rawPost["selftext"] || got.Post.SelftextTruncated {
		t.Errorf("post = %+v", got.Post)
	}
	if got.Count != len(want) || len(got.Comments) != len(want) || got.MoreComments != more || got.Truncated {
		t.Fatalf("%d comments (count %d), more %d, truncated %v; want %d, more %d", len(got.Comments), got.Count, got.MoreComments, got.Truncated, len(want), more)
	}
	for i, c := range got.Comments {
		w := want[i]
		body, cut := pdk.CutRunes(w.body, maxCommentText)
		if c.ID != w.id || c.Name != "t1_"+w.id || c.ParentID != w.parent || c.Depth != w.depth || c.Body != body || c.BodyTruncated != cut || c.Created == "" {
			t.Errorf("comment %d = %+v, want %+v", i, c, w)
		}
		if c.MoreReplies != 0 {
			t.Errorf("comment %d: more_replies %d within the depth asked for", i, c.MoreReplies)
		}
	}
}

// TestGetPostDepthAndLimit: depth cuts the tree (the replies left out are
// counted on their parent), and limit the comments, in reading order.
func TestGetPostDepthAndLimit(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.RedditPostComments)))
	got := pdktest.Content[postResult](t, h.Call(t, "get_reddit_post", map[string]any{"post_id": "1hgsr30", "depth": 1}))
	onlyRequest(t, h, "https://oauth.reddit.com/comments/1hgsr30?depth=1&limit=100&raw_json=1", postSelect(1))
	_, want, _ := walkRaw(t, payloads.RedditPostComments, 1)
	withReplies := 0
	for i, c := range got.Comments {
		if c.Depth != 0 || c.ID != want[i].id {
			t.Errorf("comment %d = %+v, want top-level %s", i, c, want[i].id)
		}
		if c.MoreReplies > 0 {
			withReplies++
		}
	}
	if len(got.Comments) != len(want) || withReplies == 0 {
		t.Errorf("%d comments, %d with more_replies; want %d top-level, some with replies", len(got.Comments), withReplies, len(want))
	}

	h = pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.RedditPostComments)))
	got = pdktest.Content[postResult](t, h.Call(t, "get_reddit_post", map[string]any{"post_id": "1hgsr30", "limit": 10}))
	_, all, more := walkRaw(t, payloads.RedditPostComments, 4)
	if got.Count != 10 || !got.Truncated || got.MoreComments <= more {
		t.Errorf("limit 10: count %d, truncated %v, more %d (the payload's stubs: %d)", got.Count, got.Truncated, got.MoreComments, more)
	}
	for i, c := range got.Comments {
		if c.ID != all[i].id {
			t.Errorf("limit 10: comment %d is %s, want %s (reading order)", i, c.ID, all[i].id)
		}
	}
}

// TestGetPostBoundsText: a long comment and a long post are cut, and say so.
func TestGetPostBoundsText(t *testing.T) {
	long := strings.Repeat("é", maxCommentText+10)
	body := `[{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"abc","name":"t3_abc","title":"T","selftext":"` +
		strings.Repeat("x", maxPostText+1) + `","permalink":"/r/x/comments/abc/t/","created_utc":1700000000}}]}},
	 {"kind":"Listing","data":{"children":[{"kind":"t1","data":{"id":"c1","name":"t1_c1","parent_id":"t3_abc","depth":0,"body":"` + long + `","replies":""}},
	   {"kind":"more","data":{"count":0,"name":"t1__","id":"_","parent_id":"t3_abc","depth":0,"children":[]}}]}}]`
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, body))
	got := pdktest.Content[postResult](t, h.Call(t, "get_reddit_post", map[string]any{"post_id": "abc"}))
	if !got.Post.SelftextTruncated || len(got.Post.Selftext) != maxPostText || got.Post.Created != "2023-11-14T22:13:20Z" {
		t.Errorf("post: %d bytes of text, truncated %v, created %q", len(got.Post.Selftext), got.Post.SelftextTruncated, got.Post.Created)
	}
	if len(got.Comments) != 1 || !got.Comments[0].BodyTruncated || len([]rune(got.Comments[0].Body)) != maxCommentText {
		t.Errorf("comments = %+v", got.Comments)
	}
	if got.MoreComments != 0 {
		t.Errorf("more_comments = %d, want 0 for an empty stub", got.MoreComments)
	}
}

func TestGetPostNotFound(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(404, nil, `{"message": "Not Found", "error": 404}`))
	res := h.Call(t, "get_reddit_post", map[string]any{"post_id": "t3_zzz"})
	if want := "post zzz was not found: Reddit API returned 404 Not Found"; !res.IsError || !strings.HasPrefix(res.Message, want) {
		t.Errorf("result = %+v, want %q", res, want)
	}
	// An answer that is no pair of Listings holds no post.
	h = pdktest.NewHost(plugin, pdktest.Reply(200, nil, `[]`))
	if res := h.Call(t, "get_reddit_post", map[string]any{"post_id": "zzz"}); !res.IsError || !strings.Contains(res.Message, "post zzz was not found") {
		t.Errorf("result = %+v", res)
	}
}

func TestGetPostArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"post_id": "T3_ABC"}, "at /post_id: 'T3_ABC' does not match pattern"},
		{map[string]any{"post_id": "abc/../x"}, "does not match pattern"},
		{map[string]any{"post_id": "abc", "depth": 9}, "at /depth: maximum: got 9, want 8"},
		{map[string]any{"post_id": "abc", "limit": 0}, "at /limit: minimum: got 0, want 1"},
		{map[string]any{"post_id": "abc", "limit": 501}, "at /limit: maximum: got 501, want 500"},
		{map[string]any{"post_id": "abc", "sort": "best"}, "at /sort: value must be one of"},
		{map[string]any{}, "missing property 'post_id'"},
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `[]`))
		res := h.Call(t, "get_reddit_post", tt.args)
		if !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%v: result %+v, want error %q and no request", tt.args, res, tt.want)
		}
	}
}

func TestGetPostErrors(t *testing.T) {
	testErrors(t, "get_reddit_post", map[string]any{"post_id": "abc"})
}

// TestCommentSelectFitsTheHost: the deepest selection is within the host's
// bound on Select.
func TestCommentSelectFitsTheHost(t *testing.T) {
	if n := len(postSelect(8)); n > 4096 {
		t.Errorf("postSelect(8) is %d bytes, over the host's 4096", n)
	}
}

// TestGetPostTextBudget: past the comments' text budget, comments stop, the
// last one cut at a rune boundary, and the rest are counted as left out.
func TestGetPostTextBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString(`[{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"abc","name":"t3_abc","title":"T","permalink":"/r/x/comments/abc/t/"}}]}},{"kind":"Listing","data":{"children":[`)
	n := maxCommentsBytes/(maxCommentText*3) + 5 // comments of 2,000 three-byte runes
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"kind":"t1","data":{"id":"c` + strconv.Itoa(i) + `","parent_id":"t3_abc","depth":0,"body":"` + strings.Repeat("€", maxCommentText) + `","replies":""}}`)
	}
	b.WriteString(`]}}]`)
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, b.String()))
	got := pdktest.Content[postResult](t, h.Call(t, "get_reddit_post", map[string]any{"post_id": "abc", "limit": 500}))
	total := 0
	for _, c := range got.Comments {
		total += len(c.Body)
		if !utf8.ValidString(c.Body) {
			t.Errorf("comment %s: body is not valid UTF-8", c.ID)
		}
	}
	last := got.Comments[len(got.Comments)-1]
	if total > maxCommentsBytes || total < maxCommentsBytes-3 || !got.Truncated || !last.BodyTruncated || got.Count+got.MoreComments != n {
		t.Errorf("%d comments, %d bytes of text, truncated %v, more %d; want the budget of %d bytes, %d in all",
			got.Count, total, got.Truncated, got.MoreComments, maxCommentsBytes, n)
	}
}
