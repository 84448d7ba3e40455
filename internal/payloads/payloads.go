// Package payloads holds real answers of provider APIs, in their full shapes
// and sizes, for the benchmarks and fakes: a decoder's cost is in the bytes,
// and a fake that answers a few hand-picked fields measures little.
package payloads

import (
	"bytes"
	_ "embed"
)

// GitHubUser is GitHub's GET /user for the sample user octocat (1.3 KB).
//
//go:embed github_user.json
var GitHubUser []byte

// GitHubUserRepos is GitHub's GET /user/repos: 30 repositories of octocat in
// the full shape (155 KB).
//
//go:embed github_user_repos.json
var GitHubUserRepos []byte

// As returns payload with GitHub's sample login octocat replaced by login,
// so that an answer names the caller.
func As(payload []byte, login string) []byte {
	return bytes.ReplaceAll(payload, []byte("octocat"), []byte(login))
}
