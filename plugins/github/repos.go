package main

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wasmcp/wasmcp/pdk"
)

// sorts are the orders GET /user/repos accepts.
var sorts = []string{"created", "updated", "pushed", "full_name"}

var listReposTool = pdk.Tool{
	Name: "list_github_repos",
	Description: "Lists repositories the connected GitHub user can access (owned, " +
		"collaborator and organization member), one page at a time. Each has its full " +
		"name, visibility, description, URL, language, star and fork counts and dates. " +
		"next_page, when present, is the page to ask for next.",
	InputSchema: map[string]any{
		"type": "object",
		"properties": map[string]any{
			"per_page": map[string]any{
				"type":        "integer",
				"minimum":     1,
				"maximum":     100,
				"default":     30,
				"description": "Repositories per page, 1 to 100 (GitHub's default is 30).",
			},
			"page": map[string]any{
				"type":        "integer",
				"minimum":     1,
				"default":     1,
				"description": "Page number, from 1.",
			},
			"sort": map[string]any{
				"type":        "string",
				"enum":        sorts,
				"description": "Order: full_name (GitHub's default, A to Z), or created, updated, pushed (newest first).",
			},
		},
		"additionalProperties": false,
	},
	Handler: listRepos,
}

type listReposArgs struct {
	PerPage *int    `json:"per_page"`
	Page    *int    `json:"page"`
	Sort    *string `json:"sort"`
}

// query checks the arguments, which the host has validated already, and
// returns them as GitHub's query parameters.
func (a listReposArgs) query() (url.Values, error) {
	q := url.Values{}
	if a.PerPage != nil {
		if *a.PerPage < 1 || *a.PerPage > 100 {
			return nil, fmt.Errorf("per_page must be between 1 and 100, got %d", *a.PerPage)
		}
		q.Set("per_page", strconv.Itoa(*a.PerPage))
	}
	if a.Page != nil {
		if *a.Page < 1 {
			return nil, fmt.Errorf("page must be 1 or more, got %d", *a.Page)
		}
		q.Set("page", strconv.Itoa(*a.Page))
	}
	if a.Sort != nil {
		if !slices.Contains(sorts, *a.Sort) {
			return nil, fmt.Errorf("sort must be one of %s, got %q", strings.Join(sorts, ", "), *a.Sort)
		}
		q.Set("sort", *a.Sort)
	}
	return q, nil
}

// repo is one repository as the tool returns it, under GitHub's own names
// and as GitHub sent them (null for no description); the owner is its
// login.
type repo struct {
	FullName        string `json:"full_name"`
	Owner           string `json:"owner" select:"owner.login"`
	Private         bool   `json:"private"`
	Visibility      string `json:"visibility,omitempty"`
	Fork            bool   `json:"fork"`
	Archived        bool   `json:"archived"`
	Description     string `json:"description,omitempty"`
	HTMLURL         string `json:"html_url"`
	Language        string `json:"language,omitempty"`
	StargazersCount int    `json:"stargazers_count"`
	ForksCount      int    `json:"forks_count"`
	OpenIssuesCount int    `json:"open_issues_count"`
	DefaultBranch   string `json:"default_branch"`
	CreatedAt       string `json:"created_at"`
	UpdatedAt       string `json:"updated_at"`
	PushedAt        string `json:"pushed_at,omitempty"`
}

// reposSelect has the host cut each repository of the page (about 5 KB in
// GitHub's full shape) down to the fields of repo, and count them: the
// tool's result is {"repos": [repo...], "count": n}, and "next_page": n
// when GitHub's Link header has a next page.
var reposSelect = "{repos:" + pdk.SelectOf([]repo{}) + ",count:#}"

func listRepos(c *pdk.Call) (any, error) {
	var a listReposArgs
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	q, err := a.query()
	if err != nil {
		return nil, err
	}
	resp, err := get(c, "/user/repos", q, reposSelect)
	if err != nil {
		return nil, err
	}
	if next := nextPage(resp.Header("Link")); next > 0 {
		return pdk.AppendField(resp.Raw(), "next_page", next)
	}
	return resp.Raw(), nil
}

// nextPage returns the page number of the rel="next" link of a Link header
// (RFC 8288) as GitHub sends it, or 0 when there is none.
func nextPage(link string) int {
	for part := range strings.SplitSeq(link, ",") {
		target, params, ok := strings.Cut(part, ";")
		if !ok || !slices.ContainsFunc(strings.Split(params, ";"), func(p string) bool {
			p = strings.TrimSpace(p)
			return p == `rel="next"` || p == "rel=next"
		}) {
			continue
		}
		u, err := url.Parse(strings.Trim(strings.TrimSpace(target), "<>"))
		if err != nil {
			return 0
		}
		n, err := strconv.Atoi(u.Query().Get("page"))
		if err != nil || n < 1 {
			return 0
		}
		return n
	}
	return 0
}
