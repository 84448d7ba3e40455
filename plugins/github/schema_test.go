package main

import (
	"testing"

	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// TestSchemas: the host accepts the tools' schemas; every tool has an output
// schema; the two writes say they are neither read-only, nor idempotent,
// nor destructive, and every other tool that it is read-only.
func TestSchemas(t *testing.T) {
	pdktest.Check(t, plugin)
	for _, tool := range plugin.Descriptor().Tools {
		a := tool.Annotations
		write := tool.Name == "create_github_issue" || tool.Name == "comment_github_issue"
		if a == nil || a.Title == "" || a.ReadOnlyHint == nil || *a.ReadOnlyHint == write || a.OpenWorldHint == nil || !*a.OpenWorldHint ||
			a.IdempotentHint == nil || *a.IdempotentHint == write || a.DestructiveHint == nil || *a.DestructiveHint {
			t.Errorf("tool %s: annotations %+v, want a titled open-world tool, read-only and idempotent unless a write, never destructive", tool.Name, a)
		}
		if tool.OutputSchema["type"] != "object" {
			t.Errorf("tool %s: output schema %v", tool.Name, tool.OutputSchema)
		}
	}
}

// TestRealAnswersMatchOutputSchemas: GitHub's real answers, in full, with
// their nulls, pass the output schemas as the host checks them.
func TestRealAnswersMatchOutputSchemas(t *testing.T) {
	for tool, body := range map[string][]byte{
		"get_github_user":   payloads.GitHubUser,
		"list_github_repos": payloads.GitHubUserRepos,
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(body)))
		if res := h.Call(t, tool, nil); res.IsError {
			t.Errorf("%s: %s", tool, res.Message)
		}
	}
}

// TestOutputSchemaRefusesWrongTypes: an API answer that breaks the declared
// types is refused as the host refuses it, naming the field.
func TestOutputSchemaRefusesWrongTypes(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"login":"octocat","id":"583231","name":null}`))
	res := h.Call(t, "get_github_user", nil)
	want := `plugin "github" returned a result that does not match the outputSchema of get_github_user: at /id: got string, want integer`
	if !res.IsError || res.Message != want {
		t.Errorf("result = %+v, want the error %q", res, want)
	}
}
