package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/wasmcp/wasmcp/pdk"
)

// The arguments the tools share, bounded as GitHub bounds them. The host
// checks them against the schemas these tags declare before a tool runs.

// A login or organization is alphanumerics and hyphens, 39 at most, not
// starting with a hyphen; a repository is alphanumerics, '-', '_' and '.',
// 100 at most, not only dots (GitHub refuses "." and ".."). Times are ISO
// 8601, checked by checkTime too: the host does not assert "format".
// repoArgs name a repository.
type repoArgs struct {
	Owner string `json:"owner" pattern:"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$" jsonschema:"The account (user or organization) that owns the repository, e.g. octocat."`
	Repo  string `json:"repo" maxLength:"100" pattern:"^[A-Za-z0-9_.-]*[A-Za-z0-9_-][A-Za-z0-9_.-]*$" jsonschema:"The repository's name, without the owner, e.g. Hello-World."`
}

// fullName is owner/repo, for messages.
func (a repoArgs) fullName() string { return a.Owner + "/" + a.Repo }

// path is /repos/{owner}/{repo} followed by more segments, escaped.
func (a repoArgs) path(more ...string) (string, error) {
	return pdk.Path(append([]string{"repos", a.Owner, a.Repo}, more...)...)
}

// pageArgs page a list of up to 100 items a page, as most of GitHub does.
type pageArgs struct {
	PerPage *int `json:"per_page" minimum:"1" maximum:"100" default:"30" jsonschema:"Items per page, 1 to 100 (GitHub's default is 30)."`
	Page    *int `json:"page" minimum:"1" default:"1" jsonschema:"Page number, from 1; pass a result's next_page to get the next page."`
}

// checkTime refuses a time GitHub would not take; name is the argument.
func checkTime(name string, v *string) error {
	if v == nil {
		return nil
	}
	if _, err := time.Parse(time.RFC3339, *v); err != nil {
		return fmt.Errorf("argument %s must be an ISO 8601 time such as 2024-01-31T12:00:00Z", name)
	}
	return nil
}

// searchWindow refuses a page past the first 1,000 results, which GitHub's
// search never returns (it would answer 422).
func searchWindow(p pageArgs) error {
	per, page := 30, 1
	if p.PerPage != nil {
		per = *p.PerPage
	}
	if p.Page != nil {
		page = *p.Page
	}
	if (page-1)*per >= 1000 {
		return fmt.Errorf("GitHub search returns only the first 1000 results: page %d of %d per page starts past them; narrow the query instead", page, per)
	}
	return nil
}

// repoFromURL returns owner/repo of an API URL of a repository
// ("https://api.github.com/repos/octocat/Hello-World"), or u unchanged.
func repoFromURL(u string) string {
	if rest, ok := strings.CutPrefix(u, apiBase+"/repos/"); ok {
		return rest
	}
	return u
}
