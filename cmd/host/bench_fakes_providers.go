package main

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/wasmcp/wasmcp/internal/payloads"
)

// The routes of the bench's fake APIs, one function a provider: each
// answers the requests of that provider's tools in benchTools, naming user,
// and reports whether it knew the path. The payload-heavy routes answer
// with the providers' real answers in their full shapes and sizes
// (internal/payloads), and check the query parameters and headers the
// providers need, answering as they do when one is missing, so a tool that
// stopped sending them fails the bench instead of being measured against
// an answer it would not get.

// githubRoutes answers like api.github.com.
func githubRoutes(w http.ResponseWriter, r *http.Request, user string) bool {
	if r.Method != http.MethodGet {
		return false
	}
	if r.Header.Get("X-GitHub-Api-Version") == "" || r.Header.Get("User-Agent") == "" {
		// GitHub refuses requests without a User-Agent; the plugin sends
		// both on every request.
		http.Error(w, `{"message":"Request forbidden by administrative rules. Please make sure your request has a User-Agent header"}`, http.StatusForbidden)
		return true
	}
	switch r.URL.Path {
	// GET /user and /user/repos (1.3 KB and 155 KB), naming the caller.
	case "/user":
		w.Write(payloads.As(payloads.GitHubUser, user))
	case "/user/repos":
		w.Write(payloads.As(payloads.GitHubUserRepos, user))
	case "/repos/octocat/Hello-World/pulls":
		// 30 pull requests, each with its head and base repositories in
		// full (533 KB), and the Link header of a first page.
		w.Header().Set("Link", `<https://api.github.com/repositories/1296269/pulls?page=2>; rel="next", `+
			`<https://api.github.com/repositories/1296269/pulls?page=4>; rel="last"`)
		w.Write(payloads.As(payloads.GitHubPulls, user))
	default:
		return false
	}
	return true
}

// redditRoutes answers like oauth.reddit.com.
func redditRoutes(w http.ResponseWriter, r *http.Request, user string) bool {
	if r.Method != http.MethodGet {
		return false
	}
	if !strings.Contains(r.Header.Get("User-Agent"), "wasmcp") {
		// Reddit throttles or refuses generic User-Agents.
		http.Error(w, `{"message":"Too Many Requests","error":429}`, http.StatusTooManyRequests)
		return true
	}
	switch r.URL.Path {
	case "/api/v1/me":
		fmt.Fprintf(w, `{"name":%q,"id":"abc","link_karma":5,"comment_karma":7,"total_karma":12,"created_utc":1118030400.0}`, user)
	case "/subreddits/mine/subscriber":
		fmt.Fprintf(w, `{"kind":"Listing","data":{"after":null,"children":[{"kind":"t5","data":{"display_name":"golang","title":"Go, as %s reads it","subscribers":250000,"url":"/r/golang/"}}]}}`, user)
	case "/comments/1hgsr30":
		// The post and its tree of 249 comments (740 KB), as Reddit sends
		// it with raw_json=1; its author renamed user.
		q := r.URL.Query()
		if q.Get("raw_json") != "1" || q.Get("depth") == "" || q.Get("limit") == "" {
			http.Error(w, `{"message":"Bad Request","error":400}`, http.StatusBadRequest)
			return true
		}
		w.Write(payloads.RedditAs(payloads.RedditPostComments, user))
	default:
		return false
	}
	return true
}

// googleRoutes answers like www.googleapis.com, whose /calendar/v3 the
// google plugin's upstream maps here.
func googleRoutes(w http.ResponseWriter, r *http.Request, user string) bool {
	if r.Method != http.MethodGet {
		return false
	}
	switch r.URL.Path {
	case "/calendar/v3/calendars/primary/events":
		// 50 events of events.list with singleEvents=true (120 KB), its
		// user's address renamed user@example.com. Without singleEvents,
		// Calendar refuses orderBy=startTime.
		q := r.URL.Query()
		if q.Get("timeMin") == "" || q.Get("maxResults") == "" ||
			q.Get("orderBy") == "startTime" && q.Get("singleEvents") != "true" {
			http.Error(w, `{"error":{"code":400,"message":"Invalid request.","errors":[{"message":"Invalid request.","domain":"global","reason":"badRequest"}],"status":"INVALID_ARGUMENT"}}`,
				http.StatusBadRequest)
			return true
		}
		w.Write(payloads.GoogleAs(payloads.GoogleCalendarEvents, user))
	default:
		return false
	}
	return true
}
