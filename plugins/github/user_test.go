package main

import (
	"testing"

	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

const userJSON = `{
  "login": "octocat", "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==",
  "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
  "html_url": "https://github.com/octocat", "type": "User", "site_admin": false,
  "name": "The Octocat", "company": "@github", "blog": "https://github.blog",
  "location": "San Francisco", "email": null, "hireable": null, "bio": null,
  "twitter_username": null, "public_repos": 8, "public_gists": 8,
  "followers": 21000, "following": 9,
  "created_at": "2011-01-25T18:44:36Z", "updated_at": "2024-01-22T12:14:49Z",
  "private_gists": 0, "total_private_repos": 0, "two_factor_authentication": true
}`

func TestGetUser(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, map[string]string{"Content-Type": "application/json"}, userJSON))
	res := h.Call(t, "get_github_user", nil)
	onlyRequest(t, h, "https://api.github.com/user",
		"{login,id,name,email,company,location,bio,blog,type,public_repos,public_gists,followers,following,html_url,avatar_url,created_at,updated_at}")
	pdktest.WantContent(t, res, user{ // email and bio are null in GitHub's answer, and so in the result
		Login: "octocat", ID: 583231, Name: new("The Octocat"), Company: new("@github"), Location: new("San Francisco"),
		Blog: new("https://github.blog"), Type: "User", PublicRepos: 8, PublicGists: 8, Followers: 21000, Following: 9,
		HTMLURL: "https://github.com/octocat", AvatarURL: "https://avatars.githubusercontent.com/u/583231?v=4",
		CreatedAt: "2011-01-25T18:44:36Z", UpdatedAt: "2024-01-22T12:14:49Z",
	})
}

func TestGetUserRejectsArguments(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, userJSON))
	res := h.Call(t, "get_github_user", map[string]any{"login": "x"})
	if !res.IsError || res.Message != `Invalid arguments for get_github_user: at /: additional properties 'login' not allowed` {
		t.Errorf("result = %+v", res)
	}
	if len(h.Requests()) != 0 {
		t.Error("a request was sent despite bad arguments")
	}
}

func TestGetUserErrors(t *testing.T) { testErrors(t, "get_github_user", nil) }
