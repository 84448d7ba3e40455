package payloads

import (
	"bytes"
	_ "embed"
	"strconv"
)

// Reddit's answers, in the full shapes of its API (every field of a t3
// post and a t1 comment, as GET /r/{sub}/hot and GET /comments/{id} send
// them with raw_json=1), generated with plausible text and sizes.

// RedditSubredditHot is GET /r/golang/hot?limit=25: a Listing of 25 t3
// posts, self posts and links with previews (120 KB). Its after is the
// last post's fullname.
//
//go:embed reddit_subreddit_hot.json
var RedditSubredditHot []byte

// RedditSearch is GET /search?q=...&type=link: a Listing of 25 t3 posts
// from several subreddits (100 KB).
//
//go:embed reddit_search.json
var RedditSearch []byte

// RedditPostComments is GET /comments/{id}: an array of two Listings, the
// t3 post and its comment tree of 249 t1 comments, six levels deep, with
// "more" stubs (load more, and continue this thread) where Reddit puts
// them (740 KB).
//
//go:embed reddit_post_comments.json
var RedditPostComments []byte

// redditAuthor is the author of RedditPostComments' post (and of some of
// its comments, marked is_submitter).
const redditAuthor = "gopher_46"

// RedditAs returns a Reddit payload with the post author of
// RedditPostComments renamed user (a Reddit name: letters, digits, "_" and
// "-"), so that an answer names the caller, as As does for GitHub's.
func RedditAs(payload []byte, user string) []byte {
	return bytes.ReplaceAll(payload, []byte(`"`+redditAuthor+`"`), []byte(strconv.Quote(user)))
}
