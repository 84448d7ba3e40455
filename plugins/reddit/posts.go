package main

import (
	"time"

	"github.com/wasmcp/wasmcp/pdk"
)

// The posts (Reddit's "links", kind t3) of a listing, as list_subreddit_posts
// and search_reddit return them.

// maxListSelftext bounds a post's text in a listing, in runes: a self post
// may hold 40,000 characters, and a page 100 posts. get_reddit_post returns
// more of it.
const maxListSelftext = 500

// t3 is the part of a post that the tools read, under Reddit's names.
type t3 struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	Subreddit     string  `json:"subreddit"`
	Title         string  `json:"title"`
	Author        string  `json:"author"`
	Selftext      string  `json:"selftext"`
	URL           string  `json:"url"`
	Permalink     string  `json:"permalink"`
	Domain        string  `json:"domain"`
	Score         int64   `json:"score"`
	UpvoteRatio   float64 `json:"upvote_ratio"`
	NumComments   int64   `json:"num_comments"`
	CreatedUTC    float64 `json:"created_utc"`
	Over18        bool    `json:"over_18"`
	Spoiler       bool    `json:"spoiler"`
	Stickied      bool    `json:"stickied"`
	Locked        bool    `json:"locked"`
	IsSelf        bool    `json:"is_self"`
	LinkFlairText *string `json:"link_flair_text"`
	Distinguished *string `json:"distinguished"`
}

// postListing is the part of a Listing of posts the tools read.
type postListing struct {
	Data struct {
		After    *string `json:"after"`
		Children []struct {
			Kind string `json:"kind"`
			Data t3     `json:"data"`
		} `json:"children"`
	} `json:"data"`
}

// postListingSelect has the host keep only the fields of postListing: a
// post is 4 to 8 KB in Reddit's full shape, of which the tools read 20
// fields.
var postListingSelect = pdk.SelectOf(postListing{})

// post is one post as the tools return it: Reddit's fields, its text
// bounded, its permalink made absolute, its creation time in RFC 3339 too.
type post struct {
	ID                string  `json:"id" jsonschema:"The post's id (its fullname without t3_), for get_reddit_post."`
	Name              string  `json:"name" jsonschema:"The post's fullname (t3_...)."`
	Subreddit         string  `json:"subreddit"`
	Title             string  `json:"title"`
	Author            string  `json:"author"`
	Selftext          string  `json:"selftext,omitempty" jsonschema:"The text of a self post, in Markdown."`
	SelftextTruncated bool    `json:"selftext_truncated,omitempty" jsonschema:"The text was cut; get_reddit_post returns more."`
	URL               string  `json:"url" jsonschema:"What the post links to; its own page for a self post."`
	Permalink         string  `json:"permalink" jsonschema:"The post's page on reddit.com."`
	Domain            string  `json:"domain"`
	Score             int64   `json:"score"`
	UpvoteRatio       float64 `json:"upvote_ratio"`
	NumComments       int64   `json:"num_comments"`
	CreatedUTC        float64 `json:"created_utc"`
	Created           string  `json:"created" jsonschema:"created_utc as an RFC 3339 time."`
	Over18            bool    `json:"over_18"`
	Spoiler           bool    `json:"spoiler"`
	Stickied          bool    `json:"stickied"`
	Locked            bool    `json:"locked"`
	IsSelf            bool    `json:"is_self"`
	LinkFlairText     *string `json:"link_flair_text"`
	Distinguished     *string `json:"distinguished"`
}

// postsPage is the result of list_subreddit_posts and search_reddit.
type postsPage struct {
	Posts []post `json:"posts"`
	Count int    `json:"count"`
	// Next is the after argument of the next page; null on the last one.
	Next *string `json:"next" jsonschema:"Pass as after to get the next page; null on the last page."`
}

// newPost returns d as a tool returns it, its text cut to maxText runes.
func newPost(d t3, maxText int) post {
	text, cut := pdk.CutRunes(d.Selftext, maxText)
	return post{
		ID: d.ID, Name: d.Name, Subreddit: d.Subreddit, Title: d.Title, Author: d.Author,
		Selftext: text, SelftextTruncated: cut, URL: d.URL, Permalink: absolute(d.Permalink), Domain: d.Domain,
		Score: d.Score, UpvoteRatio: d.UpvoteRatio, NumComments: d.NumComments,
		CreatedUTC: d.CreatedUTC, Created: rfc3339(d.CreatedUTC),
		Over18: d.Over18, Spoiler: d.Spoiler, Stickied: d.Stickied, Locked: d.Locked, IsSelf: d.IsSelf,
		LinkFlairText: d.LinkFlairText, Distinguished: d.Distinguished,
	}
}

// page turns a listing into a page of posts; children of other kinds
// (Reddit may mix in subreddits, t5, when it redirects a search) are left out.
func (l postListing) page() postsPage {
	p := postsPage{Posts: make([]post, 0, len(l.Data.Children)), Next: l.Data.After}
	for _, ch := range l.Data.Children {
		if ch.Kind == "t3" {
			p.Posts = append(p.Posts, newPost(ch.Data, maxListSelftext))
		}
	}
	p.Count = len(p.Posts)
	if p.Next != nil && *p.Next == "" {
		p.Next = nil
	}
	return p
}

// absolute makes one of Reddit's site-relative paths a URL.
func absolute(path string) string {
	if len(path) > 0 && path[0] == '/' {
		return webBase + path
	}
	return path
}

// rfc3339 formats a Reddit epoch time; "" for none.
func rfc3339(utc float64) string {
	if utc <= 0 {
		return ""
	}
	return time.Unix(int64(utc), 0).UTC().Format(time.RFC3339)
}
