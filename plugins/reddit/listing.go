package main

import (
	"errors"
	"net/url"
	"strconv"

	"github.com/wasmcp/wasmcp/pdk"
)

var listPostsTool = pdk.NewTool("list_subreddit_posts",
	"Lists a subreddit's posts, one page at a time, sorted as Reddit sorts them: hot, "+
		"new, or top within a time range (t). Each post has its id, title, author, score, "+
		"comment count, link, permalink, flair, flags and the start of its text. Pass the "+
		"returned next as after to get the next page; next is null on the last page.",
	listPosts, pdk.ReadOnly("Subreddit posts"))

type listPostsArgs struct {
	Subreddit string  `json:"subreddit" pattern:"^[A-Za-z0-9][A-Za-z0-9_]{1,20}(\\+[A-Za-z0-9][A-Za-z0-9_]{1,20}){0,9}$" maxLength:"230" jsonschema:"The subreddit's name without r/ (golang), several joined with + (golang+rust), or all or popular."`
	Sort      *string `json:"sort" enum:"hot,new,top" default:"hot" jsonschema:"hot (Reddit's default), new, or top (with t)."`
	T         *string `json:"t" enum:"hour,day,week,month,year,all" default:"day" jsonschema:"The time range of sort=top: hour, day (Reddit's default), week, month, year or all."`
	Limit     *int    `json:"limit" minimum:"1" maximum:"100" default:"25" jsonschema:"Posts per page, 1 to 100 (Reddit's default is 25)."`
	After     *string `json:"after" pattern:"^t3_[0-9a-z]{1,16}$" jsonschema:"The next value of the previous page, to get the page that follows it."`
}

func listPosts(c *pdk.Call, a listPostsArgs) (postsPage, error) {
	sort := "hot"
	if a.Sort != nil {
		sort = *a.Sort
	}
	q := url.Values{"raw_json": {"1"}}
	if a.T != nil {
		if sort != "top" {
			return postsPage{}, errors.New("t, the time range, applies only to sort=top")
		}
		q.Set("t", *a.T)
	}
	pageArgs(q, a.Limit, a.After)
	path, err := pdk.Path("r", a.Subreddit, sort)
	if err != nil {
		return postsPage{}, err
	}
	what := "subreddit r/" + a.Subreddit
	var l postListing
	if err := fetch(c, what, scopeRead, path, q, postListingSelect, &l); err != nil {
		return postsPage{}, err
	}
	if ch := l.Data.Children; len(ch) > 0 && ch[0].Kind == "t5" {
		// Reddit redirects a subreddit that does not exist to a search of
		// subreddits, which the host follows (same host).
		return postsPage{}, &toolError{msg: what + " was not found: Reddit answered with a search of subreddits instead"}
	}
	return l.page(), nil
}

// pageArgs adds a listing's limit and after to q.
func pageArgs(q url.Values, limit *int, after *string) {
	if limit != nil {
		q.Set("limit", strconv.Itoa(*limit))
	}
	if after != nil {
		q.Set("after", *after)
	}
}
