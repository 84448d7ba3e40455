package auth

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error codes: the "error" field of the reference design's error objects.
const (
	// CodeMissingParameters: one or more of userId, userToken and providerId
	// is absent from _meta.
	CodeMissingParameters = "missing_parameters"
	// CodeInvalidParameter: a parameter is present but not a valid value.
	CodeInvalidParameter = "invalid_parameter"
	// CodeProviderMismatch: providerId is not the tool's provider.
	CodeProviderMismatch = "provider_mismatch"
	// CodeAPIError: the exchange with the backend failed.
	CodeAPIError = "api_error"
)

// Error is a failed validation or exchange. It is meant for the model: the
// host returns Object as the structuredContent of a tool result with isError
// set, not as a JSON-RPC error.
//
// Code, Message, Provider and Details are the reference design's "error",
// "message", "provider" and "details" fields, worded as it words them.
// Status and Retryable are additions. No field ever holds a userToken, an
// access token or a backend response body.
type Error struct {
	// Code is one of the Code* constants.
	Code string `json:"error"`
	// Message is the short sentence of the reference, e.g. "Failed to
	// exchange token with reddit backend".
	Message string `json:"message"`
	// Provider is the provider the tool expects (for an exchange, the
	// providerId it was asked for).
	Provider string `json:"provider"`
	// Details says what exactly went wrong, e.g. "Backend API request timed
	// out".
	Details string `json:"details"`
	// Status is the backend's HTTP status, or 0 when no response was read.
	Status int `json:"status,omitempty"`
	// Retryable reports whether the same call may succeed if repeated later
	// (timeouts, connection failures, 5xx, 429). The host has already
	// retried once where that made sense.
	Retryable bool `json:"retryable"`
	// ConnectURL is the connectUrl of a 403 or 404 answer's body, as the
	// backend wrote it (at most MaxConnectURLBytes), or "". It is not
	// checked here and not part of Object: the host offers it only if it
	// passes the rules of backend.connect_url.
	ConnectURL string `json:"-"`
}

// Error returns "code: message: details".
func (e *Error) Error() string {
	if e == nil {
		return "<nil>"
	}
	return e.Code + ": " + e.Message + ": " + e.Details
}

// Object returns the error as a JSON object for a tool result's
// structuredContent: error, message, provider, details and retryable always,
// status when it is not 0.
func (e *Error) Object() map[string]any {
	m := map[string]any{
		"error":     e.Code,
		"message":   e.Message,
		"provider":  e.Provider,
		"details":   e.Details,
		"retryable": e.Retryable,
	}
	if e.Status != 0 {
		m["status"] = e.Status
	}
	return m
}

// clone returns a copy, so that callers sharing one exchange each own their
// Error.
func (e *Error) clone() *Error {
	if e == nil {
		return nil
	}
	c := *e
	return &c
}

// missingParameters builds the missing_parameters error; missing lists the
// absent keys in the order userId, userToken, providerId.
func missingParameters(provider string, missing []string) *Error {
	return &Error{
		Code:     CodeMissingParameters,
		Message:  "Missing required OAuth parameters for " + provider,
		Provider: provider,
		Details:  "Required: userId, userToken, providerId. Missing: " + strings.Join(missing, ", "),
	}
}

// invalidParameter builds the invalid_parameter error for key; details says
// which rule the value broke, e.g. "userToken must be a non-empty string".
func invalidParameter(provider, key, details string) *Error {
	return &Error{
		Code:     CodeInvalidParameter,
		Message:  "Invalid " + key + " format for " + provider,
		Provider: provider,
		Details:  details,
	}
}

// providerMismatch builds the provider_mismatch error. received is
// attacker-controlled: it is echoed through sanitizeEcho.
func providerMismatch(provider, received string) *Error {
	return &Error{
		Code:     CodeProviderMismatch,
		Message:  "This tool requires " + provider + " authentication",
		Provider: provider,
		Details:  "Received providerId: " + sanitizeEcho(received),
	}
}

// apiError builds an api_error. status is the backend's HTTP status or 0.
func apiError(provider, details string, status int, retryable bool) *Error {
	return &Error{
		Code:      CodeAPIError,
		Message:   "Failed to exchange token with " + provider + " backend",
		Provider:  provider,
		Details:   details,
		Status:    status,
		Retryable: retryable,
	}
}

// statusError is the api_error for a backend answer other than 200. The
// details of 401, 403, 404 and 500 are the meanings the reference design
// gives those statuses.
func statusError(provider string, status int) *Error {
	var details string
	switch status {
	case http.StatusUnauthorized:
		details = "401 Unauthorized: Invalid or expired temp token"
	case http.StatusForbidden:
		details = "403 Forbidden: User not authorized for provider"
	case http.StatusNotFound:
		details = "404 Not Found: Provider not configured"
	case http.StatusInternalServerError:
		details = "500 Internal Server Error: Backend error"
	default:
		details = fmt.Sprintf("Backend API returned status %d", status)
	}
	retryable := status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout
	return apiError(provider, details, status, retryable)
}

// maxEcho is how many bytes of a client-supplied value an error echoes.
const maxEcho = 64

// sanitizeEcho makes a client-supplied value safe to echo in an error: it
// keeps at most maxEcho bytes (cut on a rune boundary, marked with "…"),
// and replaces invalid UTF-8 and every rune that is not graphic (controls,
// format characters, line separators) with U+FFFD. Ordinary values such as
// "github" come back unchanged.
func sanitizeEcho(s string) string {
	var b strings.Builder
	for i, r := range s {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, size = utf8.DecodeRuneInString(s[i:])
		}
		if i+size > maxEcho {
			b.WriteString("…")
			break
		}
		if r == utf8.RuneError || !unicode.IsGraphic(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}
