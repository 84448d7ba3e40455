package main

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/wasmcp/wasmcp/pdk"
)

var listIssuesTool = pdk.NewTool("list_github_issues",
	"Lists a repository's issues, one page at a time, newest first unless sort and direction "+
		"say otherwise. GitHub counts pull requests as issues: those have pull_request set. Each has "+
		"its number, title, state, author, labels, assignees, milestone, comment count, dates, URL and "+
		"body (cut to 2000 bytes, body_truncated then set; get_github_issue returns it whole). "+
		"Filters: state, labels (all must match), assignee, creator, since (updated at or after). "+
		"next_page, when present, is the page to ask for next.",
	listIssues, pdk.ReadOnly("GitHub issues"))

type listIssuesArgs struct {
	repoArgs
	State     *string  `json:"state" enum:"open,closed,all" default:"open" jsonschema:"Which issues: open (GitHub's default), closed or all."`
	Labels    []string `json:"labels,omitempty" maxItems:"10" minLength:"1" maxLength:"50" pattern:"^[^,]+$" jsonschema:"Label names; only issues with all of them are listed."`
	Assignee  *string  `json:"assignee" pattern:"^([A-Za-z0-9][A-Za-z0-9-]{0,38}|[*])$" jsonschema:"Only issues assigned to this login; none for unassigned ones, * for any assignee."`
	Creator   *string  `json:"creator" pattern:"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$" jsonschema:"Only issues opened by this login."`
	Since     *string  `json:"since" pattern:"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$" jsonschema:"Only issues updated at or after this ISO 8601 time, e.g. 2024-01-31T00:00:00Z."`
	Sort      *string  `json:"sort" enum:"created,updated,comments" default:"created" jsonschema:"Order by: created (GitHub's default), updated or comments."`
	Direction *string  `json:"direction" enum:"asc,desc" default:"desc" jsonschema:"desc (GitHub's default) or asc."`
	pageArgs
}

func (a listIssuesArgs) query() url.Values {
	q := pageQuery(nil, a.PerPage, a.Page)
	set := func(k string, v *string) {
		if v != nil {
			q.Set(k, *v)
		}
	}
	set("state", a.State)
	set("assignee", a.Assignee)
	set("creator", a.Creator)
	set("since", a.Since)
	set("sort", a.Sort)
	set("direction", a.Direction)
	if len(a.Labels) > 0 {
		q.Set("labels", strings.Join(a.Labels, ","))
	}
	return q
}

// issuePage is list_github_issues' result.
type issuePage struct {
	Issues   []issueItem `json:"issues"`
	Count    int         `json:"count"`
	NextPage int         `json:"next_page,omitempty"`
}

// issuesSelect keeps the fields of issueItem of each issue of the page.
var issuesSelect = pdk.SelectOf([]issueItem{})

func listIssues(c *pdk.Call, a listIssuesArgs) (issuePage, error) {
	if err := checkTime("since", a.Since); err != nil {
		return issuePage{}, err
	}
	path, err := a.path("issues")
	if err != nil {
		return issuePage{}, err
	}
	var items []issueItem
	resp, err := send(c, endpoint{path: path, query: a.query(), sel: issuesSelect,
		what: "the repository " + a.fullName(), needs: readIssues}, &items)
	if err != nil {
		return issuePage{}, err
	}
	for i := range items {
		items[i].tidy(listBodyBytes)
	}
	if items == nil {
		items = []issueItem{}
	}
	return issuePage{Issues: items, Count: len(items), NextPage: resp.NextPage("page")}, nil
}

var getIssueTool = pdk.NewTool("get_github_issue",
	"Returns one issue (or pull request, seen as an issue) of a repository with its comments: "+
		"number, title, state, author, labels, assignees, milestone, dates, reactions, the body "+
		"(up to 64 KiB) and a page of comments, oldest first, each with its author, dates, URL, "+
		"reactions and body (up to 4 KiB; body_truncated when cut). comments_next_page, when present, "+
		"is the comments_page to ask for next.",
	getIssue, pdk.ReadOnly("GitHub issue"))

type getIssueArgs struct {
	repoArgs
	IssueNumber     int  `json:"issue_number" minimum:"1" maximum:"2147483647" jsonschema:"The issue's or pull request's number."`
	CommentsPerPage *int `json:"comments_per_page" minimum:"0" maximum:"100" default:"30" jsonschema:"Comments per page, 0 to 100; 0 returns none."`
	CommentsPage    *int `json:"comments_page" minimum:"1" default:"1" jsonschema:"Page of comments, from 1; pass comments_next_page to get the next."`
}

// issueDetail is get_github_issue's result: the issue (comments is
// GitHub's count of them) and a page of them, comment_list.
type issueDetail struct {
	issueFields
	CommentList      []comment `json:"comment_list"`
	CommentsNextPage int       `json:"comments_next_page,omitempty"`
}

// issueFields is what get_github_issue takes of GET .../issues/{n}.
type issueFields struct {
	issueItem
	ClosedBy         *string   `json:"closed_by" select:"closed_by.login"`
	ActiveLockReason *string   `json:"active_lock_reason"`
	Reactions        reactions `json:"reactions"`
}

// issueSelect keeps what issueFields takes of the issue, and
// commentsSelect what comment takes of each comment.
var (
	issueSelect    = pdk.SelectOf(issueFields{})
	commentsSelect = pdk.SelectOf([]comment{})
)

func getIssue(c *pdk.Call, a getIssueArgs) (issueDetail, error) {
	n := strconv.Itoa(a.IssueNumber)
	path, err := a.path("issues", n)
	if err != nil {
		return issueDetail{}, err
	}
	what := "issue #" + n + " of " + a.fullName()
	var is issueFields
	if _, err := send(c, endpoint{path: path, sel: issueSelect, what: what, needs: readIssues}, &is); err != nil {
		return issueDetail{}, err
	}
	is.tidy(bodyBytes)
	d := issueDetail{issueFields: is, CommentList: []comment{}}
	per := 30
	if a.CommentsPerPage != nil {
		per = *a.CommentsPerPage
	}
	if per == 0 || is.Comments == 0 {
		return d, nil // nothing to fetch
	}
	var list []comment
	resp, err := send(c, endpoint{path: path + "/comments", query: pageQuery(nil, a.CommentsPerPage, a.CommentsPage),
		sel: commentsSelect, what: "the comments of " + what, needs: readIssues}, &list)
	if err != nil {
		return issueDetail{}, err
	}
	for i := range list {
		list[i].BodyTruncated = clip(list[i].Body, commentBytes)
	}
	if list != nil {
		d.CommentList = list
	}
	d.CommentsNextPage = resp.NextPage("page")
	return d, nil
}
