package pdk_test

import (
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

func TestPath(t *testing.T) {
	for _, tt := range []struct {
		segs []string
		want string
	}{
		{nil, "/"},
		{[]string{"user"}, "/user"},
		{[]string{"repos", "octocat", "Hello-World", "issues"}, "/repos/octocat/Hello-World/issues"},
		{[]string{"files", "a/b c?d#e%f"}, "/files/a%2Fb%20c%3Fd%23e%25f"},
		{[]string{"files", "a;b"}, "/files/a%3Bb"},
		{[]string{"a..b", ".well-known", "..."}, "/a..b/.well-known/..."},
		{[]string{"ünï"}, "/%C3%BCn%C3%AF"},
	} {
		got, err := pdk.Path(tt.segs...)
		if err != nil || got != tt.want {
			t.Errorf("Path(%q) = %q, %v; want %q", tt.segs, got, err, tt.want)
		}
	}
}

// TestPathRefuses: Path refuses every segment that would make the host
// refuse the URL, or name another resource; url.PathEscape would let "."
// and ".." through as they are.
func TestPathRefuses(t *testing.T) {
	for _, seg := range []string{".", "..", "a/../b", "../x", `..\x`, `a\..`, "..;v=1", "./", ""} {
		got, err := pdk.Path("repos", seg, "issues")
		if err == nil {
			t.Errorf("Path(%q) = %q, want an error", seg, got)
			continue
		}
		if seg != "" && !strings.Contains(err.Error(), `path segment "`) {
			t.Errorf("Path(%q) error %q does not quote the segment", seg, err)
		}
	}
}

// TestPathMatchesTheHost: every path Path builds is one the host's rules
// (through pdktest) let through, and every segment it refuses, escaped as
// url.PathEscape would, is one they refuse.
func TestPathMatchesTheHost(t *testing.T) {
	h := pdktest.NewHost(pdk.Plugin{Name: "p", Provider: "x", Hosts: []string{"https://api.example.com"}}, pdktest.Reply(204, nil, ""))
	for _, seg := range []string{"a", "a b", "a/b", "a\\b", "%2e%2e", ".", "..", "a/../b", `..\x`, "..;x", "x/./y"} {
		p, err := pdk.Path("base", seg)
		var escaped string
		if err == nil {
			escaped = p
		} else {
			escaped = "/base/" + strings.NewReplacer("/", "%2F", `\`, "%5C", ";", "%3B").Replace(seg)
		}
		resp := h.HTTPRequest(abi.HTTPRequest{URL: "https://api.example.com" + escaped})
		if refused := resp.Error != ""; refused != (err != nil) {
			t.Errorf("segment %q: Path error %v, but the host says %q (%s) to %s", seg, err, resp.Error, resp.ErrorMessage, escaped)
		}
	}
}
