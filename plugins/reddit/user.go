package main

import (
	"html"
	"time"

	"github.com/wasmcp/wasmcp/pdk"
)

var getUserTool = pdk.NewTool("get_reddit_user",
	"Returns the Reddit account of the user who connected it: user name, id, "+
		"creation date, link, comment and total karma, Premium (is_gold), moderator and "+
		"verification flags, and avatar URL.",
	getUser, pdk.ReadOnly("Reddit account"))

// user is the part of GET /api/v1/me the tool returns, under Reddit's own
// names. (Reddit's "created" is a legacy local time and is not read.)
type user struct {
	Name             string  `json:"name"`
	ID               string  `json:"id"`
	CreatedUTC       float64 `json:"created_utc"`
	LinkKarma        int64   `json:"link_karma"`
	CommentKarma     int64   `json:"comment_karma"`
	TotalKarma       int64   `json:"total_karma"`
	IsGold           bool    `json:"is_gold"`
	IsMod            bool    `json:"is_mod"`
	Verified         bool    `json:"verified"`
	HasVerifiedEmail bool    `json:"has_verified_email"`
	IconImg          string  `json:"icon_img,omitempty"`
}

// userSelect has the host keep only the fields of user.
var userSelect = pdk.SelectOf(user{})

func getUser(c *pdk.Call, _ pdk.NoArgs) (userResult, error) {
	var u user
	if _, err := api.Get(c, "/api/v1/me", &u, pdk.Select(userSelect)); err != nil {
		return userResult{}, err
	}
	var created string
	if u.CreatedUTC > 0 {
		created = time.Unix(int64(u.CreatedUTC), 0).UTC().Format(time.RFC3339)
	}
	// Without raw_json=1 Reddit escapes URLs for HTML ("&amp;").
	u.IconImg = html.UnescapeString(u.IconImg)
	return userResult{user: u, Created: created}, nil
}

// userResult is what the tool returns: user, plus created_utc as an RFC 3339
// time.
type userResult struct {
	user
	Created string `json:"created,omitempty"`
}
