package pdk

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// StatusError is the error of CheckStatus: an API answered with a status
// other than 2xx. Its text, written for the model, says what the status means
// and what may help, and quotes a short excerpt of the API's own message
// when the body is JSON with one. It never quotes response headers.
type StatusError struct {
	// Status is the HTTP status code.
	Status int
	// RateLimited reports whether the API said a rate limit was exceeded
	// (429, or 403 with an exhausted X-RateLimit-Remaining or a Retry-After).
	RateLimited bool
	msg         string
}

func (e *StatusError) Error() string { return e.msg }

// CheckStatus returns nil if resp's status is 2xx, and a *StatusError
// otherwise. service names the API for the model ("GitHub", "Reddit"), as in:
//
//	GitHub API returned 401 Unauthorized: the access token was rejected; the
//	user may need to reconnect GitHub. GitHub said: "Bad credentials"
//
// For a rate limit, the text gives the wait the API asked for, from
// Retry-After (seconds or a date) or X-RateLimit-Reset (an epoch time, as
// GitHub sends, or seconds to wait, as Reddit sends).
func CheckStatus(service string, resp *Response) error {
	if resp.OK() {
		return nil
	}
	e := &StatusError{Status: resp.Status, RateLimited: isRateLimited(resp)}
	var b strings.Builder
	fmt.Fprintf(&b, "%s API returned %d", service, resp.Status)
	if t := statusText[resp.Status]; t != "" {
		b.WriteString(" " + t)
	}
	b.WriteString(": " + explainStatus(service, resp, e.RateLimited))
	if m := apiMessage(resp.Body); m != "" {
		fmt.Fprintf(&b, ". %s said: %q", service, m)
	}
	e.msg = b.String()
	return e
}

// explainStatus says what a status means for the user, in words.
func explainStatus(service string, resp *Response, rateLimited bool) string {
	switch s := resp.Status; {
	case rateLimited:
		return "the rate limit was exceeded; " + retryHint(resp)
	case s == 400:
		return "the API rejected the request as malformed"
	case s == 401:
		return "the access token was rejected; the user may need to reconnect " + service
	case s == 403:
		return "access was denied; the token may lack a needed permission or scope, or the account may not be allowed to do this"
	case s == 404:
		return "the resource was not found, or the token cannot see it"
	case s == 410:
		return "the resource is gone"
	case s >= 400 && s <= 499:
		return "the API refused the request"
	case s == 503 && resp.Header("Retry-After") != "":
		return service + " is unavailable; " + retryHint(resp)
	case s >= 500 && s <= 599:
		return service + " had a server error or is unavailable; try again later"
	default:
		return "the API answered with an unexpected status"
	}
}

// isRateLimited reports whether resp says a rate limit was exceeded. GitHub
// answers its limits with 403 as well as 429.
func isRateLimited(resp *Response) bool {
	switch resp.Status {
	case 429:
		return true
	case 403:
		rem := strings.TrimSpace(resp.Header("X-RateLimit-Remaining"))
		if f, err := strconv.ParseFloat(rem, 64); err == nil && f <= 0 {
			return true
		}
		return resp.Header("Retry-After") != ""
	}
	return false
}

// httpDate is the layout of an HTTP-date (RFC 9110), net/http's TimeFormat.
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// retryHint says how long to wait, from the headers that say so. Header values
// are parsed and reprinted, never copied.
func retryHint(resp *Response) string {
	if v := strings.TrimSpace(resp.Header("Retry-After")); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			return fmt.Sprintf("retry after %d seconds", n)
		}
		if t, err := time.Parse(httpDate, v); err == nil {
			return "retry after " + t.UTC().Format(time.RFC3339)
		}
	}
	if v := strings.TrimSpace(resp.Header("X-RateLimit-Reset")); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
			// Epoch seconds (GitHub) are large; seconds to wait (Reddit)
			// are small. The guest's clock may be fixed, so an epoch time
			// is reported as a time, not turned into a wait.
			if f > 1e9 {
				return "the limit resets at " + time.Unix(int64(f), 0).UTC().Format(time.RFC3339)
			}
			return fmt.Sprintf("the limit resets in %d seconds", int64(f+0.5))
		}
	}
	return "wait before retrying"
}

// maxAPIMessage caps the excerpt of an API's message, in runes.
const maxAPIMessage = 200

// apiMessage returns a short, single-line excerpt of the message in an
// API's JSON error body ("message", else "error_description", else a string
// "error"), or "" if there is none.
func apiMessage(body string) string {
	var v map[string]any
	if json.Unmarshal([]byte(body), &v) != nil {
		return ""
	}
	var m string
	for _, k := range []string{"message", "error_description", "error"} {
		if s, ok := v[k].(string); ok && strings.TrimSpace(s) != "" {
			m = s
			break
		}
	}
	m = strings.Join(strings.FieldsFunc(m, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if r := []rune(m); len(r) > maxAPIMessage {
		m = string(r[:maxAPIMessage]) + "…"
	}
	return m
}

// statusText names the statuses an API commonly answers with. (net/http has
// the full table, but costs a plugin megabytes.)
var statusText = map[int]string{
	301: "Moved Permanently",
	302: "Found",
	304: "Not Modified",
	400: "Bad Request",
	401: "Unauthorized",
	403: "Forbidden",
	404: "Not Found",
	405: "Method Not Allowed",
	409: "Conflict",
	410: "Gone",
	422: "Unprocessable Entity",
	429: "Too Many Requests",
	500: "Internal Server Error",
	501: "Not Implemented",
	502: "Bad Gateway",
	503: "Service Unavailable",
	504: "Gateway Timeout",
}
