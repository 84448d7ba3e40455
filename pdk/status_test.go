package pdk

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckStatus(t *testing.T) {
	h := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		resp    Response
		want    string
		limited bool
	}{
		{"200", Response{Status: 200}, "", false},
		{"204", Response{Status: 204}, "", false},
		{"400", Response{Status: 400, Body: `{"message":"Problems parsing JSON"}`},
			`GitHub API returned 400 Bad Request: the API rejected the request as malformed. GitHub said: "Problems parsing JSON"`, false},
		{"401", Response{Status: 401, Body: `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`},
			`GitHub API returned 401 Unauthorized: the access token was rejected; the user may need to reconnect GitHub. GitHub said: "Bad credentials"`, false},
		{"403", Response{Status: 403, Headers: h("X-RateLimit-Remaining", "4999"), Body: `{"message":"Resource not accessible by integration"}`},
			`GitHub API returned 403 Forbidden: access was denied; the token may lack a needed permission or scope, or the account may not be allowed to do this. GitHub said: "Resource not accessible by integration"`, false},
		{"403 primary rate limit", Response{Status: 403, Headers: h("x-ratelimit-remaining", "0", "x-ratelimit-reset", "1700000000"), Body: `{"message":"API rate limit exceeded for user ID 1."}`},
			`GitHub API returned 403 Forbidden: the rate limit was exceeded; the limit resets at 2023-11-14T22:13:20Z. GitHub said: "API rate limit exceeded for user ID 1."`, true},
		{"403 secondary rate limit", Response{Status: 403, Headers: h("Retry-After", "60")},
			`GitHub API returned 403 Forbidden: the rate limit was exceeded; retry after 60 seconds`, true},
		{"404", Response{Status: 404, Body: `{"message":"Not Found"}`},
			`GitHub API returned 404 Not Found: the resource was not found, or the token cannot see it. GitHub said: "Not Found"`, false},
		{"410", Response{Status: 410}, `GitHub API returned 410 Gone: the resource is gone`, false},
		{"422", Response{Status: 422}, `GitHub API returned 422 Unprocessable Entity: the API refused the request`, false},
		{"418 unnamed", Response{Status: 418}, `GitHub API returned 418: the API refused the request`, false},
		{"429 retry-after seconds", Response{Status: 429, Headers: h("Retry-After", "30")},
			`GitHub API returned 429 Too Many Requests: the rate limit was exceeded; retry after 30 seconds`, true},
		{"429 retry-after date", Response{Status: 429, Headers: h("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")},
			`GitHub API returned 429 Too Many Requests: the rate limit was exceeded; retry after 2015-10-21T07:28:00Z`, true},
		{"429 reddit reset seconds", Response{Status: 429, Headers: h("X-Ratelimit-Remaining", "0.0", "X-Ratelimit-Reset", "143"), Body: `{"message":"Too Many Requests","error":429}`},
			`GitHub API returned 429 Too Many Requests: the rate limit was exceeded; the limit resets in 143 seconds. GitHub said: "Too Many Requests"`, true},
		{"429 no hint", Response{Status: 429, Body: "<html>slow down</html>"},
			`GitHub API returned 429 Too Many Requests: the rate limit was exceeded; wait before retrying`, true},
		{"500", Response{Status: 500}, `GitHub API returned 500 Internal Server Error: GitHub had a server error or is unavailable; try again later`, false},
		{"502 html", Response{Status: 502, Body: "<html>bad gateway</html>"},
			`GitHub API returned 502 Bad Gateway: GitHub had a server error or is unavailable; try again later`, false},
		{"503 retry-after", Response{Status: 503, Headers: h("Retry-After", "120")},
			`GitHub API returned 503 Service Unavailable: GitHub is unavailable; retry after 120 seconds`, false},
		{"302", Response{Status: 302}, `GitHub API returned 302 Found: the API answered with an unexpected status`, false},
		{"oauth error", Response{Status: 401, Body: `{"error":"invalid_token","error_description":"The token\nexpired."}`},
			`GitHub API returned 401 Unauthorized: the access token was rejected; the user may need to reconnect GitHub. GitHub said: "The token expired."`, false},
		{"numeric error only", Response{Status: 401, Body: `{"error":401}`},
			`GitHub API returned 401 Unauthorized: the access token was rejected; the user may need to reconnect GitHub`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckStatus("GitHub", &tt.resp)
			if got := errString(err); got != tt.want {
				t.Fatalf("CheckStatus() =\n%q\nwant\n%q", got, tt.want)
			}
			if err == nil {
				return
			}
			var se *StatusError
			if !errors.As(err, &se) || se.Status != tt.resp.Status || se.RateLimited != tt.limited {
				t.Errorf("error = %#v, want a *StatusError with Status %d, RateLimited %v", err, tt.resp.Status, tt.limited)
			}
		})
	}
}

func TestCheckStatusNeverEchoesHeaders(t *testing.T) {
	resp := &Response{Status: 429, Headers: map[string]string{
		"Retry-After":       "secret-value",
		"X-RateLimit-Reset": "another-secret",
		"Set-Cookie":        "session=secret",
	}}
	msg := CheckStatus("Reddit", resp).Error()
	if strings.Contains(msg, "secret") {
		t.Errorf("message quotes a header: %q", msg)
	}
}

func TestAPIMessageExcerpt(t *testing.T) {
	long := strings.Repeat("é", 300)
	got := apiMessage(`{"message":"` + long + `"}`)
	if want := strings.Repeat("é", maxAPIMessage) + "…"; got != want {
		t.Errorf("apiMessage() = %q (%d runes), want %d runes and an ellipsis", got, len([]rune(got)), maxAPIMessage)
	}
	if got := apiMessage("  line one\r\n\tline\x00two  "); got != "" {
		t.Errorf("apiMessage(non-JSON) = %q, want empty", got)
	}
	if got := apiMessage(`{"message":"  line one\r\n\tline\u0000two  "}`); got != "line one line two" {
		t.Errorf("apiMessage() = %q, want it on one line", got)
	}
}
