package main

import (
	"strconv"
	"strings"

	"github.com/wasmcp/wasmcp/pdk"
)

var getPostTool = pdk.NewTool("get_reddit_post",
	"Returns a Reddit post with its comment tree: the post (title, author, score, text, "+
		"link) and its comments in reading order, each with its depth (0 for a reply to the "+
		"post) and parent_id, author, score and text. depth and limit bound the tree; "+
		"more_comments counts the comments Reddit did not send, and a comment's "+
		"more_replies those under it past the depth asked for.",
	getPost, pdk.ReadOnly("Reddit post and comments"))

type getPostArgs struct {
	PostID string  `json:"post_id" pattern:"^(t3_)?[0-9a-z]{1,16}$" jsonschema:"The post's id (1abc2de) or fullname (t3_1abc2de), as list_subreddit_posts and search_reddit return them."`
	Sort   *string `json:"sort" enum:"confidence,top,new,controversial,old,qa" default:"confidence" jsonschema:"The comments' order: confidence (Reddit's best, the default), top, new, controversial, old or qa."`
	Depth  *int    `json:"depth" minimum:"1" maximum:"8" default:"4" jsonschema:"Levels of replies to return, 1 (top-level comments only) to 8."`
	Limit  *int    `json:"limit" minimum:"1" maximum:"500" default:"100" jsonschema:"The most comments to return, 1 to 500."`
}

// Bounds of the text a post's result holds: a post's own text and each
// comment's, in runes, and the comments' together, in bytes (past it, no
// more comments are added, and truncated is set), so that 500 comments fit
// in the host's default result limit of 1 MiB.
const (
	maxPostText      = 10000
	maxCommentText   = 2000
	maxCommentsBytes = 400000
)

// thing is a child of a Listing of comments, as the host selected it: a
// comment (t1), or a "more" stub for comments Reddit did not send (its
// count, and its children's number), with its replies, selected the same
// way down to the depth asked for.
type thing struct {
	Kind string `json:"kind"`
	Data struct {
		ID            string  `json:"id"`
		Name          string  `json:"name"`
		ParentID      string  `json:"parent_id"`
		Author        string  `json:"author"`
		Body          string  `json:"body"`
		Score         int64   `json:"score"`
		CreatedUTC    float64 `json:"created_utc"`
		IsSubmitter   bool    `json:"is_submitter"`
		Stickied      bool    `json:"stickied"`
		Distinguished *string `json:"distinguished"`
		Count         int     `json:"count"`
		Children      int     `json:"children"`
		Replies       []thing `json:"replies"`
		MoreReplies   int     `json:"more_replies"`
	} `json:"data"`
}

// commentFields are the fields of a t1 or more that the tool reads.
const commentFields = "id,name,parent_id,author,body,score,created_utc,is_submitter,stickied,distinguished,count,children:children.#"

// commentSelect is the selection of a Listing of comments, depth levels
// deep: each level's replies are a Listing of their own (or "" when there
// are none, which the path skips), and below the last level only their
// number is kept.
func commentSelect(depth int) string {
	if depth <= 1 {
		return "#.{kind,data:data.{" + commentFields + ",more_replies:replies.data.children.#}}"
	}
	return "#.{kind,data:data.{" + commentFields + ",replies:replies.data.children." + commentSelect(depth-1) + "}}"
}

// postSelect selects, of GET /comments/{id}'s answer (an array of two
// Listings: the post, and its comments), the post's fields and the
// comment tree, depth levels deep.
func postSelect(depth int) string {
	return "{post:0.data.children.0.data." + pdk.SelectOf(t3{}) + ",comments:1.data.children." + commentSelect(depth) + "}"
}

// comment is one comment as the tool returns it.
type comment struct {
	ID            string  `json:"id"`
	Name          string  `json:"name" jsonschema:"The comment's fullname (t1_...)."`
	ParentID      string  `json:"parent_id" jsonschema:"The fullname of the comment replied to (t1_...), or of the post (t3_...)."`
	Depth         int     `json:"depth" jsonschema:"0 for a reply to the post, 1 for a reply to one of those, and so on."`
	Author        string  `json:"author"`
	Body          string  `json:"body" jsonschema:"The comment's text, in Markdown."`
	BodyTruncated bool    `json:"body_truncated,omitempty"`
	Score         int64   `json:"score"`
	CreatedUTC    float64 `json:"created_utc"`
	Created       string  `json:"created" jsonschema:"created_utc as an RFC 3339 time."`
	IsSubmitter   bool    `json:"is_submitter" jsonschema:"The post's author wrote it."`
	Stickied      bool    `json:"stickied"`
	Distinguished *string `json:"distinguished"`
	MoreReplies   int     `json:"more_replies,omitempty" jsonschema:"Replies under this comment past the depth asked for."`
}

