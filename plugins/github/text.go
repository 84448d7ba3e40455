package main

import "github.com/wasmcp/wasmcp/pdk"

// Bounds on the text a result carries, so that one long body cannot take a
// page past the host's output limit (1 MiB by default): GitHub allows
// 65,536 characters in an issue, pull request or comment body.
const (
	// listBodyBytes caps each body in a list or search page.
	listBodyBytes = 2000
	// bodyBytes caps the body of the issue or pull request a get tool
	// returns, and commentBytes each of its comments.
	bodyBytes    = 64 << 10
	commentBytes = 4 << 10
	// patchBytes caps each file's patch in get_github_pull_request.
	patchBytes = 6 << 10
	// At 100 a page, the largest results stay under the default 1 MiB:
	// get_github_issue 64 KiB + 100 × 4 KiB, get_github_pull_request
	// 64 KiB + 100 × 6 KiB, plus their other fields.
)

// clip cuts *s to at most n bytes, at a rune boundary, and reports whether
// it cut anything. A nil s is left as it is.
func clip(s *string, n int) bool {
	if s == nil || len(*s) <= n {
		return false
	}
	*s = pdk.Cut(*s, n)
	return true
}
