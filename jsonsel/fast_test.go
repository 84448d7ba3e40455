package jsonsel

import (
	"bytes"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/wasmcp/wasmcp/internal/payloads"
)

// reposPath is the path plugins/github selects a page of repositories with
// (pdk.SelectOf of its repo type), nested parts added.
const reposPath = "{repos:#.{id,name,full_name,owner:owner.login,private,html_url,description,fork,language," +
	"stargazers_count,forks_count,open_issues_count,default_branch,created_at,updated_at,pushed_at," +
	"perms:permissions.{admin,push},license:license.spdx_id,topics,missing},count:#}"

var fastDocs = []string{
	`{"a":1,"b":"x","c":{"d":[1,2,{"e":null}],"f":"g"},"a":2}`,
	`{"na\u006de":"escaped key","name":"plain","n":{"name":1}}`,
	`[{"a":1},{"b":2},{"a":{"b":[1,2]}},{"a":null}]`,
	`[1,"two",{"a":3},[4],null]`,
	`[[{"a":1}],[],[{"a":2},{"a":3}]]`,
	`{"#":"hash key","items":[{"id":1,"tags":["x","y"]},{"id":2}],"count":2}`,
	` { "a" : [ 1 , 2 ] , "b" : { "c" : "d" } } `,
	`[]`,
	`{}`,
	`{"a":"{\"b\":1}","s":"str"}`,
	`{"a":[{"b":{"c":{"d":{"e":"deep"}}}}]}`,
}

var fastPaths = []string{
	"a", "b", "c.f", "c.d", "c.d.#", "c.d.#.e", "missing", "c.missing.x",
	"{a,b}", "{x:a,y:c.f,z:missing}", "{a,a}", "{c:c.{d,f}}", "{n:n.name,name}",
	"#", "#.a", "#.{a}", "#.{a,b}", "#.{b:a.b}", "{all:#.{a},count:#}", "#.#", "#.#.a",
	"items.#.id", "items.#.{id,tags}", "{count,items:items.#.{id}}", "{h:#}",
	"a.b", "s.x", "a.#", "a.0", "a.#.b.c.d.e", "{a:a.#.{b:b.c.d.e}}",
	"name", "{name}", "n.name",
	reposPath,
	"#.{id,name,owner:owner.login,owner_id:owner.id}",
}

// TestFastMatchesGJSON: whenever fast answers, it answers what GJSON does,
// byte for byte; and it answers the paths plugins use on GitHub's real
// payloads (or the test would prove nothing).
func TestFastMatchesGJSON(t *testing.T) {
	docs := append([]string{string(payloads.GitHubUserRepos), string(payloads.GitHubUser)}, fastDocs...)
	answered := 0
	for _, doc := range docs {
		for _, path := range fastPaths {
			if got, ok := fastSelect(doc, path); ok {
				answered++
				if want := gjsonSelect(doc, path); !bytes.Equal(got, want) {
					t.Errorf("path %q on %.60q:\nfast  %s\ngjson %s", path, doc, got, want)
				}
			}
		}
	}
	for _, path := range []string{reposPath, "#.{id,name,owner:owner.login}", "{repos:#.{name},count:#}"} {
		if _, ok := fastSelect(string(payloads.GitHubUserRepos), path); !ok {
			t.Errorf("fast does not answer %q on the repositories page", path)
		}
	}
	if _, ok := fastSelect(string(payloads.GitHubUser), "{login,id,name,company,plan:plan.{name}}"); !ok {
		t.Error("fast does not answer the user's path")
	}
	if answered < len(docs)*len(fastPaths)/3 {
		t.Errorf("fast answered %d of %d selections", answered, len(docs)*len(fastPaths))
	}
}

// TestApplyUsesFast: Apply's answer on the repositories page is fast's.
func TestApplyUsesFast(t *testing.T) {
	got, ok := Apply(payloads.GitHubUserRepos, reposPath, 200)
	want := gjsonSelect(string(payloads.GitHubUserRepos), reposPath)
	if !ok || !bytes.Equal(got, want) {
		t.Fatalf("Apply: %v\n%s\nwant\n%s", ok, got, want)
	}
	if !gjson.ValidBytes(got) || gjson.GetBytes(got, "count").Int() != 30 {
		t.Errorf("the selection is not the 30 repositories: %.200s", got)
	}
}

func fastSelect(doc, path string) ([]byte, bool) {
	n, ok := parseFast(path)
	if !ok {
		return nil, false
	}
	out, exists, ok := eval(nil, n, gjson.Parse(doc))
	if ok && !exists {
		out = []byte("null")
	}
	return out, ok
}

func gjsonSelect(doc, path string) []byte {
	r := gjson.Get(doc, path)
	if !r.Exists() {
		return []byte("null")
	}
	return []byte(r.Raw)
}

// FuzzFast: on any JSON document and any path Check accepts, fast either
// gives up or answers what GJSON does.
func FuzzFast(f *testing.F) {
	for _, d := range fastDocs {
		for _, p := range fastPaths[:12] {
			f.Add(d, p)
		}
	}
	f.Fuzz(func(t *testing.T, doc, path string) {
		if Check(path) != nil || !gjson.Valid(doc) {
			return
		}
		d := bytes.TrimLeft([]byte(doc), " \t\r\n")
		if len(d) == 0 || (d[0] != '{' && d[0] != '[') {
			return
		}
		if got, ok := fastSelect(string(d), path); ok {
			if want := gjsonSelect(string(d), path); !bytes.Equal(got, want) {
				t.Errorf("path %q on %q:\nfast  %s\ngjson %s", path, d, got, want)
			}
		}
	})
}

// BenchmarkApply: the repositories page (155 KB) cut down by the path
// plugins/github uses, by fast and by GJSON alone.
func BenchmarkApply(b *testing.B) {
	doc := payloads.GitHubUserRepos
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			Apply(doc, reposPath, 200)
		}
	})
	b.Run("gjson", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			gjson.GetBytes(doc, reposPath)
		}
	})
}
