package main

import (
	"net/url"

	"github.com/wasmcp/wasmcp/pdk"
)

var searchTool = pdk.NewTool("search_reddit",
	"Searches Reddit's posts, in one subreddit or in all of Reddit, with Reddit's search "+
		"syntax (words, \"phrases\", author:, site:, flair:, self:yes, AND, OR, NOT). Returns "+
		"a page of posts as list_subreddit_posts does; pass the returned next as after to "+
		"get the next page.",
	search, pdk.ReadOnly("Reddit search"))

type searchArgs struct {
	Q         string  `json:"q" minLength:"1" maxLength:"512" jsonschema:"The search query, at most 512 characters."`
	Subreddit *string `json:"subreddit" pattern:"^[A-Za-z0-9][A-Za-z0-9_]{1,20}(\\+[A-Za-z0-9][A-Za-z0-9_]{1,20}){0,9}$" maxLength:"230" jsonschema:"Search only this subreddit (its name without r/); all of Reddit when absent."`
	Sort      *string `json:"sort" enum:"relevance,hot,top,new,comments" default:"relevance" jsonschema:"relevance (Reddit's default), hot, top, new, or comments (most commented)."`
	T         *string `json:"t" enum:"hour,day,week,month,year,all" default:"all" jsonschema:"Only posts from the last hour, day, week, month or year, or all (Reddit's default)."`
	Limit     *int    `json:"limit" minimum:"1" maximum:"100" default:"25" jsonschema:"Posts per page, 1 to 100 (Reddit's default is 25)."`
	After     *string `json:"after" pattern:"^t3_[0-9a-z]{1,16}$" jsonschema:"The next value of the previous page, to get the page that follows it."`
}

func search(c *pdk.Call, a searchArgs) (postsPage, error) {
	q := url.Values{"q": {a.Q}, "type": {"link"}, "raw_json": {"1"}}
	if a.Sort != nil {
		q.Set("sort", *a.Sort)
	}
	if a.T != nil {
		q.Set("t", *a.T)
	}
	pageArgs(q, a.Limit, a.After)
	path, what := "/search", "the search"
	if a.Subreddit != nil {
		var err error
		if path, err = pdk.Path("r", *a.Subreddit, "search"); err != nil {
			return postsPage{}, err
		}
		q.Set("restrict_sr", "1")
		what = "subreddit r/" + *a.Subreddit
	}
	var l postListing
	if err := fetch(c, what, scopeRead, path, q, postListingSelect, &l); err != nil {
		return postsPage{}, err
	}
	return l.page(), nil
}
