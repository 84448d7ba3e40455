package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/wasmcp/wasmcp/pdk"
)

var getContentsTool = pdk.NewTool("get_github_file_contents",
	"Returns a text file of a repository, decoded, or a directory's entries. A file's content "+
		"comes max_bytes at a time (100000 by default): truncated and next_offset say when there is "+
		"more, to ask for with offset. Binary files, and files over 1 MB (which GitHub's contents API "+
		"does not return), are refused with a message saying so. A directory lists each entry's type, "+
		"name, path and size. ref picks a branch, tag or commit; the default branch otherwise.",
	getContents, pdk.ReadOnly("GitHub file contents"))

type getContentsArgs struct {
	repoArgs
	Path     string  `json:"path,omitempty" maxLength:"1024" pattern:"^[^\\x00]*$" jsonschema:"The file's or directory's path in the repository, e.g. src/main.go; empty for the root directory."`
	Ref      *string `json:"ref" minLength:"1" maxLength:"255" pattern:"^[^\\s~^:?*\\[\\\\]+$" jsonschema:"A branch, tag or commit SHA; the repository's default branch when absent."`
	Offset   *int    `json:"offset" minimum:"0" default:"0" jsonschema:"Byte offset in the file to start at; pass next_offset to continue."`
	MaxBytes *int    `json:"max_bytes" minimum:"1000" maximum:"500000" default:"100000" jsonschema:"Most bytes of the file to return, 1000 to 500000."`
}

// contents is the tool's result: a file's text, or a directory's entries,
// under the names of GitHub's content object.
type contents struct {
	Type            string  `json:"type" jsonschema:"file, dir, symlink or submodule."`
	Name            string  `json:"name"`
	Path            string  `json:"path"`
	SHA             string  `json:"sha,omitempty"`
	Size            int64   `json:"size" jsonschema:"A file's size in bytes."`
	HTMLURL         *string `json:"html_url,omitempty"`
	Content         *string `json:"content,omitempty" jsonschema:"The file's text, from offset."`
	Offset          int     `json:"offset,omitempty"`
	Truncated       bool    `json:"truncated,omitempty" jsonschema:"More of the file follows; ask again with offset set to next_offset."`
	NextOffset      int     `json:"next_offset,omitempty"`
	Target          *string `json:"target,omitempty" jsonschema:"A symlink's target."`
	SubmoduleGitURL *string `json:"submodule_git_url,omitempty"`
	Entries         []entry `json:"entries,omitempty" jsonschema:"A directory's entries."`
	Count           int     `json:"count,omitempty" jsonschema:"How many entries."`
}

// entry is one entry of a directory.
type entry struct {
	Type string `json:"type"`
	Name string `json:"name"`
	Path string `json:"path"`
	Size int64  `json:"size"`
	SHA  string `json:"sha"`
}

// content is GitHub's content object, as decoded.
type content struct {
	Type            string  `json:"type"`
	Encoding        string  `json:"encoding"`
	Size            int64   `json:"size"`
	Name            string  `json:"name"`
	Path            string  `json:"path"`
	SHA             string  `json:"sha"`
	Content         string  `json:"content"`
	HTMLURL         *string `json:"html_url"`
	Target          *string `json:"target"`
	SubmoduleGitURL *string `json:"submodule_git_url"`
}

// maxDirEntries caps the entries returned (GitHub sends up to 1,000).
const maxDirEntries = 1000

func getContents(c *pdk.Call, a getContentsArgs) (contents, error) {
	segs := []string{"contents"}
	for s := range strings.SplitSeq(strings.Trim(a.Path, "/"), "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	path, err := a.path(segs...)
	if err != nil {
		return contents{}, fmt.Errorf("argument path: %v", err)
	}
	q := url.Values{}
	if a.Ref != nil {
		q.Set("ref", *a.Ref)
	}
	what := "the path " + quoted(a.Path) + " in " + a.fullName()
	if a.Ref != nil {
		what += " at " + quoted(*a.Ref)
	}
	var raw json.RawMessage
	if _, err := send(c, endpoint{path: path, query: q, what: what, needs: readCode}, &raw); err != nil {
		return contents{}, err
	}
	if raw = bytes.TrimSpace(raw); len(raw) > 0 && raw[0] == '[' {
		return directory(raw, a.Path)
	}
	var f content
	if err := json.Unmarshal(raw, &f); err != nil {
		return contents{}, fmt.Errorf("GitHub answered with a body that is not the content object expected: %v", err)
	}
	out := contents{Type: f.Type, Name: f.Name, Path: f.Path, SHA: f.SHA, Size: f.Size, HTMLURL: f.HTMLURL,
		Target: f.Target, SubmoduleGitURL: f.SubmoduleGitURL}
	if f.Type != "file" {
		return out, nil // a symlink or submodule: its target is the answer
	}
	return fileText(out, f, a)
}

// fileText decodes the file's base64 content and returns the part of it
// asked for, refusing what is not text.
func fileText(out contents, f content, a getContentsArgs) (contents, error) {
	name := quoted(f.Path) + " in " + a.fullName()
	if f.Encoding != "base64" {
		// Files of 1 to 100 MB come with encoding "none" and no content.
		return contents{}, fmt.Errorf("the file %s is %d bytes, too large for GitHub's contents API (1 MB at most); it cannot be read with this tool. Its page is %s",
			name, f.Size, deref(f.HTMLURL))
	}
	data, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\n", "", "\r", "").Replace(f.Content))
	if err != nil {
		return contents{}, fmt.Errorf("GitHub sent the file %s with content that is not valid base64", name)
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return contents{}, fmt.Errorf("the file %s is binary (%d bytes, not UTF-8 text); this tool returns text files only. Its page is %s",
			name, len(data), deref(f.HTMLURL))
	}
	off, limit := 0, 100000
	if a.Offset != nil {
		off = *a.Offset
	}
	if a.MaxBytes != nil {
		limit = *a.MaxBytes
	}
	if off > len(data) {
		return contents{}, fmt.Errorf("offset %d is past the end of the file %s, which has %d bytes", off, name, len(data))
	}
	for off > 0 && off < len(data) && !utf8.RuneStart(data[off]) {
		off-- // start on a character
	}
	text := pdk.Cut(string(data[off:]), limit)
	out.Content, out.Offset = &text, off
	if end := off + len(text); end < len(data) {
		out.Truncated, out.NextOffset = true, end
	}
	return out, nil
}

// directory is the result for a directory listing.
func directory(raw json.RawMessage, path string) (contents, error) {
	var list []entry
	if err := json.Unmarshal(raw, &list); err != nil {
		return contents{}, fmt.Errorf("GitHub answered with a body that is not the directory listing expected: %v", err)
	}
	if len(list) > maxDirEntries {
		list = list[:maxDirEntries]
	}
	p := strings.Trim(path, "/")
	name := p[strings.LastIndexByte(p, '/')+1:]
	if list == nil {
		list = []entry{}
	}
	return contents{Type: "dir", Name: name, Path: p, Entries: list, Count: len(list)}, nil
}

// quoted quotes an argument for a message, cut to 200 bytes.
func quoted(s string) string { return fmt.Sprintf("%q", pdk.Cut(s, 200)) }

// deref is a URL GitHub sent, for a message: cut to 300 bytes, "unknown"
// when there is none.
func deref(s *string) string {
	if s == nil {
		return "unknown"
	}
	return pdk.Cut(*s, 300)
}
