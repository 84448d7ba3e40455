package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/wasmcp/wasmcp/pdk"
)

// scopeRead is the OAuth scope of every tool that reads posts and comments.
const scopeRead = "read"

// fetch sends GET apiBase+path?q with the plugin's headers, asking the host
// to select sel, checks the answer and decodes it into out. what names the
// resource for the model ("subreddit r/golang"), in a 404's message; scope
// is the OAuth scope the endpoint needs, named in a 403's.
func fetch(c *pdk.Call, what, scope, path string, q url.Values, sel string, out any) error {
	u := apiBase + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	resp, err := c.HTTP(pdk.Request{URL: u, Headers: headers, Select: sel})
	if err != nil {
		return err
	}
	if !resp.OK() {
		return apiError(what, scope, resp)
	}
	if sel != "" && !resp.Selected {
		return fmt.Errorf("Reddit answered %d with a body that is not the JSON expected", resp.Status)
	}
	if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
		return fmt.Errorf("Reddit answered %d with a body that is not the JSON expected: %v", resp.Status, err)
	}
	return nil
}

// apiError is pdk.CheckStatus's error for resp, with what Reddit's answer
// adds: what was not found, the reason a subreddit refused access (the
// "reason" of Reddit's 403 and 404 bodies), and the scope a token lacks
// (WWW-Authenticate: Bearer error="insufficient_scope"). Only known reasons
// are put in words; Reddit's text is never copied, beyond CheckStatus's
// excerpt of its message.
func apiError(what, scope string, resp *pdk.Response) error {
	err := pdk.CheckStatus("Reddit", resp)
	var body struct {
		Reason string `json:"reason"`
	}
	_ = json.Unmarshal([]byte(resp.Body), &body)
	var extra []string
	switch body.Reason {
	case "private":
		extra = append(extra, what+" is private: only its approved users can read it")
	case "quarantined":
		extra = append(extra, what+" is quarantined: the account must opt in to view it on reddit.com first")
	case "gold_only":
		extra = append(extra, what+" is only for Reddit Premium members")
	case "banned":
		extra = append(extra, what+" has been banned by Reddit")
	}
	if ch, ok := resp.Challenge(); ok && ch.Error == "insufficient_scope" {
		s := "the token lacks the OAuth scope this tool needs: " + scope
		if len(ch.Scope) > 0 {
			s += " (Reddit asks for: " + strings.Join(ch.Scope, " ") + ")"
		}
		extra = append(extra, s+"; reconnect Reddit granting it")
	}
	msg := err.Error()
	if resp.Status == 404 {
		msg = what + " was not found: " + msg
	}
	if len(extra) > 0 {
		msg += ". " + strings.Join(extra, ". ")
	}
	return &toolError{msg: msg, err: err}
}

// toolError is an API error as the model reads it; it wraps the
// *pdk.StatusError.
type toolError struct {
	msg string
	err error
}

func (e *toolError) Error() string { return e.msg }
func (e *toolError) Unwrap() error { return e.err }
