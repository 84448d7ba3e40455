package main

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/wasmcp/wasmcp/pdk"
)

var listSubredditsTool = pdk.Tool{
	Name: "list_user_subreddits",
	Description: "Lists the subreddits the connected Reddit user subscribes to, one page at a " +
		"time: name, title, URL, subscriber count, public description and NSFW flag. " +
		"Pass the returned after to get the next page; after is null on the last page.",
	InputSchema: map[string]any{
		"type": "object",
		"properties": map[string]any{
			"limit": map[string]any{
				"type":        "integer",
				"minimum":     1,
				"maximum":     100,
				"default":     25,
				"description": "Subreddits per page, 1 to 100 (Reddit's default is 25).",
			},
			"after": map[string]any{
				"type":        "string",
				"pattern":     afterPattern,
				"maxLength":   32,
				"description": "The after value of the previous page, to get the page that follows it.",
			},
		},
		"additionalProperties": false,
	},
	Handler: listSubreddits,
}

// afterPattern matches a Reddit fullname ("t5_2qh1i"), the form of a
// listing's after cursor; validAfter is the same check in code.
const afterPattern = `^t[0-9]_[0-9a-z]+$`

// validAfter reports whether s matches afterPattern and fits maxLength.
func validAfter(s string) bool {
	if len(s) < 4 || len(s) > 32 || s[0] != 't' || s[1] < '0' || s[1] > '9' || s[2] != '_' {
		return false
	}
	for _, r := range s[3:] {
		if (r < '0' || r > '9') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}

type listSubredditsArgs struct {
	Limit *int    `json:"limit"`
	After *string `json:"after"`
}

// query checks the arguments, which the host has validated already, and
// returns them as Reddit's query parameters. raw_json=1 asks Reddit not to
// escape text for HTML.
func (a listSubredditsArgs) query() (url.Values, error) {
	q := url.Values{"raw_json": {"1"}}
	if a.Limit != nil {
		if *a.Limit < 1 || *a.Limit > 100 {
			return nil, fmt.Errorf("limit must be between 1 and 100, got %d", *a.Limit)
		}
		q.Set("limit", strconv.Itoa(*a.Limit))
	}
	if a.After != nil {
		if !validAfter(*a.After) {
			return nil, fmt.Errorf("after must be the after value of a previous page (like t5_2qh1i), got %q", *a.After)
		}
		q.Set("after", *a.After)
	}
	return q, nil
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

func listSubreddits(c *pdk.Call) (any, error) {
	var a listSubredditsArgs
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	q, err := a.query()
	if err != nil {
		return nil, err
	}
	var l listing
	if err := get(c, "/subreddits/mine/subscriber", q, listingSelect, &l); err != nil {
		return nil, err
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
