package main

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// readme is the text of the README in payloads.GitHubContentFile.
func readme(t *testing.T) string {
	f := decode[struct{ Content string }](t, payloads.GitHubContentFile)
	b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(f.Content, "\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGetFileContents(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{"GET /repos/octocat/Hello-World/contents/README.md": ok(payloads.GitHubContentFile)}))
	res := h.Call(t, "get_github_file_contents", args("path", "/README.md", "ref", "v1.0"))
	wantRequests(t, h, abi.HTTPRequest{URL: "https://api.github.com/repos/octocat/Hello-World/contents/README.md?ref=v1.0"})
	text := readme(t)
	pdktest.WantContent(t, res, contents{Type: "file", Name: "README.md", Path: "README.md", SHA: "3d21ec53a331a6f037a91c368710b99387d012c1",
		Size: int64(len(text)), HTMLURL: new("https://github.com/octocat/Hello-World/blob/master/README.md"), Content: &text})
}

// A file past max_bytes comes in parts, each ending on a whole character,
// that add up to the file.
func TestGetFileContentsInParts(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{"GET /repos/octocat/Hello-World/contents/README.md": ok(payloads.GitHubContentFile)}))
	text := readme(t)
	var all strings.Builder
	off, calls := 0, 0
	for {
		a := args("path", "README.md", "max_bytes", 1000)
		if off > 0 {
			a["offset"] = off
		}
		got := pdktest.Content[contents](t, h.Call(t, "get_github_file_contents", a))
		if got.Offset != off || len(*got.Content) > 1000 || !utf8.ValidString(*got.Content) {
			t.Fatalf("part at %d: offset %d, %d bytes", off, got.Offset, len(*got.Content))
		}
		all.WriteString(*got.Content)
		calls++
		if !got.Truncated {
			if got.NextOffset != 0 {
				t.Errorf("last part has next_offset %d", got.NextOffset)
			}
			break
		}
		if got.NextOffset != off+len(*got.Content) {
			t.Fatalf("next_offset %d after %d bytes at %d", got.NextOffset, len(*got.Content), off)
		}
		off = got.NextOffset
	}
	if all.String() != text || calls != (len(text)+999)/1000 && calls != (len(text)+999)/1000+1 {
		t.Errorf("%d parts of %d bytes do not add up to the file's %d", calls, all.Len(), len(text))
	}
	if !strings.Contains(text, "世界") {
		t.Error("the payload has no multi-byte characters to cut")
	}
}

// contentObject is a content object for the file name holding data.
func contentObject(name string, data []byte) []byte {
	b, _ := json.Marshal(map[string]any{"type": "file", "encoding": "base64", "size": len(data), "name": name, "path": name,
		"sha": "abc", "content": base64.StdEncoding.EncodeToString(data), "html_url": "https://github.com/octocat/Hello-World/blob/master/" + name})
	return b
}

func TestGetFileContentsOffsetMidCharacter(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(contentObject("a.txt", []byte("aé"+strings.Repeat("b", 2000))))))
	got := pdktest.Content[contents](t, h.Call(t, "get_github_file_contents", args("path", "a.txt", "offset", 2, "max_bytes", 1000)))
	if got.Offset != 1 || !strings.HasPrefix(*got.Content, "éb") || len(*got.Content) != 1000 || got.NextOffset != 1001 {
		t.Errorf("offset %d, next %d, content %q...", got.Offset, got.NextOffset, (*got.Content)[:4])
	}
	res := h.Call(t, "get_github_file_contents", args("path", "a.txt", "offset", 5000))
	if !res.IsError || res.Message != `offset 5000 is past the end of the file "a.txt" in octocat/Hello-World, which has 2003 bytes` {
		t.Errorf("result = %+v", res)
	}
}

func TestGetFileContentsRefusals(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 100)...)
	for _, tt := range []struct {
		name string
		body []byte
		want string
	}{
		{"binary", contentObject("logo.png", png),
			`the file "logo.png" in octocat/Hello-World is binary (116 bytes, not UTF-8 text); this tool returns text files only. Its page is https://github.com/octocat/Hello-World/blob/master/logo.png`},
		{"not UTF-8", contentObject("latin1.txt", []byte("caf\xe9")), `the file "latin1.txt" in octocat/Hello-World is binary (4 bytes, not UTF-8 text)`},
		{"over 1 MB", []byte(`{"type":"file","encoding":"none","size":5242880,"name":"big.csv","path":"data/big.csv","content":"","sha":"abc","html_url":"https://github.com/octocat/Hello-World/blob/master/data/big.csv"}`),
			`the file "data/big.csv" in octocat/Hello-World is 5242880 bytes, too large for GitHub's contents API (1 MB at most); it cannot be read with this tool`},
		{"bad base64", []byte(`{"type":"file","encoding":"base64","size":3,"name":"a","path":"a","content":"!!!"}`), `content that is not valid base64`},
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(tt.body)))
		if res := h.Call(t, "get_github_file_contents", args("path", "x")); !res.IsError || !strings.Contains(res.Message, tt.want) {
			t.Errorf("%s: %+v, want %q", tt.name, res, tt.want)
		}
	}
}

