package main

import "github.com/wasmcp/wasmcp/pdk"

var getUserTool = pdk.Tool{
	Name: "get_github_user",
	Description: "Returns the profile of the GitHub user who connected their account: " +
		"login, name, email, company, location, bio, counts of public repositories, " +
		"followers and following, profile URL and creation date.",
	InputSchema: map[string]any{
		"type":                 "object",
		"properties":           map[string]any{},
		"additionalProperties": false,
	},
	Handler: getUser,
}

// user is the part of GET /user the tool returns, under GitHub's own names;
// the host selects its fields (userSelect), and the tool returns them as
// GitHub sent them: null for no name, a private email.
type user struct {
	Login       string `json:"login"`
	ID          int64  `json:"id"`
	Name        string `json:"name,omitempty"`
	Email       string `json:"email,omitempty"`
	Company     string `json:"company,omitempty"`
	Location    string `json:"location,omitempty"`
	Bio         string `json:"bio,omitempty"`
	Blog        string `json:"blog,omitempty"`
	Type        string `json:"type,omitempty"`
	PublicRepos int    `json:"public_repos"`
	PublicGists int    `json:"public_gists"`
	Followers   int    `json:"followers"`
	Following   int    `json:"following"`
	HTMLURL     string `json:"html_url"`
	AvatarURL   string `json:"avatar_url,omitempty"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at,omitempty"`
}

// userSelect has the host keep only the fields of user.
var userSelect = pdk.SelectOf(user{})

func getUser(c *pdk.Call) (any, error) {
	if err := c.Args(&struct{}{}); err != nil {
		return nil, err
	}
	resp, err := get(c, "/user", nil, userSelect)
	if err != nil {
		return nil, err
	}
	return resp.Raw(), nil
}
