package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// benchTool is a tool the bench calls: provider is also the name of the
// plugin that serves it. Heavy tools read a large answer (hundreds of KB in
// the provider's full shape) that the host selects from; they run in a mix
// of their own, so that the light mix's figures stay comparable with the
// targets, which were set for it.
type benchTool struct {
	name, provider, args string
	heavy                bool
}

// benchTools are every tool the bench calls; each user's successive calls
// in a mix rotate through the mix's tools, so calls in flight mix plugins.
// The fakes of bench_fakes_providers.go answer each of them.
var benchTools = []benchTool{
	{"get_github_user", "github", `{}`, false},
	{"get_reddit_user", "reddit", `{}`, false},
	{"list_github_repos", "github", `{"per_page":10}`, false},
	{"list_user_subreddits", "reddit", `{"limit":10}`, false},
	// One payload-heavy tool of each provider: GitHub's 30 pull requests
	// (530 KB), a Reddit post with its 249 comments, 8 levels asked for
	// (740 KB), and 50 Calendar events (120 KB).
	{"list_github_pull_requests", "github", `{"owner":"octocat","repo":"Hello-World"}`, true},
	{"get_reddit_post", "reddit", `{"post_id":"1hgsr30","depth":8,"limit":500}`, true},
	{"list_calendar_events", "google", `{"time_min":"2025-12-01T00:00:00Z","max_results":50}`, true},
}

// benchMix returns the indexes in benchTools of the heavy tools, or of the
// light ones.
func benchMix(heavy bool) []int {
	var out []int
	for i, t := range benchTools {
		if t.heavy == heavy {
			out = append(out, i)
		}
	}
	return out
}

// benchAll returns the indexes of every tool in benchTools.
func benchAll() []int {
	out := make([]int, len(benchTools))
	for i := range out {
		out[i] = i
	}
	return out
}

// benchProviders returns the providers of benchTools, in order of first
// appearance, each with its first tool: the plugins the bench needs, and
// the tool that measures each one's instance sources.
func benchProviders() (names []string, first []int) {
	seen := map[string]bool{}
	for i, t := range benchTools {
		if !seen[t.provider] {
			seen[t.provider] = true
			names, first = append(names, t.provider), append(first, i)
		}
	}
	return names, first
}

// benchMessage is the tools/call of tool with _meta for user, as call seq.
func benchMessage(seq int64, user string, tool int) []byte {
	t := benchTools[tool]
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%q,"arguments":%s,"_meta":{"userId":%q,"userToken":%q,"providerId":%q}}}`,
		seq, t.name, t.args, user, benchToken(user, seq), t.provider)
}

// checkBenchResult accepts a successful tool result whose content names user:
// the fakes answer with the user of the token they were sent.
func checkBenchResult(out []byte, user string) error {
	var resp struct {
		Result *struct {
			IsError           bool            `json:"isError"`
			StructuredContent json.RawMessage `json:"structuredContent"`
		} `json:"result"`
	}
	if err := rpcError(out); err != nil {
		return err
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.Result == nil {
		return fmt.Errorf("no result in %.200s", out)
	}
	if resp.Result.IsError {
		return fmt.Errorf("tool error: %.300s", out)
	}
	if !strings.Contains(string(resp.Result.StructuredContent), user) {
		return fmt.Errorf("result is not for %s: %.300s", user, resp.Result.StructuredContent)
	}
	return nil
}
