package auth

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The four error objects of the reference design, verbatim.
const (
	refMissing = `{
  "error": "missing_parameters",
  "message": "Missing required OAuth parameters for reddit",
  "provider": "reddit",
  "details": "Required: userId, userToken, providerId. Missing: userToken"
}`
	refMismatch = `{
  "error": "provider_mismatch",
  "message": "This tool requires reddit authentication",
  "provider": "reddit",
  "details": "Received providerId: github"
}`
	refAPI = `{
  "error": "api_error",
  "message": "Failed to exchange token with reddit backend",
  "provider": "reddit",
  "details": "Backend API request timed out"
}`
	refInvalid = `{
  "error": "invalid_parameter",
  "message": "Invalid userToken format for reddit",
  "provider": "reddit",
  "details": "userToken must be a non-empty string"
}`
)

// TestReferenceErrorObjects produces each error of the reference design the
// way the host meets it, and checks that Object and JSON encoding carry the
// reference's fields with its exact values, plus only status and retryable.
func TestReferenceErrorObjects(t *testing.T) {
	slow := newBackendServer(t, hangHandler(time.Minute))
	timeoutBackend := newTestBackend(t, slow.URL, nil, func(c *BackendConfig) { c.Timeout = 30 * time.Millisecond })

	tests := []struct {
		name string
		ref  string
		get  func() *Error
	}{
		{"missing_parameters", refMissing, func() *Error {
			_, e := ValidateMeta(map[string]any{"userId": "user_123", "providerId": "reddit"}, "reddit")
			return e
		}},
		{"provider_mismatch", refMismatch, func() *Error {
			_, e := ValidateMeta(map[string]any{"userId": "user_123", "userToken": "temp_token_abc456", "providerId": "github"}, "reddit")
			return e
		}},
		{"api_error", refAPI, func() *Error {
			_, e := timeoutBackend.Exchange(t.Context(), testCreds)
			return e
		}},
		{"invalid_parameter", refInvalid, func() *Error {
			_, e := ValidateMeta(map[string]any{"userId": "user_123", "userToken": "", "providerId": "reddit"}, "reddit")
			return e
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ref map[string]any
			if err := json.Unmarshal([]byte(tt.ref), &ref); err != nil {
				t.Fatal(err)
			}
			e := tt.get()
			if e == nil {
				t.Fatal("no error")
			}
			var encoded map[string]any
			raw, _ := json.Marshal(e)
			if err := json.Unmarshal(raw, &encoded); err != nil {
				t.Fatal(err)
			}
			for name, obj := range map[string]map[string]any{"Object": e.Object(), "json": encoded} {
				for k, want := range ref {
					if obj[k] != want {
						t.Errorf("%s[%q] = %v, want %v", name, k, obj[k], want)
					}
				}
				for k := range obj {
					if _, ok := ref[k]; !ok && k != "status" && k != "retryable" {
						t.Errorf("%s has unexpected field %q", name, k)
					}
				}
			}
		})
	}
}

func TestErrorObject(t *testing.T) {
	e := statusError("github", 401)
	want := map[string]any{
		"error":     "api_error",
		"message":   "Failed to exchange token with github backend",
		"provider":  "github",
		"details":   "401 Unauthorized: Invalid or expired temp token",
		"status":    401,
		"retryable": false,
	}
	if got := e.Object(); !reflect.DeepEqual(got, want) {
		t.Errorf("Object() = %v\nwant %v", got, want)
	}
	if _, ok := apiError("github", "x", 0, true).Object()["status"]; ok {
		t.Error("Object() has status 0, want it omitted")
	}
	raw, _ := json.Marshal(apiError("github", "x", 0, true))
	if strings.Contains(string(raw), "status") {
		t.Errorf("JSON %s has status 0, want it omitted", raw)
	}
	if got, want := e.Error(), "api_error: Failed to exchange token with github backend: 401 Unauthorized: Invalid or expired temp token"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := (*Error)(nil).Error(); got != "<nil>" {
		t.Errorf("nil Error() = %q", got)
	}
}

func TestStatusError(t *testing.T) {
	tests := []struct {
		status    int
		details   string
		retryable bool
	}{
		{401, "401 Unauthorized: Invalid or expired temp token", false},
		{403, "403 Forbidden: User not authorized for provider", false},
		{404, "404 Not Found: Provider not configured", false},
		{500, "500 Internal Server Error: Backend error", true},
		{502, "Backend API returned status 502", true},
		{503, "Backend API returned status 503", true},
		{429, "Backend API returned status 429", true},
		{418, "Backend API returned status 418", false},
		{302, "Backend API returned status 302", false},
	}
	for _, tt := range tests {
		e := statusError("reddit", tt.status)
		if e.Details != tt.details || e.Status != tt.status || e.Retryable != tt.retryable || e.Code != CodeAPIError {
			t.Errorf("statusError(%d) = %+v, want details %q retryable %v", tt.status, *e, tt.details, tt.retryable)
		}
	}
}

func TestSanitizeEcho(t *testing.T) {
	long := strings.Repeat("a", 100)
	tests := []struct{ in, want string }{
		{"github", "github"},
		{"", ""},
		{"Google Drive", "Google Drive"},
		{"réddit✓", "réddit✓"},
		{"a\nb", "a\uFFFDb"},
		{"a\x1b[31mb", "a\uFFFD[31mb"},
		{"evil\u202Etxt", "evil\uFFFDtxt"},
		{"a\xffb", "a\uFFFDb"},
		{long, strings.Repeat("a", 64) + "…"},
		{strings.Repeat("a", 63) + "é", strings.Repeat("a", 63) + "…"},
		{strings.Repeat("a", 64), strings.Repeat("a", 64)},
	}
	for _, tt := range tests {
		if got := sanitizeEcho(tt.in); got != tt.want {
			t.Errorf("sanitizeEcho(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
