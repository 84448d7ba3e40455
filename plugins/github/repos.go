package main

import (
	"net/url"
	"strconv"

	"github.com/wasmcp/wasmcp/pdk"
)

var listReposTool = pdk.NewTool("list_github_repos",
	"Lists repositories the connected GitHub user can access (owned, "+
		"collaborator and organization member), one page at a time. Each has its full "+
		"name, visibility, description, URL, language, star and fork counts and dates. "+
		"next_page, when present, is the page to ask for next.",
	listRepos, pdk.ReadOnly("GitHub repositories"))

type listReposArgs struct {
	PerPage *int    `json:"per_page" minimum:"1" maximum:"100" default:"30" jsonschema:"Repositories per page, 1 to 100 (GitHub's default is 30)."`
	Page    *int    `json:"page" minimum:"1" default:"1" jsonschema:"Page number, from 1."`
	Sort    *string `json:"sort" enum:"created,updated,pushed,full_name" jsonschema:"Order: full_name (GitHub's default, A to Z), or created, updated, pushed (newest first)."`
}

// query returns the arguments as GitHub's query parameters; the host has
// checked them against the schema the tags above declare.
func (a listReposArgs) query() url.Values {
	q := url.Values{}
	if a.PerPage != nil {
		q.Set("per_page", strconv.Itoa(*a.PerPage))
	}
	if a.Page != nil {
		q.Set("page", strconv.Itoa(*a.Page))
	}
	if a.Sort != nil {
		q.Set("sort", *a.Sort)
	}
	return q
}

// repo is one repository as the tool returns it, under GitHub's own names
// and as GitHub sent them (the pointers may be null: no description, no
// language, never pushed); the owner is its login.
type repo struct {
	FullName        string  `json:"full_name"`
	Owner           string  `json:"owner" select:"owner.login"`
	Private         bool    `json:"private"`
	Visibility      string  `json:"visibility"`
	Fork            bool    `json:"fork"`
	Archived        bool    `json:"archived"`
	Description     *string `json:"description"`
	HTMLURL         string  `json:"html_url"`
	Language        *string `json:"language"`
	StargazersCount int     `json:"stargazers_count"`
	ForksCount      int     `json:"forks_count"`
	OpenIssuesCount int     `json:"open_issues_count"`
	DefaultBranch   string  `json:"default_branch"`
	CreatedAt       *string `json:"created_at"`
	UpdatedAt       *string `json:"updated_at"`
	PushedAt        *string `json:"pushed_at"`
}

// repos is the tool's result: a page of repositories, their count, and
// the next page's number when GitHub's Link header has one.
type repos struct {
	Repos    []repo `json:"repos"`
	Count    int    `json:"count"`
	NextPage int    `json:"next_page,omitempty"`
}

// reposSelect has the host cut each repository of the page (about 5 KB in
// GitHub's full shape) down to the fields of repo, and count them.
var reposSelect = "{repos:" + pdk.SelectOf([]repo{}) + ",count:#}"

func listRepos(c *pdk.Call, a listReposArgs) (pdk.Raw[repos], error) {
	resp, err := send(c, endpoint{path: "/user/repos", query: a.query(), sel: reposSelect, needs: readRepos}, nil)
	if err != nil {
		return nil, err
	}
	page, err := withNextPage(resp, "next_page")
	return pdk.Raw[repos](page), err
}
