package main

// The issue as the issue tools return it: the fields of GitHub's issue
// object a model needs, under GitHub's names, the user, labels, assignees
// and milestone by name. The host selects them (pdk.SelectOf), the tool
// decodes the selection, bounds the bodies, and returns it.

// issueItem is an issue, or a pull request as GitHub's issue endpoints
// show one (pull_request is set), in a list or search page.
type issueItem struct {
	Number            int      `json:"number"`
	Title             string   `json:"title"`
	State             string   `json:"state"`
	StateReason       *string  `json:"state_reason"`
	Repository        string   `json:"repository" select:"repository_url" jsonschema:"owner/repo"`
	User              *string  `json:"user" select:"user.login"`
	Labels            []string `json:"labels" select:"labels.#.name"`
	Assignees         []string `json:"assignees" select:"assignees.#.login"`
	Milestone         *string  `json:"milestone" select:"milestone.title"`
	Comments          int      `json:"comments"`
	Locked            bool     `json:"locked"`
	AuthorAssociation string   `json:"author_association"`
	PullRequest       *prLink  `json:"pull_request,omitempty" jsonschema:"Set when the item is a pull request."`
	HTMLURL           string   `json:"html_url"`
	CreatedAt         string   `json:"created_at"`
	UpdatedAt         string   `json:"updated_at"`
	ClosedAt          *string  `json:"closed_at"`
	Body              *string  `json:"body"`
	BodyTruncated     bool     `json:"body_truncated,omitempty" jsonschema:"The body was cut to its first bytes; get the item for more."`
}

// prLink is the pull_request member of an issue that is a pull request.
type prLink struct {
	HTMLURL  string  `json:"html_url"`
	MergedAt *string `json:"merged_at"`
}

// tidy turns the selection into the result: the repository's API URL into
// owner/repo, an empty pull_request (an issue's, as the selection leaves
// it) into none, and the body cut to n bytes.
func (it *issueItem) tidy(n int) {
	it.Repository = repoFromURL(it.Repository)
	if it.PullRequest != nil && it.PullRequest.HTMLURL == "" {
		it.PullRequest = nil
	}
	it.BodyTruncated = clip(it.Body, n)
}

// reactions are GitHub's reaction counts of an issue or comment.
type reactions struct {
	TotalCount int `json:"total_count"`
	PlusOne    int `json:"+1"`
	MinusOne   int `json:"-1"`
	Laugh      int `json:"laugh"`
	Hooray     int `json:"hooray"`
	Confused   int `json:"confused"`
	Heart      int `json:"heart"`
	Rocket     int `json:"rocket"`
	Eyes       int `json:"eyes"`
}

// comment is one comment of an issue or pull request.
type comment struct {
	ID                int64     `json:"id"`
	User              *string   `json:"user" select:"user.login"`
	AuthorAssociation string    `json:"author_association"`
	CreatedAt         string    `json:"created_at"`
	UpdatedAt         string    `json:"updated_at"`
	HTMLURL           string    `json:"html_url"`
	Body              *string   `json:"body"`
	BodyTruncated     bool      `json:"body_truncated,omitempty"`
	Reactions         reactions `json:"reactions"`
}
