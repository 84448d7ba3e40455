package main

import (
	"net/url"
	"strconv"

	"github.com/wasmcp/wasmcp/pdk"
)

var listNotificationsTool = pdk.NewTool("list_github_notifications",
	"Lists the connected user's GitHub notifications, most recently updated first: unread ones "+
		"unless all is true. Each has its thread id, unread flag, reason (mention, review_requested, "+
		"assign, author, comment, subscribed, ci_activity...), dates, repository (owner/repo) and "+
		"subject: title, type (Issue, PullRequest, Release, Discussion...) and API url (its last "+
		"segment is the issue or pull request number). next_page, when present, is the page to ask "+
		"for next.",
	listNotifications, pdk.ReadOnly("GitHub notifications"))

type listNotificationsArgs struct {
	All           *bool   `json:"all" default:"false" jsonschema:"Include notifications already read."`
	Participating *bool   `json:"participating" default:"false" jsonschema:"Only those where the user takes part (mentioned, assigned, commented)."`
	Since         *string `json:"since" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$" jsonschema:"Only those updated after this ISO 8601 time."`
	Before        *string `json:"before" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$" jsonschema:"Only those updated before this ISO 8601 time."`
	PerPage       *int    `json:"per_page" minimum:"1" maximum:"50" default:"50" jsonschema:"Notifications per page, 1 to 50 (GitHub's default and most)."`
	Page          *int    `json:"page" minimum:"1" default:"1" jsonschema:"Page number, from 1; pass a result's next_page to get the next page."`
}

// notification is one notification thread.
type notification struct {
	ID         string  `json:"id"`
	Unread     bool    `json:"unread"`
	Reason     string  `json:"reason"`
	UpdatedAt  string  `json:"updated_at"`
	LastReadAt *string `json:"last_read_at"`
	Repository string  `json:"repository" select:"repository.full_name"`
	Subject    subject `json:"subject"`
}

type subject struct {
	Title            string  `json:"title"`
	Type             string  `json:"type"`
	URL              *string `json:"url"`
	LatestCommentURL *string `json:"latest_comment_url"`
}

// notifications is the tool's result.
type notifications struct {
	Notifications []notification `json:"notifications"`
	Count         int            `json:"count"`
	NextPage      int            `json:"next_page,omitempty"`
}

var notificationsSelect = "{notifications:" + pdk.SelectOf([]notification{}) + ",count:#}"

func listNotifications(c *pdk.Call, a listNotificationsArgs) (pdk.Raw[notifications], error) {
	if err := checkTime("since", a.Since); err != nil {
		return nil, err
	}
	if err := checkTime("before", a.Before); err != nil {
		return nil, err
	}
	q := pageQuery(url.Values{}, a.PerPage, a.Page)
	for k, v := range map[string]*bool{"all": a.All, "participating": a.Participating} {
		if v != nil {
			q.Set(k, strconv.FormatBool(*v))
		}
	}
	for k, v := range map[string]*string{"since": a.Since, "before": a.Before} {
		if v != nil {
			q.Set(k, *v)
		}
	}
	resp, err := send(c, endpoint{path: "/notifications", query: q, sel: notificationsSelect, needs: readNotifs}, nil)
	if err != nil {
		return nil, err
	}
	page, err := withNextPage(resp, "next_page")
	return pdk.Raw[notifications](page), err
}
