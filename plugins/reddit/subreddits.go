package main

import (
	"net/url"
	"strconv"

	"github.com/wasmcp/wasmcp/pdk"
)

var listSubredditsTool = pdk.NewTool("list_user_subreddits",
	"Lists the subreddits the connected Reddit user subscribes to, one page at a "+
		"time: name, title, URL, subscriber count, public description and NSFW flag. "+
		"Pass the returned after to get the next page; after is null on the last page.",
	listSubreddits, pdk.ReadOnly("Reddit subscriptions"))

// listSubredditsArgs are the tool's arguments; an after cursor is a Reddit
// fullname ("t5_2qh1i").
type listSubredditsArgs struct {
	Limit *int    `json:"limit" minimum:"1" maximum:"100" default:"25" jsonschema:"Subreddits per page, 1 to 100 (Reddit's default is 25)."`
	After *string `json:"after" pattern:"^t[0-9]_[0-9a-z]+$" maxLength:"32" jsonschema:"The after value of the previous page, to get the page that follows it."`
}

// query returns the arguments as Reddit's query parameters; the host has
// checked them against the schema the tags above declare. raw_json=1 asks
// Reddit not to escape text for HTML.
func (a listSubredditsArgs) query() url.Values {
	q := url.Values{"raw_json": {"1"}}
	if a.Limit != nil {
		q.Set("limit", strconv.Itoa(*a.Limit))
	}
	if a.After != nil {
		q.Set("after", *a.After)
	}
	return q
}

// listing is the part of a Reddit listing of subreddits the tool reads.
type listing struct {
	Data struct {
		After    *string `json:"after"`
		Children []struct {
			Data struct {
				DisplayName       string `json:"display_name"`
				Title             string `json:"title"`
				URL               string `json:"url"`
				Subscribers       *int64 `json:"subscribers"`
				PublicDescription string `json:"public_description"`
				Over18            bool   `json:"over18"`
			} `json:"data"`
		} `json:"children"`
	} `json:"data"`
}

// listingSelect has the host keep only the fields of listing: a
// subreddit's data is about 4 KB in Reddit's full shape, of which the tool
// reads six fields.
var listingSelect = pdk.SelectOf(listing{})

// subreddit is one subreddit as the tool returns it.
type subreddit struct {
	Name              string `json:"name"`
	Title             string `json:"title"`
	URL               string `json:"url"`
	Subscribers       *int64 `json:"subscribers"`
	PublicDescription string `json:"public_description"`
	Over18            bool   `json:"over18"`
}

type subredditsResult struct {
	Subreddits []subreddit `json:"subreddits"`
	Count      int         `json:"count"`
	// After is the cursor of the next page; null on the last one.
	After *string `json:"after"`
}

func listSubreddits(c *pdk.Call, a listSubredditsArgs) (subredditsResult, error) {
	var l listing
	if _, err := api.Get(c, "/subreddits/mine/subscriber", &l, pdk.Query(a.query()), pdk.Select(listingSelect)); err != nil {
		return subredditsResult{}, err
	}
	res := subredditsResult{Subreddits: make([]subreddit, 0, len(l.Data.Children)), After: l.Data.After}
	for _, ch := range l.Data.Children {
		d := ch.Data
		u := d.URL
		if len(u) > 0 && u[0] == '/' {
			u = webBase + u
		}
		res.Subreddits = append(res.Subreddits, subreddit{
			Name:              d.DisplayName,
			Title:             d.Title,
			URL:               u,
			Subscribers:       d.Subscribers,
			PublicDescription: d.PublicDescription,
			Over18:            d.Over18,
		})
	}
	res.Count = len(res.Subreddits)
	if res.After != nil && *res.After == "" {
		res.After = nil
	}
	return res, nil
}