func TestGetDirectoryContents(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(map[string]answer{"GET /repos/octocat/Hello-World/contents": ok(payloads.GitHubContentDir)}))
	got := pdktest.Content[contents](t, h.Call(t, "get_github_file_contents", helloWorld))
	wantRequests(t, h, abi.HTTPRequest{URL: "https://api.github.com/repos/octocat/Hello-World/contents"})
	if got.Type != "dir" || got.Count != 12 || len(got.Entries) != 12 || got.Content != nil {
		t.Fatalf("result = %+v", got)
	}
	if e := got.Entries[0]; e != (entry{Type: "dir", Name: ".github", Path: ".github", Size: 0, SHA: e.SHA}) || len(e.SHA) != 40 {
		t.Errorf("first entry = %+v", e)
	}
	if e := got.Entries[9]; e.Type != "file" || e.Name != "README.md" || e.Size == 0 {
		t.Errorf("README entry = %+v", e)
	}
}

func TestGetSymlinkAndSubmodule(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"type":"symlink","target":"/path/to/symlink/target","size":23,"name":"some-symlink","path":"bin/some-symlink","sha":"452a98979c88e093d682cab404a3ec82babebb48"}`))
	got := pdktest.Content[contents](t, h.Call(t, "get_github_file_contents", args("path", "bin/some-symlink")))
	if got.Type != "symlink" || *got.Target != "/path/to/symlink/target" || got.Content != nil {
		t.Errorf("symlink = %+v", got)
	}
	h = pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"type":"submodule","submodule_git_url":"git://github.com/jquery/qunit.git","size":0,"name":"qunit","path":"test/qunit","sha":"6ca3721222109997540bd6d9ccd396902e0ad2f9"}`))
	if got := pdktest.Content[contents](t, h.Call(t, "get_github_file_contents", args("path", "test/qunit"))); *got.SubmoduleGitURL != "git://github.com/jquery/qunit.git" {
		t.Errorf("submodule = %+v", got)
	}
}

func TestGetFileContentsPaths(t *testing.T) {
	for _, tt := range []struct {
		path, url, err string
	}{
		{"docs/my notes/a#b?.md", "https://api.github.com/repos/octocat/Hello-World/contents/docs/my%20notes/a%23b%3F.md", ""},
		{"src//main.go/", "https://api.github.com/repos/octocat/Hello-World/contents/src/main.go", ""},
		{"src/../../../user", "", `argument path: path segment ".." is not allowed`},
		{"./a", "", `argument path: path segment "." is not allowed`},
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(contentObject("a", []byte("x")))))
		res := h.Call(t, "get_github_file_contents", args("path", tt.path))
		if tt.err != "" {
			if !res.IsError || !strings.HasPrefix(res.Message, tt.err) || len(h.Requests()) != 0 {
				t.Errorf("%q: %+v, want %q", tt.path, res, tt.err)
			}
			continue
		}
		if res.IsError || len(h.Requests()) != 1 || h.Requests()[0].URL != tt.url {
			t.Errorf("%q: %+v, requests %+v", tt.path, res, h.Requests())
		}
	}
	h := pdktest.NewHost(plugin, nil)
	for _, a := range []map[string]any{args("max_bytes", 999), args("max_bytes", 500001), args("offset", -1), args("ref", "a b"), args("ref", "")} {
		if res := h.Call(t, "get_github_file_contents", a); !res.IsError || !strings.HasPrefix(res.Message, "Invalid arguments") {
			t.Errorf("%v: %+v", a, res)
		}
	}
}

func TestGetFileContentsNotFound(t *testing.T) {
	h := pdktest.NewHost(plugin, routes(nil))
	res := h.Call(t, "get_github_file_contents", args("path", "nope.md", "ref", "main"))
	if want := `Not found: the path "nope.md" in octocat/Hello-World at "main"`; !res.IsError || !strings.Contains(res.Message, want) || !strings.Contains(res.Message, "Contents: read") {
		t.Errorf("result = %+v, want %q", res, want)
	}
}

func TestGetFileContentsErrors(t *testing.T) {
	testErrors(t, "get_github_file_contents", args("path", "README.md"))
}
