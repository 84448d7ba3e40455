package pdktest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// Content decodes the content of res, a successful result, into a T, so a
// test compares typed values (int 80, not float64 80) instead of walking a
// map[string]any:
//
//	page := pdktest.Content[reposPage](t, h.Call(t, "list_github_repos", nil))
//	if page.Count != 2 || page.Repos[0].FullName != "octocat/Hello-World" { ... }
//
// It fails t if res is a tool error (quoting its message), or if the content
// does not decode into a T: a field T lacks or a value of the wrong type
// fails, so T states all that the tool returns. JSON null decodes as Go
// does (a zero value, a nil pointer): check nulls in res.Content.
func Content[T any](t testing.TB, res abi.CallResult) T {
	t.Helper()
	var v T
	if res.IsError {
		t.Fatalf("pdktest: the tool failed: %s", res.Message)
		return v
	}
	b, err := json.Marshal(res.Content)
	if err != nil {
		t.Fatalf("pdktest: encoding the content: %v", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("pdktest: the content does not decode into %T: %v\ncontent: %s", v, err, b)
	}
	return v
}

// WantContent fails t unless the content of res, decoded into a T as
// Content decodes it, equals want; the message shows both as JSON:
//
//	pdktest.WantContent(t, h.Call(t, "get_github_user", nil), user{Login: "octocat", Name: new("The Octocat")})
func WantContent[T any](t testing.TB, res abi.CallResult, want T) {
	t.Helper()
	if got := Content[T](t, res); !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("pdktest: content\n got %s\nwant %s", g, w)
	}
}

// WantToolError fails t unless res is a tool error, with no content, whose
// message holds each of parts; it returns the message:
//
//	msg := pdktest.WantToolError(t, h.Call(t, "get_github_user", nil), "401 Unauthorized")
func WantToolError(t testing.TB, res abi.CallResult, parts ...string) string {
	t.Helper()
	if !res.IsError || res.Content != nil {
		t.Fatalf("pdktest: result = %+v, want a tool error", res)
	}
	for _, p := range parts {
		if !strings.Contains(res.Message, p) {
			t.Errorf("pdktest: message %q lacks %q", res.Message, p)
		}
	}
	return res.Message
}
