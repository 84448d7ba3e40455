package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/wasmcp/wasmcp/pdk"
)

// access is what a request needs of the token, in the words of GitHub's
// two permission models: the OAuth scopes of an OAuth app or classic token,
// and the permissions of a fine-grained token or GitHub App.
type access struct {
	scopes string // "repo (or public_repo for public repositories)"
	fine   string // "Issues: write"
}

// The access of the plugin's requests, as GitHub's REST reference states it.
var (
	readUser    = access{"read:user (or user)", "none beyond the token itself"}
	readRepos   = access{"repo for private repositories; public ones need none", "Metadata: read"}
	readCode    = access{"repo for private repositories; public ones need none", "Contents: read"}
	readIssues  = access{"repo for private repositories; public ones need none", "Issues: read"}
	readPulls   = access{"repo for private repositories; public ones need none", "Pull requests: read"}
	readNotifs  = access{"notifications (or repo)", "not available: notifications need an OAuth app or classic token"}
	writeIssues = access{"repo (or public_repo for public repositories)", "Issues: write"}
)

// statusError, made by apiError, is the error of a GitHub answer with a status other than 2xx:
// pdk.CheckStatus's text (the status in words, the rate-limit wait from
// Retry-After or X-RateLimit-Reset, GitHub's own message), and what GitHub
// adds: a 404 says what was not found, a 403 which scope or permission the
// request needs, a 422 which fields GitHub refused, and a secondary rate
// limit (a 403 or 429 with no header saying when) to wait a minute.
type statusError struct {
	Status      int
	RateLimited bool
	msg         string
}

func (e *statusError) Error() string { return e.msg }

func apiError(resp *pdk.Response, e endpoint) error {
	var se *pdk.StatusError
	if !errors.As(pdk.CheckStatus("GitHub", resp), &se) {
		return fmt.Errorf("GitHub answered %d", resp.Status)
	}
	body := errorBody(resp.Body)
	err := &statusError{Status: resp.Status, RateLimited: se.RateLimited, msg: se.Error()}
	switch {
	case !se.RateLimited && (resp.Status == 403 || resp.Status == 429) && strings.Contains(strings.ToLower(body.Message), "secondary rate limit"):
		// GitHub's secondary limits may come with no header; its advice
		// is then to wait at least a minute.
		err.RateLimited = true
		err.msg = fmt.Sprintf("GitHub API returned %d: a secondary rate limit was exceeded (too many requests at once or too fast); wait at least a minute before retrying, and make fewer calls at a time", resp.Status)
	case se.RateLimited:
	case resp.Status == 404 && e.what != "":
		err.msg += fmt.Sprintf(". Not found: %s. GitHub also answers 404 when the token may not see a private resource (it needs %s)", e.what, e.needs.describe())
	case resp.Status == 403:
		err.msg += ". " + scopeHint(resp, e.needs)
	case resp.Status == 422:
		if f := body.fields(); f != "" {
			err.msg += ". GitHub refused: " + f
		}
	}
	return err
}

// describe says what a requests needs, in both models.
func (a access) describe() string {
	return "OAuth scope " + a.scopes + "; fine-grained permission " + a.fine
}

// scopeHint names the scope or permission a 403 lacks: from the headers
// GitHub sends (X-Accepted-OAuth-Scopes with X-OAuth-Scopes, the token's;
// X-Accepted-GitHub-Permissions), else from what the request needs. Header
// values are parsed and reprinted, only the names of scopes and
// permissions, never copied.
func scopeHint(resp *pdk.Response, a access) string {
	accepted := names(resp.Header("X-Accepted-OAuth-Scopes"), ",")
	perms := names(resp.Header("X-Accepted-GitHub-Permissions"), ";")
	var b strings.Builder
	switch {
	case len(accepted) > 0:
		fmt.Fprintf(&b, "This request needs the OAuth scope %s", strings.Join(accepted, " or "))
		if hasHeader(resp, "X-OAuth-Scopes") {
			has := names(resp.Header("X-OAuth-Scopes"), ",")
			if len(has) == 0 {
				has = []string{"none"}
			}
			fmt.Fprintf(&b, "; the token has %s", strings.Join(has, ", "))
		}
	case len(perms) > 0:
		fmt.Fprintf(&b, "This request needs the fine-grained permission %s", strings.Join(perms, " or "))
	default:
		fmt.Fprintf(&b, "This request needs the %s", a.describe())
	}
	b.WriteString("; the user may need to reconnect GitHub granting it, or may lack access to this repository")
	return b.String()
}

// hasHeader reports whether resp has the header name, even empty (a token
// with no scope gets "X-OAuth-Scopes: ").
func hasHeader(resp *pdk.Response, name string) bool {
	for k := range resp.Headers {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// nameRE is a scope ("repo", "read:org", "admin:repo_hook") or a
// permission set ("issues=write,pull_requests=read").
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_:=,-]{0,79}$`)

// names splits a header value at sep and keeps the names nameRE accepts,
// at most 8.
func names(v, sep string) []string {
	var out []string
	for s := range strings.SplitSeq(v, sep) {
		s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
		if nameRE.MatchString(s) && len(out) < 8 {
			out = append(out, s)
		}
	}
	return out
}

// ghError is GitHub's error body: a message, and for a 422 the fields at
// fault.
type ghError struct {
	Message string `json:"message"`
	Errors  []struct {
		Resource string `json:"resource"`
		Field    string `json:"field"`
		Code     string `json:"code"`
		Message  string `json:"message"`
	} `json:"errors"`
}

func errorBody(body string) ghError {
	var g ghError
	json.Unmarshal([]byte(body), &g)
	return g
}

// fieldRE is a resource, field or code name as GitHub writes them.
var fieldRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_ -]{0,39}$`)

// fields lists the fields of a 422, "field (code)", at most 5; a message
// GitHub gives instead of a field is left to the "GitHub said" excerpt.
func (g ghError) fields() string {
	var out []string
	for _, e := range g.Errors {
		if len(out) == 5 {
			break
		}
		if fieldRE.MatchString(e.Field) && fieldRE.MatchString(e.Code) {
			s := e.Field + " (" + e.Code + ")"
			if fieldRE.MatchString(e.Resource) {
				s = e.Resource + "." + s
			}
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}
