package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// wantPostListingSelect is the selection the host applies to a Listing of
// posts.
const wantPostListingSelect = "{data:data.{after,children:children.#.{kind,data:data.{id,name,subreddit,title,author,selftext," +
	"url,permalink,domain,score,upvote_ratio,num_comments,created_utc,over_18,spoiler,stickied,locked,is_self,link_flair_text,distinguished}}}}"

// rawListing decodes a Listing of posts in full, independently of the tool.
func rawListing(t *testing.T, body []byte) (after string, posts []map[string]any) {
	t.Helper()
	var l struct {
		Data struct {
			After    string `json:"after"`
			Children []struct {
				Data map[string]any `json:"data"`
			} `json:"children"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	for _, c := range l.Data.Children {
		posts = append(posts, c.Data)
	}
	return l.Data.After, posts
}

// checkPage compares a page the tool returned with the Listing in full.
func checkPage(t *testing.T, got postsPage, body []byte) {
	t.Helper()
	after, raw := rawListing(t, body)
	if got.Count != len(raw) || len(got.Posts) != len(raw) || got.Next == nil || *got.Next != after {
		t.Fatalf("page: count %d, %d posts, next %v; want %d posts, next %s", got.Count, len(got.Posts), got.Next, len(raw), after)
	}
	for i, p := range got.Posts {
		r := raw[i]
		text, _ := r["selftext"].(string)
		if p.ID != r["id"] || p.Name != "t3_"+p.ID || p.Title != r["title"] || p.Author != r["author"] || p.URL != r["url"] ||
			p.Permalink != "https://www.reddit.com"+r["permalink"].(string) || float64(p.Score) != r["score"] ||
			float64(p.NumComments) != r["num_comments"] || p.CreatedUTC != r["created_utc"] || p.IsSelf != r["is_self"] ||
			p.Stickied != r["stickied"] || p.Subreddit != r["subreddit"] || p.UpvoteRatio != r["upvote_ratio"] {
			t.Errorf("post %d = %+v\nwant the fields of %v", i, p, r["id"])
		}
		if !strings.HasPrefix(text, p.Selftext) || p.SelftextTruncated != (len([]rune(text)) > maxListSelftext) {
			t.Errorf("post %d: selftext %d runes, truncated %v, of %d", i, len([]rune(p.Selftext)), p.SelftextTruncated, len([]rune(text)))
		}
		if f, _ := r["link_flair_text"].(string); (p.LinkFlairText == nil) != (r["link_flair_text"] == nil) || p.LinkFlairText != nil && *p.LinkFlairText != f {
			t.Errorf("post %d: flair %v, want %v", i, p.LinkFlairText, r["link_flair_text"])
		}
	}
}

func TestListPosts(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.RedditSubredditHot)))
	res := h.Call(t, "list_subreddit_posts", map[string]any{"subreddit": "golang", "limit": 25, "after": "t3_1habc12"})
	onlyRequest(t, h, "https://oauth.reddit.com/r/golang/hot?after=t3_1habc12&limit=25&raw_json=1", wantPostListingSelect)
	checkPage(t, pdktest.Content[postsPage](t, res), payloads.RedditSubredditHot)
}

func TestListPostsTop(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.RedditSubredditHot)))
	res := h.Call(t, "list_subreddit_posts", map[string]any{"subreddit": "golang+rust", "sort": "top", "t": "week"})
	onlyRequest(t, h, "https://oauth.reddit.com/r/golang+rust/top?raw_json=1&t=week", wantPostListingSelect)
	if res.IsError {
		t.Fatal(res.Message)
	}
}

func TestListPostsLastPage(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"kind":"Listing","data":{"after":null,"dist":0,"children":[],"before":null}}`))
	res := h.Call(t, "list_subreddit_posts", map[string]any{"subreddit": "golang", "sort": "new"})
	onlyRequest(t, h, "https://oauth.reddit.com/r/golang/new?raw_json=1", wantPostListingSelect)
	pdktest.WantContent(t, res, postsPage{Posts: []post{}})
	if next, ok := res.Content["next"]; !ok || next != nil {
		t.Errorf("next = %v, %v; want null on the last page", next, ok)
	}
}

