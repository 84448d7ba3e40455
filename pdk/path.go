package pdk

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/wasmcp/wasmcp/internal/reqrules"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// Path builds a URL path from segments, each escaped as one segment
// (url.PathEscape: "a/b" becomes "a%2Fb", "a b" becomes "a%20b"):
//
//	Path("repos", owner, repo, "issues") == "/repos/octocat/hello-world/issues", nil
//
// Use it for every path that holds an argument. It refuses, with an error fit
// to return from a Handler, a segment the host would refuse or that would
// change which resource the path names: "." and "..", which url.PathEscape
// leaves as they are, a value a server could read as one ("a/../b",
// `..\x`, "..;v=1"; the host's rule, from the same code), and an empty
// segment, which is a missing argument. Path() is "/".
func Path(segments ...string) (string, error) {
	var b strings.Builder
	for i, s := range segments {
		if s == "" {
			return "", fmt.Errorf("path segment %d is empty", i+1)
		}
		if reqrules.CheckSegment(s) != nil {
			return "", fmt.Errorf(`path segment %q is not allowed: a segment may not be "." or "..", nor hold one between "/", "\" or ";"`, safetext.Clip(s, 64))
		}
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	if b.Len() == 0 {
		return "/", nil
	}
	return b.String(), nil
}
