package pdk

import "testing"

func TestNextLink(t *testing.T) {
	const repos = "https://api.github.com/user/repos"
	for in, want := range map[string]string{
		"":                                   "",
		`<` + repos + `?page=2>; rel="next"`: repos + "?page=2",
		`<` + repos + `?page=1>; rel="prev", <` + repos + `?page=3>; rel=next`:       repos + "?page=3",
		`<` + repos + `?page=3>; rel="next", <` + repos + `?page=9>; rel="last"`:     repos + "?page=3",
		`<` + repos + `?page=1>; rel="first"`:                                        "",
		`<` + repos + `?page=4>;rel="prev next"`:                                     repos + "?page=4",
		`<` + repos + `?page=5>; title="a, b; rel=next"; rel="last"`:                 "",
		`<` + repos + `?page=6>; title="a, \"b\""; REL=Next`:                         repos + "?page=6",
		`<https://x.example/a,b>; rel="next"`:                                        "https://x.example/a,b",
		`<` + repos + `?page=7>; rel="last" junk <` + repos + `?page=8>; rel="next"`: "",
		`garbage`:                   "",
		`<unterminated; rel="next"`: "",
	} {
		if got := nextLink(in); got != want {
			t.Errorf("nextLink(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNextPage(t *testing.T) {
	for link, want := range map[string]int{
		"": 0,
		`<https://api.github.com/user/repos?page=2&per_page=5>; rel="next"`: 2,
		`<https://api.github.com/user/repos?page=x>; rel="next"`:            0,
		`<https://api.github.com/user/repos?page=0>; rel="next"`:            0,
		`<https://api.github.com/user/repos?since=9>; rel="next"`:           0,
		`<https://api.github.com/user/repos?page=2>; rel="prev"`:            0,
	} {
		r := &Response{Headers: map[string]string{"link": link}}
		if got := r.NextPage("page"); got != want {
			t.Errorf("NextPage for Link %q = %d, want %d", link, got, want)
		}
	}
}
