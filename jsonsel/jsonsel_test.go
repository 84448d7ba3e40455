package jsonsel

import (
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	const repos = `[{"full_name":"a/b","owner":{"login":"a","id":1},"description":null,"size":9},
	                {"full_name":"c/d","owner":{"login":"c","id":2},"description":"x","size":8}]`
	for _, tt := range []struct {
		name, body, sel string
		status          int
		want            string
		selected        bool
	}{
		{"array projection", repos, "{repos:#.{full_name,owner:owner.login,description},count:#}", 200,
			`{"repos":[{"full_name":"a/b","owner":"a","description":null},{"full_name":"c/d","owner":"c","description":"x"}],"count":2}`, true},
		{"object fields", `{"login":"octocat","id":1,"bio":null}`, "{login,bio}", 200, `{"login":"octocat","bio":null}`, true},
		{"no match", `{"a":1}`, "b", 200, "null", true},
		{"no select", repos, "", 200, repos, false},
		{"error status keeps the body", `{"message":"Not Found"}`, "{login}", 404, `{"message":"Not Found"}`, false},
		{"not JSON", "<html>", "{login}", 200, "<html>", false},
		{"invalid JSON", `{"login":`, "{login}", 200, `{"login":`, false},
		{"nested selections", `{"kind": "Listing", "data": {"after": "t5", "children": [{"data": {"n": "a", "x": 1}}]}}`,
			"{data:data.{after,children:children.#.{data:data.{n}}}}", 200, `{"data":{"after":"t5","children":[{"data":{"n":"a"}}]}}`, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Apply([]byte(tt.body), tt.sel, tt.status)
			if string(got) != tt.want || ok != tt.selected {
				t.Errorf("Apply = %s, %v; want %s, %v", got, ok, tt.want, tt.selected)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	if err := Check("{repos:#.{full_name},count:#}"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{strings.Repeat("a", 4097), "a\nb", "\xff", "a|@fromstr", "@reverse", "{a:b.@this}"} {
		if Check(bad) == nil {
			t.Errorf("Check(%.20q) accepted it", bad)
		}
	}
}
