package main

import (
	"testing"

	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

const meJSON = `{
  "is_employee": false, "has_visited_new_profile": false, "is_friend": false,
  "pref_no_profanity": true, "has_external_account": false, "name": "spez_fan",
  "id": "abc123", "created": 1262304000.0, "created_utc": 1262332800.0,
  "link_karma": 120, "comment_karma": 3400, "awarder_karma": 5, "awardee_karma": 10,
  "total_karma": 3535, "is_gold": true, "is_mod": false, "verified": true,
  "has_verified_email": null, "coins": 0, "inbox_count": 2,
  "icon_img": "https://styles.redditmedia.com/t5_x/styles/profileIcon_y.png?width=256&amp;height=256&amp;s=z",
  "subreddit": {"display_name": "u_spez_fan", "over_18": false}
}`

func TestGetUser(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, map[string]string{"Content-Type": "application/json; charset=UTF-8"}, meJSON))
	res := h.Call(t, "get_reddit_user", nil)
	onlyRequest(t, h, "https://oauth.reddit.com/api/v1/me",
		"{name,id,created_utc,link_karma,comment_karma,total_karma,is_gold,is_mod,verified,has_verified_email,icon_img}")
	pdktest.WantContent(t, res, userResult{Created: "2010-01-01T08:00:00Z", user: user{
		Name: "spez_fan", ID: "abc123", CreatedUTC: 1262332800, LinkKarma: 120, CommentKarma: 3400, TotalKarma: 3535,
		IsGold: true, Verified: true, // has_verified_email: null, so false
		IconImg: "https://styles.redditmedia.com/t5_x/styles/profileIcon_y.png?width=256&height=256&s=z",
	}})
}

func TestGetUserRejectsArguments(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, meJSON))
	res := h.Call(t, "get_reddit_user", map[string]any{"name": "x"})
	if !res.IsError || res.Message != `Invalid arguments for get_reddit_user: at /: additional properties 'name' not allowed` {
		t.Errorf("result = %+v", res)
	}
	if len(h.Requests()) != 0 {
		t.Error("a request was sent despite bad arguments")
	}
}

func TestGetUserErrors(t *testing.T) { testErrors(t, "get_reddit_user", nil) }
