package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/wasmcp/wasmcp/internal/secret"
)

const (
	// maxAttempts is the first try plus one retry.
	maxAttempts = 2
	// minAttemptBudget is the least time a retry must have left, after its
	// backoff, for it to be worth starting (capped by the attempt timeout).
	minAttemptBudget = 250 * time.Millisecond
	// MaxResponseBytes caps how much of a backend response body is read. A
	// longer 200 body is an api_error; other bodies are discarded unread.
	MaxResponseBytes = 64 << 10
)

// detailsTimeout is the reference design's details for a timed-out exchange.
const detailsTimeout = "Backend API request timed out"

// exchangeRequest is the body of the exchange request: these three fields
// and nothing else.
type exchangeRequest struct {
	UserID     string `json:"userId"`
	UserToken  string `json:"userToken"`
	ProviderID string `json:"providerId"`
}

// run performs the exchange for c: one attempt, and one retry after a
// jittered backoff when the failure is transient (5xx, timeout, connection
// error) and ctx's deadline leaves room for it.
func (b *Backend) run(ctx context.Context, c Credentials) flightResult {
	// A conversion, not a literal: should Credentials ever gain a field,
	// this stops compiling instead of quietly sending less or more.
	body, err := json.Marshal(exchangeRequest(c))
	if err != nil { // cannot happen: three strings always encode
		return flightResult{err: apiError(c.ProviderID, "Could not encode the backend API request", 0, false)}
	}
	var r flightResult
	for {
		r.attempts++
		var retry bool
		r.token, r.status, r.err, retry = b.attempt(ctx, c, body, r.attempts)
		if r.err == nil || !retry || r.attempts == maxAttempts {
			return r
		}
		delay := jitter(b.backoff)
		need := min(b.timeout, minAttemptBudget)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay+need {
			b.log.LogAttrs(ctx, slog.LevelDebug, "token exchange retry skipped",
				slog.String("userId", c.UserID), slog.String("providerId", c.ProviderID),
				slog.String("reason", "deadline too close"))
			return r
		}
		b.log.LogAttrs(ctx, slog.LevelDebug, "token exchange retry",
			slog.String("userId", c.UserID), slog.String("providerId", c.ProviderID),
			slog.Int64("delay_ms", delay.Milliseconds()))
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return r
		}
	}
}

// jitter draws a wait from [base/2, 3·base/2).
func jitter(base time.Duration) time.Duration {
	return base/2 + rand.N(base)
}

// attempt makes one HTTP request. It returns the token, or the error and
// whether the failure is worth a retry; status is the HTTP status, 0 if no
// response came.
func (b *Backend) attempt(ctx context.Context, c Credentials, body []byte, n int) (token string, status int, e *Error, retry bool) {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	p := c.ProviderID
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.endpoint, bytes.NewReader(body))
	if err != nil { // cannot happen: the endpoint was validated
		return "", 0, apiError(p, "Could not build the backend API request", 0, false), false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", b.userAgent)

	who := []slog.Attr{slog.String("userId", c.UserID), slog.String("providerId", p), slog.Int("attempt", n)}
	b.log.LogAttrs(ctx, slog.LevelDebug, "token exchange request", append(who, slog.String("url", b.logURL))...)
	start := time.Now()
	done := func(status int, details string, cause error) {
		attrs := append(who, slog.Int("status", status), slog.Int64("latency_ms", time.Since(start).Milliseconds()))
		if details != "" {
			attrs = append(attrs, slog.String("details", details))
		}
		if cause != nil {
			// Transport errors name the URL (never its password) and the
			// network failure; the token travels only in the body.
			attrs = append(attrs, slog.String("cause", cause.Error()))
		}
		b.log.LogAttrs(ctx, slog.LevelDebug, "token exchange response", attrs...)
	}

	resp, err := b.client.Do(req)
	if err != nil {
		details, retry := transportFailure(err)
		done(0, details, err)
		return "", 0, apiError(p, details, 0, retry), retry
	}
	defer resp.Body.Close()
	status = resp.StatusCode

	if status != http.StatusOK {
		e := statusError(p, status)
		if status == http.StatusForbidden || status == http.StatusNotFound {
			e.ConnectURL = readConnectURL(resp.Body) // see connecturl.go
		}
		// Drain a bounded part so the connection can be reused; the body is
		// never returned or logged.
		io.Copy(io.Discard, io.LimitReader(resp.Body, MaxResponseBytes))
		done(status, e.Details, nil)
		return "", status, e, status >= 500
	}

	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		details, retry := transportFailure(err)
		done(status, details, err)
		return "", status, apiError(p, details, status, retry), retry
	}
	token, details := parseAccessToken(data)
	if details != "" {
		done(status, details, nil)
		return "", status, apiError(p, details, status, false), false
	}
	done(status, "", nil)
	return token, status, nil, false
}

// parseAccessToken returns the "accessToken" of a 200 response body, or the
// details of the api_error saying why there is none. The details never
// quote the body.
func parseAccessToken(data []byte) (string, string) {
	if len(data) > MaxResponseBytes {
		return "", fmt.Sprintf("Backend API response exceeds %d bytes", MaxResponseBytes)
	}
	if !json.Valid(data) {
		return "", "Backend API response is not valid JSON"
	}
	// A map, not a struct: struct fields would also match "accesstoken".
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil || obj["accessToken"] == nil {
		return "", "Backend API response did not contain an accessToken"
	}
	var token string
	if json.Unmarshal(obj["accessToken"], &token) != nil || strings.TrimSpace(token) == "" {
		return "", "Backend API response accessToken is not a non-empty string"
	}
	if strings.ContainsFunc(token, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		// The token becomes an "Authorization: Bearer" header value.
		return "", "Backend API response accessToken contains control characters"
	}
	if strings.TrimSpace(token) != token {
		// Header values are trimmed on the wire: the API would see, and
		// could echo, a spelling other than the one the host scrubs.
		return "", "Backend API response accessToken has leading or trailing white space"
	}
	if !secret.LongEnough(token) {
		// The host scrubs the token from everything a plugin gets back; so
		// short a value could not be told apart from legitimate data.
		return "", fmt.Sprintf("Backend API response accessToken is shorter than %d characters, too short to be a token", secret.MinLen)
	}
	return token, ""
}
