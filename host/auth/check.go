package auth

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// CheckResult is the outcome of one exchange of a Check run. It holds a
// Fingerprint of the access token, never the token.
type CheckResult struct {
	UserID     string
	ProviderID string
	// OK reports a non-empty access token.
	OK bool
	// Fingerprint identifies the access token when OK.
	Fingerprint string
	// Code, Reason and Status describe a failure: the error code, the
	// error's details (or message), and the backend's HTTP status if any.
	Code   string
	Reason string
	Status int
	// Latency is how long the exchange took.
	Latency time.Duration
}

// Check performs the exchange for each credentials, one after the other, in
// order, and reports each outcome: the logic of "host check", the Go
// counterpart of the reference design's test script. Run it against NewMock
// to check the wiring, or against a Backend to check a real backend.
func Check(ctx context.Context, ex Exchanger, creds []Credentials) []CheckResult {
	results := make([]CheckResult, 0, len(creds))
	for _, c := range creds {
		start := time.Now()
		token, e := ex.Exchange(ctx, c)
		r := CheckResult{UserID: c.UserID, ProviderID: c.ProviderID, Latency: time.Since(start)}
		switch {
		case e != nil:
			r.Code, r.Reason, r.Status = e.Code, e.Details, e.Status
			if r.Reason == "" {
				r.Reason = e.Message
			}
		case token == "":
			r.Code, r.Reason = CodeAPIError, "Exchanger returned an empty access token"
		default:
			r.OK, r.Fingerprint = true, Fingerprint(token)
		}
		results = append(results, r)
	}
	return results
}

// Passed reports whether every result is OK (and there is at least one).
func Passed(results []CheckResult) bool {
	for _, r := range results {
		if !r.OK {
			return false
		}
	}
	return len(results) > 0
}

// WriteReport writes results as a table, one line per exchange, and a
// summary:
//
//	PASS  reddit  user_123  3ms  token 9f86d081
//	FAIL  github  user_123  2ms  api_error (HTTP 401): 401 Unauthorized: Invalid or expired temp token
//
//	2 checks: 1 passed, 1 failed
func WriteReport(w io.Writer, results []CheckResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	passed := 0
	for _, r := range results {
		latency := r.Latency.Round(time.Millisecond).String()
		if r.OK {
			passed++
			fmt.Fprintf(tw, "PASS\t%s\t%s\t%s\ttoken %s\n", r.ProviderID, r.UserID, latency, r.Fingerprint)
			continue
		}
		what := r.Code
		if r.Status != 0 {
			what += " (HTTP " + strconv.Itoa(r.Status) + ")"
		}
		fmt.Fprintf(tw, "FAIL\t%s\t%s\t%s\t%s: %s\n", r.ProviderID, r.UserID, latency, what, r.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d checks: %d passed, %d failed\n", len(results), passed, len(results)-passed)
	return err
}
