package main

import (
	"net/url"
	"strconv"

	"github.com/wasmcp/wasmcp/pdk"
)

var listPullsTool = pdk.NewTool("list_github_pull_requests",
	"Lists a repository's pull requests, one page at a time, newest first unless sort and "+
		"direction say otherwise. Each has its number, title, state, draft, author, head and base "+
		"branches (ref, sha, repository), labels, assignees, requested reviewers, milestone, dates "+
		"(merged_at set when merged), URL and body (cut to 2000 bytes). Filters: state, base, head "+
		"(user:branch). next_page, when present, is the page to ask for next.",
	listPulls, pdk.ReadOnly("GitHub pull requests"))

type listPullsArgs struct {
	repoArgs
	State     *string `json:"state" enum:"open,closed,all" default:"open" jsonschema:"Which pull requests: open (GitHub's default), closed or all."`
	Head      *string `json:"head" maxLength:"256" pattern:"^[A-Za-z0-9][A-Za-z0-9-]{0,38}:[^\\s~^:?*\\[\\\\]+$" jsonschema:"Only those from this branch, as user:branch (or org:branch)."`
	Base      *string `json:"base" maxLength:"255" pattern:"^[^\\s~^:?*\\[\\\\]+$" jsonschema:"Only those into this base branch."`
	Sort      *string `json:"sort" enum:"created,updated,popularity,long-running" default:"created" jsonschema:"Order by created (GitHub's default), updated, popularity (comment count) or long-running."`
	Direction *string `json:"direction" enum:"asc,desc" jsonschema:"desc or asc; GitHub's default is desc when sort is created or absent, asc otherwise."`
	pageArgs
}

// branch is a pull request's head or base.
type branch struct {
	Label string  `json:"label"`
	Ref   string  `json:"ref"`
	SHA   string  `json:"sha"`
	Repo  *string `json:"repo" select:"repo.full_name" jsonschema:"owner/repo; null when the fork was deleted."`
}

