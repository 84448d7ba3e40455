package main

import (
	"net/url"

	"github.com/wasmcp/wasmcp/pdk"
)

var searchReposTool = pdk.NewTool("search_github_repos",
	"Searches all of GitHub's repositories the token can see, with GitHub's search syntax "+
		"(e.g. \"language:go stars:>1000 mcp\", \"org:github topic:cli\", \"user:octocat\"). Returns "+
		"total_count, incomplete_results (GitHub timed out and the count may be low) and a page of "+
		"items, each with its full name, owner, visibility, description, URL, language, topics, "+
		"star, fork and open-issue counts, dates and score. Only the first 1000 results can be "+
		"paged to. next_page, when present, is the page to ask for next.",
	searchRepos, pdk.ReadOnly("Search GitHub repositories"))

type searchReposArgs struct {
	Q     string  `json:"q" minLength:"1" maxLength:"256" jsonschema:"The search query, in GitHub's syntax: keywords and qualifiers such as language:, stars:, topic:, org:, user:, in:name."`
	Sort  *string `json:"sort" enum:"stars,forks,help-wanted-issues,updated" jsonschema:"Order by stars, forks, help-wanted-issues or updated; without it, best match."`
	Order *string `json:"order" enum:"desc,asc" default:"desc" jsonschema:"desc (GitHub's default) or asc; only with sort."`
	pageArgs
}

// searchRepo is one repository of a search: a repo and what search adds.
type searchRepo struct {
	repo
	Topics []string `json:"topics"`
	Score  float64  `json:"score"`
}

// repoSearch is search_github_repos' result, under GitHub's names.
type repoSearch struct {
	TotalCount        int          `json:"total_count"`
	IncompleteResults bool         `json:"incomplete_results"`
	Items             []searchRepo `json:"items"`
	NextPage          int          `json:"next_page,omitempty"`
}

// repoSearchSelect has the host cut each item (5 KB in GitHub's full shape)
// down to searchRepo's fields.
var repoSearchSelect = "{total_count,incomplete_results,items:items.#." + pdk.SelectOf(searchRepo{}) + "}"

func searchRepos(c *pdk.Call, a searchReposArgs) (pdk.Raw[repoSearch], error) {
	if err := searchWindow(a.pageArgs); err != nil {
		return nil, err
	}
	q := pageQuery(url.Values{"q": {a.Q}}, a.PerPage, a.Page)
	if a.Sort != nil {
		q.Set("sort", *a.Sort)
	}
	if a.Order != nil {
		q.Set("order", *a.Order)
	}
	resp, err := send(c, endpoint{path: "/search/repositories", query: q, sel: repoSearchSelect, needs: readRepos}, nil)
	if err != nil {
		return nil, err
	}
	page, err := withNextPage(resp, "next_page")
	return pdk.Raw[repoSearch](page), err
}

var searchIssuesTool = pdk.NewTool("search_github_issues",
	"Searches issues and pull requests across GitHub with GitHub's search syntax, e.g. "+
		"\"repo:octocat/Hello-World is:open label:bug\", \"is:pr author:octocat review:required\", "+
		"\"is:issue involves:@me updated:>2024-01-01\". GitHub requires is:issue or is:pr in the "+
		"query (type adds it). Returns total_count, incomplete_results and a page of items, each "+
		"with its repository (owner/repo), number, title, state, author, labels, assignees, "+
		"comment count, dates, URL and body (cut to 2000 bytes); pull requests have pull_request "+
		"set. Only the first 1000 results can be paged to. next_page, when present, is the page "+
		"to ask for next.",
	searchIssues, pdk.ReadOnly("Search GitHub issues and pull requests"))

type searchIssuesArgs struct {
	Q     string  `json:"q" minLength:"1" maxLength:"256" jsonschema:"The search query, in GitHub's syntax: keywords and qualifiers such as repo:, org:, is:open, is:issue, is:pr, label:, author:, assignee:, mentions:, created:, updated:."`
	Type  *string `json:"type" enum:"issue,pr" jsonschema:"Adds is:issue or is:pr to the query."`
	Sort  *string `json:"sort" enum:"comments,reactions,created,updated,interactions" jsonschema:"Order by comments, reactions, created, updated or interactions; without it, best match."`
	Order *string `json:"order" enum:"desc,asc" default:"desc" jsonschema:"desc (GitHub's default) or asc; only with sort."`
	pageArgs
}

// issueSearch is search_github_issues' result, under GitHub's names.
type issueSearch struct {
	TotalCount        int         `json:"total_count"`
	IncompleteResults bool        `json:"incomplete_results"`
	Items             []issueItem `json:"items"`
	NextPage          int         `json:"next_page,omitempty"`
}

var issueSearchSelect = "{total_count,incomplete_results,items:items.#." + pdk.SelectOf(issueItem{}) + "}"

func searchIssues(c *pdk.Call, a searchIssuesArgs) (issueSearch, error) {
	if err := searchWindow(a.pageArgs); err != nil {
		return issueSearch{}, err
	}
	query := a.Q
	if a.Type != nil {
		query += " is:" + *a.Type
	}
	q := pageQuery(url.Values{"q": {query}}, a.PerPage, a.Page)
	if a.Sort != nil {
		q.Set("sort", *a.Sort)
	}
	if a.Order != nil {
		q.Set("order", *a.Order)
	}
	var s issueSearch
	resp, err := send(c, endpoint{path: "/search/issues", query: q, sel: issueSearchSelect, needs: readIssues}, &s)
	if err != nil {
		return issueSearch{}, err
	}
	for i := range s.Items {
		s.Items[i].tidy(listBodyBytes)
	}
	if s.Items == nil {
		s.Items = []issueItem{}
	}
	s.NextPage = resp.NextPage("page")
	return s, nil
}
