package e2e

import "testing"

// TestPluginCodeUnloadsWhenIdle: an operator's pool.unload_after frees a
// plugin's code once it has had no call for that long; the host says so in
// its log, and the next call loads the code again and is served as before.
func TestPluginCodeUnloadsWhenIdle(t *testing.T) {
	gh := fakeGitHub(t)
	r := startHost(t, hostOpts{
		mock:      true,
		upstreams: map[string]string{"https://api.github.com": gh.URL},
		extraYAML: "pool:\n  unload_after: 1ms\n",
	})
	m := meta("u1", "temp-token-u1-0001", "github")
	if res := r.call(t, "get_github_user", nil, m); res.IsError || structured(t, res)["login"] != "octocat" {
		t.Fatalf("the first call failed: %s", text(res))
	}
	// The code may have been unloaded before that call already (the plugin
	// described itself at start, then had no call): wait for an unload
	// after it.
	mark := len(r.stderr.String())
	r.stderr.waitFor(t, "unload of the github plugin's code after its call", func(logs string) bool {
		return logLine(logs[mark:], "plugin code unloaded", "plugin=github")
	})
	before := len(r.stderr.String())

	if res := r.call(t, "get_github_user", nil, meta("u2", "temp-token-u2-0001", "github")); res.IsError || structured(t, res)["login"] != "octocat" {
		t.Fatalf("the call after the unload failed: %s", text(res))
	}
	if after := r.stderr.String()[before:]; !logLine(after, "plugin code loaded", "plugin=github") {
		t.Errorf("the call after the unload did not load the code again; logs since:\n%s", after)
	}
	if got := len(gh.requests()); got != 2 {
		t.Errorf("the fake API saw %d requests, want 2", got)
	}
}
