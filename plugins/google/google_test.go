package main

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// wantHeaders are the headers every request must carry, exactly.
var wantHeaders = map[string]string{
	"Accept":     "application/json",
	"User-Agent": "wasmcp-google-plugin/0.1.0",
}

// wantRequests checks that h saw exactly these GETs, with wantHeaders.
func wantRequests(t *testing.T, h *pdktest.Host, want ...abi.HTTPRequest) {
	t.Helper()
	for i := range want {
		want[i].Method, want[i].Headers = "GET", wantHeaders
	}
	if got := h.Requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("requests =\n%+v\nwant\n%+v", got, want)
	}
}

func TestDescriptor(t *testing.T) {
	d := plugin.Descriptor()
	if d.ABIVersion != abi.Version || d.Name != "google" || d.Provider != "google" ||
		!reflect.DeepEqual(d.Hosts, []string{"https://gmail.googleapis.com/gmail/v1", "https://www.googleapis.com/calendar/v3", "https://www.googleapis.com/drive/v3"}) {
		t.Errorf("descriptor = %+v", d)
	}
	var names []string
	for _, tool := range d.Tools {
		names = append(names, tool.Name)
		if tool.InputSchema["type"] != "object" || tool.InputSchema["additionalProperties"] != false {
			t.Errorf("tool %s: schema %v is not a closed object schema", tool.Name, tool.InputSchema)
		}
	}
	want := []string{"search_gmail_messages", "get_gmail_message", "list_calendar_events", "search_drive_files", "get_drive_file"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("tools = %v, want %v", names, want)
	}
}

// TestSchemas: the host accepts the tools' schemas, and every tool declares
// itself a read-only tool with an output schema.
func TestSchemas(t *testing.T) {
	pdktest.Check(t, plugin)
	for _, tool := range plugin.Descriptor().Tools {
		a := tool.Annotations
		if a == nil || a.Title == "" || a.ReadOnlyHint == nil || !*a.ReadOnlyHint || a.DestructiveHint == nil || *a.DestructiveHint ||
			a.OpenWorldHint == nil || !*a.OpenWorldHint {
			t.Errorf("tool %s: annotations %+v, want a titled read-only open-world tool", tool.Name, a)
		}
		if tool.OutputSchema["type"] != "object" {
			t.Errorf("tool %s: output schema %v", tool.Name, tool.OutputSchema)
		}
	}
}

// googleErr is Google's error body for status, reason and message.
func googleErr(code int, status, reason, msg string) string {
	return `{"error": {"code": ` + strconv.Itoa(code) + `, "message": "` + msg + `", "errors": [{"message": "` + msg +
		`", "domain": "global", "reason": "` + reason + `"}], "status": "` + status + `"}}`
}

// testErrors runs the API failures every tool reports, for tool with args
// (what is the resource a 404 must name, scope the scope a 403 must name).
func testErrors(t *testing.T, tool string, args any, what, scope string) {
	t.Helper()
	scopeBody := `{"error": {"code": 403, "message": "Request had insufficient authentication scopes.", "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}], "status": "PERMISSION_DENIED",
	  "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com", "metadata": {"service": "x.googleapis.com"}}]}}`
	for _, tt := range []struct {
		name    string
		status  int
		headers map[string]string
		body    string
		want    []string
	}{
		{"401", 401, map[string]string{"WWW-Authenticate": `Bearer realm="https://accounts.google.com/", error="invalid_token"`},
			googleErr(401, "UNAUTHENTICATED", "authError", "Request had invalid authentication credentials."),
			[]string{"Google API returned 401 Unauthorized", "reconnect Google", `Google said: "Request had invalid authentication credentials."`}},
		{"403 scope", 403, map[string]string{"WWW-Authenticate": `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="` + scope + ` https://www.googleapis.com/auth/cloud-platform"`},
			scopeBody, []string{"403 Forbidden", "The token lacks the OAuth scope this tool needs: " + scope + " (Google accepts any of: " + scope + " https://www.googleapis.com/auth/cloud-platform); reconnect Google granting it"}},
		{"403 scope, body only", 403, nil, scopeBody, []string{"The token lacks the OAuth scope this tool needs: " + scope + "; reconnect"}},
		{"403 rate", 403, nil, googleErr(403, "PERMISSION_DENIED", "userRateLimitExceeded", "User Rate Limit Exceeded"),
			[]string{"403 Forbidden", "rate limit or quota (userRateLimitExceeded)", "backing off exponentially"}},
		{"403 other", 403, nil, googleErr(403, "PERMISSION_DENIED", "forbidden", "The caller does not have permission"),
			[]string{"403 Forbidden", "access was denied", `Google said: "The caller does not have permission"`}},
		{"404", 404, nil, googleErr(404, "NOT_FOUND", "notFound", "Requested entity was not found."),
			[]string{what + " was not found: Google API returned 404 Not Found"}},
		{"429", 429, map[string]string{"Retry-After": "30"}, googleErr(429, "RESOURCE_EXHAUSTED", "rateLimitExceeded", "Too many requests"),
			[]string{"429 Too Many Requests", "retry after 30 seconds"}},
		{"500", 500, nil, "<html>oops</html>", []string{"500 Internal Server Error", "try again later"}},
		{"503", 503, nil, googleErr(503, "UNAVAILABLE", "backendError", "The service is currently unavailable."), []string{"503 Service Unavailable", "try again later"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := pdktest.NewHost(plugin, pdktest.Reply(tt.status, tt.headers, tt.body))
			msg := pdktest.WantToolError(t, h.Call(t, tool, args), tt.want...)
			if strings.Contains(msg, "<html>") {
				t.Errorf("message %q quotes a non-JSON body", msg)
			}
		})
	}
}

func TestHostFailure(t *testing.T) {
	h := pdktest.NewHost(plugin, func(abi.HTTPRequest) abi.HTTPResponse {
		return abi.HTTPResponse{Error: abi.ErrTooManyRequests, ErrorMessage: "the call may make at most 16 requests"}
	})
	res := h.Call(t, "search_drive_files", nil)
	if want := "the HTTP request failed (too_many_requests): the call may make at most 16 requests"; !res.IsError || res.Message != want {
		t.Errorf("result = %+v, want message %q", res, want)
	}
}
