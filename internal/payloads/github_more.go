package payloads

import _ "embed"

// GitHub's answers for the github plugin's issue, pull request, search,
// notification and contents tools, in the full shapes of GitHub's REST
// reference (API version 2022-11-28) and at the sizes of real pages. They
// are generated, deterministically; the sample repository is
// octocat/Hello-World.

// GitHubIssues is GET /repos/{owner}/{repo}/issues: 30 issues, 8 of them
// pull requests, with users, labels, assignees, milestones and reactions
// (175 KB).
//
//go:embed github_issues.json
var GitHubIssues []byte

// GitHubIssue is GET /repos/{owner}/{repo}/issues/1347, an issue with 30
// comments and a body longer than the list tools keep.
//
//go:embed github_issue.json
var GitHubIssue []byte

// GitHubIssueComments is GET /repos/{owner}/{repo}/issues/1347/comments: 30
// comments, one longer than the 4 KiB the tool keeps (65 KB).
//
//go:embed github_issue_comments.json
var GitHubIssueComments []byte

// GitHubSearchIssues is GET /search/issues: 30 of 2817 items, a third of
// them pull requests (200 KB).
//
//go:embed github_search_issues.json
var GitHubSearchIssues []byte

// GitHubSearchRepos is GET /search/repositories: 30 of 40123 repositories
// (150 KB).
//
//go:embed github_search_repos.json
var GitHubSearchRepos []byte

// GitHubPulls is GET /repos/{owner}/{repo}/pulls: 30 pull requests, each with
// its head and base repositories in full (530 KB).
//
//go:embed github_pulls.json
var GitHubPulls []byte

// GitHubPull is GET /repos/{owner}/{repo}/pulls/1347, with the merge state
// and counts only the single pull request has.
//
//go:embed github_pull.json
var GitHubPull []byte

// GitHubPullFiles is GET /repos/{owner}/{repo}/pulls/1347/files: 30 files
// with their patches, four past the 6 KiB the tool keeps, one binary
// file without a patch (150 KB).
//
//go:embed github_pull_files.json
var GitHubPullFiles []byte

// GitHubNotifications is GET /notifications: 30 threads with their
// repositories (135 KB).
//
//go:embed github_notifications.json
var GitHubNotifications []byte

// GitHubContentFile is GET /repos/{owner}/{repo}/contents/README.md: a
// content object with the file base64-encoded in lines of 60 characters.
//
//go:embed github_content_file.json
var GitHubContentFile []byte

// GitHubContentDir is GET /repos/{owner}/{repo}/contents/: the root
// directory's 12 entries.
//
//go:embed github_content_dir.json
var GitHubContentDir []byte

// GitHubIssueCreated is POST /repos/{owner}/{repo}/issues' 201 answer: the
// new issue #1348.
//
//go:embed github_issue_created.json
var GitHubIssueCreated []byte

// GitHubCommentCreated is POST /repos/{owner}/{repo}/issues/1347/comments'
// 201 answer: the new comment.
//
//go:embed github_comment_created.json
var GitHubCommentCreated []byte