// pullItem is a pull request in a list page.
type pullItem struct {
	Number             int      `json:"number"`
	Title              string   `json:"title"`
	State              string   `json:"state"`
	Draft              bool     `json:"draft"`
	Locked             bool     `json:"locked"`
	User               *string  `json:"user" select:"user.login"`
	Head               branch   `json:"head"`
	Base               branch   `json:"base"`
	Labels             []string `json:"labels" select:"labels.#.name"`
	Assignees          []string `json:"assignees" select:"assignees.#.login"`
	RequestedReviewers []string `json:"requested_reviewers" select:"requested_reviewers.#.login"`
	Milestone          *string  `json:"milestone" select:"milestone.title"`
	AuthorAssociation  string   `json:"author_association"`
	HTMLURL            string   `json:"html_url"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
	ClosedAt           *string  `json:"closed_at"`
	MergedAt           *string  `json:"merged_at"`
	Body               *string  `json:"body"`
	BodyTruncated      bool     `json:"body_truncated,omitempty"`
}

// pullPage is list_github_pull_requests' result.
type pullPage struct {
	PullRequests []pullItem `json:"pull_requests"`
	Count        int        `json:"count"`
	NextPage     int        `json:"next_page,omitempty"`
}

// pullsSelect has the host cut each pull request of the page (about 20 KB
// in GitHub's full shape, with its head and base repositories) down to
// pullItem's fields.
var pullsSelect = pdk.SelectOf([]pullItem{})

func (a listPullsArgs) query() url.Values {
	q := pageQuery(nil, a.PerPage, a.Page)
	for k, v := range map[string]*string{"state": a.State, "head": a.Head, "base": a.Base, "sort": a.Sort, "direction": a.Direction} {
		if v != nil {
			q.Set(k, *v)
		}
	}
	return q
}

func listPulls(c *pdk.Call, a listPullsArgs) (pullPage, error) {
	path, err := a.path("pulls")
	if err != nil {
		return pullPage{}, err
	}
	var items []pullItem
	resp, err := send(c, endpoint{path: path, query: a.query(), sel: pullsSelect,
		what: "the repository " + a.fullName(), needs: readPulls}, &items)
	if err != nil {
		return pullPage{}, err
	}
	for i := range items {
		items[i].BodyTruncated = clip(items[i].Body, listBodyBytes)
	}
	if items == nil {
		items = []pullItem{}
	}
	return pullPage{PullRequests: items, Count: len(items), NextPage: resp.NextPage("page")}, nil
}

var getPullTool = pdk.NewTool("get_github_pull_request",
	"Returns one pull request with its changed files: number, title, state, draft, merged, "+
		"mergeable and mergeable_state, author, head and base (ref, sha, repository), labels, "+
		"reviewers, dates, counts of commits, comments, review comments, additions, deletions and "+
		"changed files, the body (up to 64 KiB), and a page of files, each with its filename, status "+
		"(added, removed, modified, renamed...), additions, deletions and changes, and with "+
		"include_patch its diff (up to 6 KiB a file, patch_truncated when cut). files_next_page, when present, is the "+
		"files_page to ask for next. Comments are read with get_github_issue.",
	getPull, pdk.ReadOnly("GitHub pull request"))

type getPullArgs struct {
	repoArgs
	PullNumber   int   `json:"pull_number" minimum:"1" maximum:"2147483647" jsonschema:"The pull request's number."`
	IncludePatch *bool `json:"include_patch" default:"false" jsonschema:"Include each file's diff (patch), cut to 6 KiB."`
	FilesPerPage *int  `json:"files_per_page" minimum:"0" maximum:"100" default:"30" jsonschema:"Files per page, 0 to 100; 0 returns none."`
	FilesPage    *int  `json:"files_page" minimum:"1" default:"1" jsonschema:"Page of files, from 1 (GitHub lists 3000 files at most)."`
}

// pullFields is what get_github_pull_request takes of the pull request.
type pullFields struct {
	pullItem
	Merged              bool    `json:"merged"`
	Mergeable           *bool   `json:"mergeable" jsonschema:"null while GitHub computes it."`
	MergeableState      string  `json:"mergeable_state"`
	MergedBy            *string `json:"merged_by" select:"merged_by.login"`
	MergeCommitSHA      *string `json:"merge_commit_sha"`
	Comments            int     `json:"comments"`
	ReviewComments      int     `json:"review_comments"`
	Commits             int     `json:"commits"`
	Additions           int     `json:"additions"`
	Deletions           int     `json:"deletions"`
	ChangedFiles        int     `json:"changed_files"`
	MaintainerCanModify bool    `json:"maintainer_can_modify"`
}

// prFile is one changed file.
type prFile struct {
	Filename         string  `json:"filename"`
	Status           string  `json:"status"`
	Additions        int     `json:"additions"`
	Deletions        int     `json:"deletions"`
	Changes          int     `json:"changes"`
	PreviousFilename *string `json:"previous_filename,omitempty"`
	Patch            *string `json:"patch,omitempty"`
	PatchTruncated   bool    `json:"patch_truncated,omitempty"`
}

// pullDetail is get_github_pull_request's result.
type pullDetail struct {
	pullFields
	Files         []prFile `json:"files"`
	FilesNextPage int      `json:"files_next_page,omitempty"`
}

var (
	pullSelect = pdk.SelectOf(pullFields{})
	// filesSelect leaves the patch out unless asked for: it is most of a
	// file's bytes.
	filesSelect      = "#.{filename,status,additions,deletions,changes,previous_filename}"
	filesPatchSelect = pdk.SelectOf([]prFile{})
)

func getPull(c *pdk.Call, a getPullArgs) (pullDetail, error) {
	n := strconv.Itoa(a.PullNumber)
	path, err := a.path("pulls", n)
	if err != nil {
		return pullDetail{}, err
	}
	what := "pull request #" + n + " of " + a.fullName()
	var p pullFields
	if _, err := send(c, endpoint{path: path, sel: pullSelect, what: what, needs: readPulls}, &p); err != nil {
		return pullDetail{}, err
	}
	p.BodyTruncated = clip(p.Body, bodyBytes)
	d := pullDetail{pullFields: p, Files: []prFile{}}
	if a.FilesPerPage != nil && *a.FilesPerPage == 0 || p.ChangedFiles == 0 {
		return d, nil
	}
	sel := filesSelect
	if a.IncludePatch != nil && *a.IncludePatch {
		sel = filesPatchSelect
	}
	var files []prFile
	resp, err := send(c, endpoint{path: path + "/files", query: pageQuery(nil, a.FilesPerPage, a.FilesPage),
		sel: sel, what: "the files of " + what, needs: readPulls}, &files)
	if err != nil {
		return pullDetail{}, err
	}
	for i := range files {
		files[i].PatchTruncated = clip(files[i].Patch, patchBytes)
	}
	if files != nil {
		d.Files = files
	}
	d.FilesNextPage = resp.NextPage("page")
	return d, nil
}
