package main

import "github.com/wasmcp/wasmcp/pdk"

var getUserTool = pdk.NewTool("get_github_user",
	"Returns the profile of the GitHub user who connected their account: "+
		"login, name, email, company, location, bio, counts of public repositories, "+
		"followers and following, profile URL and creation date.",
	getUser, pdk.ReadOnly("GitHub profile"))

// user is the part of GET /user the tool returns, under GitHub's own names;
// the host selects its fields (userSelect), and the tool returns them as
// GitHub sent them: the pointers are the fields GitHub may send as null (no
// name, a private email).
type user struct {
	Login       string  `json:"login"`
	ID          int64   `json:"id"`
	Name        *string `json:"name"`
	Email       *string `json:"email"`
	Company     *string `json:"company"`
	Location    *string `json:"location"`
	Bio         *string `json:"bio"`
	Blog        *string `json:"blog"`
	Type        string  `json:"type"`
	PublicRepos int     `json:"public_repos"`
	PublicGists int     `json:"public_gists"`
	Followers   int     `json:"followers"`
	Following   int     `json:"following"`
	HTMLURL     string  `json:"html_url"`
	AvatarURL   string  `json:"avatar_url"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

// userSelect has the host keep only the fields of user.
var userSelect = pdk.SelectOf(user{})

func getUser(c *pdk.Call, _ pdk.NoArgs) (pdk.Raw[user], error) {
	resp, err := send(c, endpoint{path: "/user", sel: userSelect, needs: readUser}, nil)
	if err != nil {
		return nil, err
	}
	return pdk.Raw[user](resp.Raw()), nil
}