type postResult struct {
	Post     post      `json:"post"`
	Comments []comment `json:"comments"`
	Count    int       `json:"count"`
	// MoreComments counts the comments of Reddit's "more" stubs: there,
	// but not sent (past the limit or the depth).
	MoreComments int  `json:"more_comments" jsonschema:"Comments Reddit left out of its answer (past the limit or the depth)."`
	Truncated    bool `json:"truncated,omitempty" jsonschema:"The tool stopped adding comments at the limit or its text budget."`
}

func getPost(c *pdk.Call, a getPostArgs) (postResult, error) {
	depth, limit := 4, 100
	if a.Depth != nil {
		depth = *a.Depth
	}
	if a.Limit != nil {
		limit = *a.Limit
	}
	id := strings.TrimPrefix(a.PostID, "t3_")
	q := map[string][]string{"depth": {strconv.Itoa(depth)}, "limit": {strconv.Itoa(limit)}, "raw_json": {"1"}}
	if a.Sort != nil {
		q["sort"] = []string{*a.Sort}
	}
	path, err := pdk.Path("comments", id)
	if err != nil {
		return postResult{}, err
	}
	var ans struct {
		Post     *t3     `json:"post"`
		Comments []thing `json:"comments"`
	}
	if err := fetch(c, "post "+id, scopeRead, path, q, postSelect(depth), &ans); err != nil {
		return postResult{}, err
	}
	if ans.Post == nil {
		return postResult{}, &toolError{msg: "post " + id + " was not found: Reddit's answer holds no post"}
	}
	res := postResult{Post: newPost(*ans.Post, maxPostText), Comments: []comment{}}
	w := walker{res: &res, limit: limit, budget: maxCommentsBytes}
	w.walk(ans.Comments, 0)
	res.Count = len(res.Comments)
	return res, nil
}

// walker flattens a comment tree into res, in reading order (a comment,
// then its replies).
type walker struct {
	res    *postResult
	limit  int // comments left to add
	budget int // bytes of text left
}

func (w *walker) walk(things []thing, depth int) {
	for _, th := range things {
		d := th.Data
		switch th.Kind {
		case "more":
			// "Load more comments" (count of them), or "continue this
			// thread" past Reddit's depth (count 0, children 0).
			w.res.MoreComments += max(d.Count, d.Children)
			continue
		case "t1":
		default:
			continue
		}
		if w.limit == 0 || w.budget <= 0 {
			w.res.Truncated = true
			w.res.MoreComments += 1 + countTree(d.Replies)
			continue
		}
		body, cut := pdk.CutRunes(d.Body, maxCommentText)
		if len(body) >= w.budget {
			// The last comment there is room for.
			body, cut = pdk.Cut(body, w.budget), cut || len(body) > w.budget
			w.budget = 0
		} else {
			w.budget -= len(body)
		}
		w.limit--
		w.res.Comments = append(w.res.Comments, comment{
			ID: d.ID, Name: d.Name, ParentID: d.ParentID, Depth: depth, Author: d.Author,
			Body: body, BodyTruncated: cut, Score: d.Score, CreatedUTC: d.CreatedUTC, Created: rfc3339(d.CreatedUTC),
			IsSubmitter: d.IsSubmitter, Stickied: d.Stickied, Distinguished: d.Distinguished, MoreReplies: d.MoreReplies,
		})
		w.walk(d.Replies, depth+1)
	}
}

// countTree counts the comments of a tree, those of its "more" stubs
// included.
func countTree(things []thing) int {
	n := 0
	for _, th := range things {
		switch th.Kind {
		case "t1":
			n += 1 + countTree(th.Data.Replies)
		case "more":
			n += max(th.Data.Count, th.Data.Children)
		}
	}
	return n
}
