package main

import (
	"strconv"

	"github.com/wasmcp/wasmcp/pdk"
)

// writes are the annotations of the two tools that create: not read-only,
// not destructive (they add, and overwrite nothing), not idempotent (each
// call adds another).
func writes(title string) pdk.Annotations {
	return pdk.Annotations{Title: title, ReadOnly: pdk.Hint(false), Destructive: pdk.Hint(false),
		Idempotent: pdk.Hint(false), OpenWorld: pdk.Hint(true)}
}

var createIssueTool = pdk.NewTool("create_github_issue",
	"Opens a new issue in a repository, as the connected user, and returns its number, URL, "+
		"state and dates. Calling it again opens another issue. labels, assignees and milestone "+
		"are applied only if the user may push to the repository; GitHub silently drops them "+
		"otherwise.",
	createIssue, writes("Create GitHub issue"))

type createIssueArgs struct {
	repoArgs
	Title     string   `json:"title" minLength:"1" maxLength:"256" jsonschema:"The issue's title."`
	Body      *string  `json:"body" maxLength:"65536" jsonschema:"The issue's text, in GitHub Markdown."`
	Labels    []string `json:"labels,omitempty" maxItems:"20" minLength:"1" maxLength:"50" jsonschema:"Label names to add."`
	Assignees []string `json:"assignees,omitempty" maxItems:"10" pattern:"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$" jsonschema:"Logins to assign."`
	Milestone *int     `json:"milestone" minimum:"1" jsonschema:"The number of a milestone to add the issue to."`
}

// created is what the writes return, of the issue or comment GitHub made.
type created struct {
	ID        int64    `json:"id"`
	Number    int      `json:"number"`
	Title     string   `json:"title"`
	State     string   `json:"state"`
	User      *string  `json:"user" select:"user.login"`
	Labels    []string `json:"labels" select:"labels.#.name"`
	Assignees []string `json:"assignees" select:"assignees.#.login"`
	HTMLURL   string   `json:"html_url"`
	URL       string   `json:"url"`
	CreatedAt string   `json:"created_at"`
}

var createdSelect = pdk.SelectOf(created{})

func createIssue(c *pdk.Call, a createIssueArgs) (pdk.Raw[created], error) {
	path, err := a.path("issues")
	if err != nil {
		return nil, err
	}
	body := struct {
		Title     string   `json:"title"`
		Body      *string  `json:"body,omitempty"`
		Labels    []string `json:"labels,omitempty"`
		Assignees []string `json:"assignees,omitempty"`
		Milestone *int     `json:"milestone,omitempty"`
	}{a.Title, a.Body, a.Labels, a.Assignees, a.Milestone}
	resp, err := send(c, endpoint{method: "POST", path: path, body: body, sel: createdSelect,
		what: "the repository " + a.fullName(), needs: writeIssues}, nil)
	if err != nil {
		return nil, err
	}
	return pdk.Raw[created](resp.Raw()), nil
}

var commentIssueTool = pdk.NewTool("comment_github_issue",
	"Adds a comment to an issue or pull request, as the connected user, and returns the "+
		"comment's id, URL, author and date. Calling it again adds another comment.",
	commentIssue, writes("Comment on GitHub issue or pull request"))

type commentIssueArgs struct {
	repoArgs
	IssueNumber int    `json:"issue_number" minimum:"1" maximum:"2147483647" jsonschema:"The issue's or pull request's number."`
	Body        string `json:"body" minLength:"1" maxLength:"65536" jsonschema:"The comment, in GitHub Markdown."`
}

// newComment is what comment_github_issue returns.
type newComment struct {
	ID        int64   `json:"id"`
	User      *string `json:"user" select:"user.login"`
	HTMLURL   string  `json:"html_url"`
	IssueURL  string  `json:"issue_url"`
	CreatedAt string  `json:"created_at"`
}

var newCommentSelect = pdk.SelectOf(newComment{})

func commentIssue(c *pdk.Call, a commentIssueArgs) (pdk.Raw[newComment], error) {
	n := strconv.Itoa(a.IssueNumber)
	path, err := a.path("issues", n, "comments")
	if err != nil {
		return nil, err
	}
	resp, err := send(c, endpoint{method: "POST", path: path, body: map[string]string{"body": a.Body},
		sel: newCommentSelect, what: "issue or pull request #" + n + " of " + a.fullName(), needs: writeIssues}, nil)
	if err != nil {
		return nil, err
	}
	return pdk.Raw[newComment](resp.Raw()), nil
}
