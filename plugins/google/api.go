package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/wasmcp/wasmcp/pdk"
)

// The three APIs the plugin calls, each declared down to its version's
// path, so that the host sends the Google token nowhere else.
const (
	gmailBase    = "https://gmail.googleapis.com/gmail/v1"
	calendarBase = "https://www.googleapis.com/calendar/v3"
	driveBase    = "https://www.googleapis.com/drive/v3"
)

// The OAuth scopes the tools need, the narrowest Google offers for what
// they read. (gmail.metadata would do for the headers, but it forbids q.)
const (
	scopeGmail    = "https://www.googleapis.com/auth/gmail.readonly"
	scopeCalendar = "https://www.googleapis.com/auth/calendar.readonly"
	scopeDrive    = "https://www.googleapis.com/auth/drive.readonly"
)

// headers go with every request.
var headers = map[string]string{
	"Accept":     "application/json",
	"User-Agent": "wasmcp-google-plugin/" + version,
}

// target is one request: the resource it reads, for a 404's message
// ("Gmail message 18c2f"), the scope it needs, for a 403's, and its URL.
type target struct {
	what, scope string
	base, path  string
	query       url.Values
}

func (t target) url() string {
	u := t.base + t.path
	if len(t.query) > 0 {
		u += "?" + t.query.Encode()
	}
	return u
}

// get sends GET t with the plugin's headers, asking the host to select sel
// ("" for none), checks the answer, and decodes it into out unless out is
// nil.
func get(c *pdk.Call, t target, sel string, out any) (*pdk.Response, error) {
	resp, err := c.HTTP(pdk.Request{URL: t.url(), Headers: headers, Select: sel})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, apiError(t, resp)
	}
	if sel != "" && !resp.Selected {
		return nil, fmt.Errorf("Google answered %d with a body that is not the JSON expected", resp.Status)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
			return nil, fmt.Errorf("Google answered %d with a body that is not the JSON expected: %v", resp.Status, err)
		}
	}
	return resp, nil
}

// googleError is Google's JSON error body (AIP-193, with the v1 "errors"
// list that Gmail, Calendar and Drive still send).
type googleError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Errors  []struct {
			Reason string `json:"reason"`
		} `json:"errors"`
		Details []struct {
			Reason string `json:"reason"`
		} `json:"details"`
	} `json:"error"`
}

// reasons returns the error's machine-readable reasons.
func (g googleError) reasons() []string {
	var r []string
	for _, e := range g.Error.Errors {
		r = append(r, e.Reason)
	}
	for _, d := range g.Error.Details {
		r = append(r, d.Reason)
	}
	return r
}

// rateReasons are the reasons of a 403 (or 429) that is a rate limit or a
// quota, not a lack of permission.
var rateReasons = map[string]bool{
	"rateLimitExceeded": true, "userRateLimitExceeded": true, "dailyLimitExceeded": true,
	"quotaExceeded": true, "RATE_LIMIT_EXCEEDED": true,
}

// scopeReasons are the reasons of a 403 for a token without a needed scope.
var scopeReasons = map[string]bool{
	"insufficientPermissions": true, "ACCESS_TOKEN_SCOPE_INSUFFICIENT": true,
}

// apiError is the error for a Google answer other than 2xx: pdk.CheckStatus's
// words, with what Google's body and headers add: what was not found (404),
// the scope the token lacks (403 insufficientPermissions, or
// WWW-Authenticate's error="insufficient_scope" with the scopes Google would
// take), that a 403 is a rate limit or quota and when to retry, and an
// excerpt of Google's message.
func apiError(t target, resp *pdk.Response) error {
	err := pdk.CheckStatus("Google", resp)
	var g googleError
	_ = json.Unmarshal([]byte(resp.Body), &g)
	reasons := g.reasons()
	has := func(set map[string]bool) string {
		for _, r := range reasons {
			if set[r] {
				return r
			}
		}
		return ""
	}
	var b strings.Builder
	if resp.Status == 404 {
		b.WriteString(t.what + " was not found: ")
	}
	b.WriteString(err.Error())
	ch, _ := resp.Challenge()
	switch {
	case resp.Status == 403 && has(rateReasons) != "":
		fmt.Fprintf(&b, ". This is a rate limit or quota (%s), not a permission", has(rateReasons))
		if se, ok := err.(*pdk.StatusError); !ok || !se.RateLimited {
			b.WriteString("; wait before retrying, backing off exponentially")
		}
	case resp.Status == 403 && (has(scopeReasons) != "" || ch.Error == "insufficient_scope"):
		b.WriteString(". The token lacks the OAuth scope this tool needs: " + t.scope)
		if len(ch.Scope) > 0 {
			b.WriteString(" (Google accepts any of: " + strings.Join(ch.Scope, " ") + ")")
		}
		b.WriteString("; reconnect Google granting it")
	}
	if m := excerpt(g.Error.Message); m != "" {
		fmt.Fprintf(&b, ". Google said: %q", m)
	}
	return &toolError{msg: b.String(), err: err, reasons: reasons}
}

// toolError is an API error as the model reads it; it wraps the
// *pdk.StatusError, and keeps Google's reasons for the tool.
type toolError struct {
	msg     string
	err     error
	reasons []string
}

func (e *toolError) Error() string { return e.msg }
func (e *toolError) Unwrap() error { return e.err }

// excerpt returns a short, single-line excerpt of an API's message.
func excerpt(m string) string {
	m = strings.Join(strings.FieldsFunc(m, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	m, cut := pdk.CutRunes(m, 200)
	if cut {
		m += "…"
	}
	return m
}