func TestListPostsArguments(t *testing.T) {
	const pre = "Invalid arguments for list_subreddit_posts: "
	tests := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"subreddit": "go"}, ""},
		{map[string]any{"subreddit": "all", "sort": "top", "t": "all", "limit": 100}, ""},
		{map[string]any{"subreddit": "golang", "t": "week"}, "t, the time range, applies only to sort=top"},
		{map[string]any{"subreddit": "golang", "sort": "new", "t": "day"}, "t, the time range, applies only to sort=top"},
		{map[string]any{}, pre + "at /: missing property 'subreddit'"},
		{map[string]any{"subreddit": "r/golang"}, pre + "at /subreddit: 'r/golang' does not match pattern"},
		{map[string]any{"subreddit": "../api"}, pre + "at /subreddit: '../api' does not match pattern"},
		{map[string]any{"subreddit": "golang", "sort": "rising"}, pre + "at /sort: value must be one of 'hot', 'new', 'top'"},
		{map[string]any{"subreddit": "golang", "sort": "top", "t": "decade"}, pre + "at /t: value must be one of"},
		{map[string]any{"subreddit": "golang", "limit": 101}, pre + "at /limit: maximum: got 101, want 100"},
		{map[string]any{"subreddit": "golang", "after": "t5_abc"}, pre + "at /after: 't5_abc' does not match pattern"},
	}
	for _, tt := range tests {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"data":{"children":[]}}`))
		res := h.Call(t, "list_subreddit_posts", tt.args)
		if tt.want == "" {
			if res.IsError || len(h.Requests()) != 1 {
				t.Errorf("%v: result %+v, %d requests; want success", tt.args, res, len(h.Requests()))
			}
			continue
		}
		if !res.IsError || !strings.HasPrefix(res.Message, tt.want) {
			t.Errorf("%v: result %+v, want error %q", tt.args, res, tt.want)
		}
		if len(h.Requests()) != 0 {
			t.Errorf("%v: a request was sent despite bad arguments", tt.args)
		}
	}
}

func TestListPostsErrors(t *testing.T) {
	testErrors(t, "list_subreddit_posts", map[string]any{"subreddit": "golang"})
}

// TestSubredditErrors: a 404 names the subreddit, a 403 says why Reddit
// refused it, and a token without the read scope is told so.
func TestSubredditErrors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		status  int
		headers map[string]string
		body    string
		want    []string
	}{
		{"not found", 404, nil, `{"message": "Not Found", "error": 404}`,
			[]string{"subreddit r/nosuchsub was not found: Reddit API returned 404 Not Found"}},
		{"banned", 404, nil, `{"reason": "banned", "message": "Not Found", "error": 404}`,
			[]string{"subreddit r/nosuchsub was not found", "subreddit r/nosuchsub has been banned by Reddit"}},
		{"private", 403, nil, `{"reason": "private", "message": "Forbidden", "error": 403}`,
			[]string{"Reddit API returned 403 Forbidden", "subreddit r/nosuchsub is private: only its approved users can read it"}},
		{"quarantined", 403, nil, `{"reason": "quarantined", "quarantine_message": "<b>x</b>", "message": "Forbidden", "error": 403}`,
			[]string{"is quarantined: the account must opt in"}},
		{"scope", 403, map[string]string{"www-authenticate": `Bearer realm="reddit", error="insufficient_scope"`}, `{"message": "Forbidden", "error": 403}`,
			[]string{"403 Forbidden", "the token lacks the OAuth scope this tool needs: read; reconnect Reddit granting it"}},
		{"rate limit", 429, map[string]string{"x-ratelimit-remaining": "0.0", "x-ratelimit-used": "100", "x-ratelimit-reset": "42"}, `{"message": "Too Many Requests", "error": 429}`,
			[]string{"429 Too Many Requests", "the limit resets in 42 seconds"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := pdktest.NewHost(plugin, pdktest.Reply(tt.status, tt.headers, tt.body))
			res := h.Call(t, "list_subreddit_posts", map[string]any{"subreddit": "nosuchsub"})
			for _, w := range tt.want {
				if !res.IsError || !strings.Contains(res.Message, w) {
					t.Errorf("message %q lacks %q", res.Message, w)
				}
			}
			if strings.Contains(res.Message, "<b>") {
				t.Errorf("message %q quotes Reddit's HTML", res.Message)
			}
		})
	}
}

func TestSearch(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.RedditSearch)))
	res := h.Call(t, "search_reddit", map[string]any{"q": `wasm "plugin host" self:yes`, "sort": "top", "t": "month", "limit": 25})
	onlyRequest(t, h, "https://oauth.reddit.com/search?limit=25&q=wasm+%22plugin+host%22+self%3Ayes&raw_json=1&sort=top&t=month&type=link", wantPostListingSelect)
	checkPage(t, pdktest.Content[postsPage](t, res), payloads.RedditSearch)
}

func TestSearchSubreddit(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.RedditSearch)))
	res := h.Call(t, "search_reddit", map[string]any{"q": "generics", "subreddit": "golang", "after": "t3_1hzz9"})
	onlyRequest(t, h, "https://oauth.reddit.com/r/golang/search?after=t3_1hzz9&q=generics&raw_json=1&restrict_sr=1&type=link", wantPostListingSelect)
	if page := pdktest.Content[postsPage](t, res); page.Count != 25 || page.Next == nil {
		t.Errorf("page: %d posts, next %v", page.Count, page.Next)
	}
}

// TestSearchSkipsOtherKinds: a listing that mixes in subreddits (t5), as
// Reddit's search may, yields only its posts.
func TestSearchSkipsOtherKinds(t *testing.T) {
	body := `{"kind":"Listing","data":{"after":null,"children":[
	  {"kind":"t5","data":{"display_name":"golang","id":"2rc7j","name":"t5_2rc7j","url":"/r/golang/"}},
	  {"kind":"t3","data":{"id":"abc","name":"t3_abc","title":"Hi","permalink":"/r/golang/comments/abc/hi/","selftext":"","created_utc":0}}]}}`
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, body))
	res := h.Call(t, "search_reddit", map[string]any{"q": "go"})
	pdktest.WantContent(t, res, postsPage{Count: 1, Posts: []post{{ID: "abc", Name: "t3_abc", Title: "Hi", Permalink: "https://www.reddit.com/r/golang/comments/abc/hi/"}}})
}

func TestSearchArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"q": ""}, "at /q: minLength: got 0, want 1"},
		{map[string]any{"q": strings.Repeat("a", 513)}, "at /q: maxLength: got 513, want 512"},
		{map[string]any{"q": "x", "subreddit": "a/b"}, "at /subreddit: 'a/b' does not match pattern"},
		{map[string]any{"q": "x", "sort": "best"}, "at /sort: value must be one of"},
		{map[string]any{"subreddit": "golang"}, "at /: missing property 'q'"},
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"data":{"children":[]}}`))
		res := h.Call(t, "search_reddit", tt.args)
		if !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%v: result %+v, want error %q and no request", tt.args, res, tt.want)
		}
	}
}

func TestSearchErrors(t *testing.T) { testErrors(t, "search_reddit", map[string]any{"q": "go"}) }

// TestListPostsRedirectedToSearch: a subreddit that does not exist, which
// Reddit redirects to a search of subreddits, is not found.
func TestListPostsRedirectedToSearch(t *testing.T) {
	body := `{"kind":"Listing","data":{"after":"t5_x","children":[{"kind":"t5","data":{"display_name":"golang2","name":"t5_x"}}]}}`
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, body))
	res := h.Call(t, "list_subreddit_posts", map[string]any{"subreddit": "golangg"})
	if want := "subreddit r/golangg was not found: Reddit answered with a search of subreddits instead"; !res.IsError || res.Message != want {
		t.Errorf("result = %+v, want %q", res, want)
	}
}
