package auth

import (
	"strings"
	"testing"
)

// meta builds a _meta with the reference example's values, then applies
// kv: a key with value del removes it.
func meta(kv ...any) map[string]any {
	m := map[string]any{"userId": "user_123", "userToken": "temp_token_abc456", "providerId": "reddit"}
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == del {
			delete(m, k)
		} else {
			m[k] = kv[i+1]
		}
	}
	return m
}

type deleted struct{}

var del = deleted{}

func TestValidateMeta(t *testing.T) {
	type want struct{ code, message, details string }
	missing := func(keys string) want {
		return want{CodeMissingParameters, "Missing required OAuth parameters for reddit",
			"Required: userId, userToken, providerId. Missing: " + keys}
	}
	invalid := func(key, details string) want {
		return want{CodeInvalidParameter, "Invalid " + key + " format for reddit", details}
	}
	mismatch := func(details string) want {
		return want{CodeProviderMismatch, "This tool requires reddit authentication", details}
	}
	nonEmpty := func(key string) want { return invalid(key, key+" must be a non-empty string") }
	control := func(key string) want { return invalid(key, key+" must not contain control characters") }
	const short = "userToken must be at least 16 characters long; a shorter value is too short to be a secret"

	tests := []struct {
		name string
		meta map[string]any
		want want // zero: valid
	}{
		{"reference example", meta(), want{}},
		{"other keys ignored", meta("progressToken", 7, "io.modelcontextprotocol/related-task", map[string]any{"taskId": "x"},
			"unknown", []any{1}, "userid", 3, "accessToken", ""), want{}},
		{"token with tab and spaces kept", meta("userToken", " temp\ttoken abc456 "), want{}},
		{"shortest token", meta("userToken", strings.Repeat("t", 16)), want{}},
		{"shortest token, in characters", meta("userToken", strings.Repeat("ü", 16)), want{}},
		{"unicode userId", meta("userId", "ユーザー_123"), want{}},
		{"max length", meta("userId", strings.Repeat("u", MaxParamLen), "userToken", strings.Repeat("t", MaxParamLen)), want{}},

		{"nil meta", nil, missing("userId, userToken, providerId")},
		{"empty meta", map[string]any{}, missing("userId, userToken, providerId")},
		{"missing userId", meta("userId", del), missing("userId")},
		{"missing userToken", meta("userToken", del), missing("userToken")},
		{"missing providerId", meta("providerId", del), missing("providerId")},
		{"missing userId providerId", meta("userId", del, "providerId", del), missing("userId, providerId")},
		{"missing userToken providerId", meta("userToken", del, "providerId", del), missing("userToken, providerId")},
		{"missing before invalid", meta("userId", 5, "userToken", del), missing("userToken")},
		{"case matters for keys", meta("userToken", del, "UserToken", "x"), missing("userToken")},

		{"empty userToken", meta("userToken", ""), nonEmpty("userToken")},
		{"null userToken", meta("userToken", nil), nonEmpty("userToken")},
		{"number userToken", meta("userToken", 42.0), nonEmpty("userToken")},
		{"object userToken", meta("userToken", map[string]any{"v": "x"}), nonEmpty("userToken")},
		{"blank userToken", meta("userToken", " \t\n"), nonEmpty("userToken")},
		{"unicode blank userToken", meta("userToken", "\u00a0\u3000\u2003"), nonEmpty("userToken")},
		{"empty userId", meta("userId", ""), nonEmpty("userId")},
		{"bool userId", meta("userId", true), nonEmpty("userId")},
		{"empty providerId", meta("providerId", ""), nonEmpty("providerId")},
		{"array providerId", meta("providerId", []any{"reddit"}), nonEmpty("providerId")},
		{"first invalid is reported", meta("userId", "", "userToken", "", "providerId", ""), nonEmpty("userId")},
		{"userToken before providerId", meta("userToken", 1, "providerId", "github"), nonEmpty("userToken")},
		{"too long userToken", meta("userToken", strings.Repeat("t", MaxParamLen+1)), invalid("userToken", "userToken must be at most 4096 bytes")},
		{"too long userId", meta("userId", strings.Repeat("u", MaxParamLen+1)), invalid("userId", "userId must be at most 4096 bytes")},
		{"invalid UTF-8 userToken", meta("userToken", "tok\xff"), invalid("userToken", "userToken must be valid UTF-8")},
		{"one-letter userToken", meta("userToken", "o"), invalid("userToken", short)},
		{"15-character userToken", meta("userToken", strings.Repeat("t", 15)), invalid("userToken", short)},
		{"15 characters in 30 bytes", meta("userToken", strings.Repeat("ü", 15)), invalid("userToken", short)},
		{"short userToken before providerId", meta("userToken", "t", "providerId", "github"), invalid("userToken", short)},
		{"invalid UTF-8 providerId", meta("providerId", "red\xc3dit"), invalid("providerId", "providerId must be valid UTF-8")},
		{"newline userId", meta("userId", "user\nadmin"), control("userId")},
		{"escape userId", meta("userId", "user\x1b[2J"), control("userId")},
		{"NUL providerId", meta("providerId", "reddit\x00"), control("providerId")},
		{"bidi override userId", meta("userId", "user\u202e321"), control("userId")},
		{"zero width providerId", meta("providerId", "red\u200bdit"), control("providerId")},
		{"line separator userId", meta("userId", "a\u2028b"), control("userId")},
		{"C1 control providerId", meta("providerId", "reddit\u0085"), control("providerId")},
		{"invalid before mismatch", meta("userId", "", "providerId", "github"), nonEmpty("userId")},

		{"mismatch", meta("providerId", "github"), mismatch("Received providerId: github")},
		{"mismatch is case-sensitive", meta("providerId", "Reddit"), mismatch("Received providerId: Reddit")},
		{"mismatch not trimmed", meta("providerId", "reddit "), mismatch("Received providerId: reddit ")},
		{"mismatch truncated", meta("providerId", strings.Repeat("x", 1000)), mismatch("Received providerId: " + strings.Repeat("x", 64) + "…")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, e := ValidateMeta(tt.meta, "reddit")
			if tt.want.code == "" {
				if e != nil {
					t.Fatalf("error %+v, want none", *e)
				}
				wantC := Credentials{tt.meta["userId"].(string), tt.meta["userToken"].(string), "reddit"}
				if c != wantC {
					t.Fatalf("credentials = %#v, want userId %q", c, wantC.UserID)
				}
				return
			}
			if e == nil {
				t.Fatalf("no error, want %s", tt.want.code)
			}
			if c != (Credentials{}) {
				t.Errorf("credentials %v returned with an error", c)
			}
			got := want{e.Code, e.Message, e.Details}
			if got != tt.want || e.Provider != "reddit" || e.Status != 0 || e.Retryable {
				t.Errorf("error = %+v\nwant %+v", *e, tt.want)
			}
		})
	}
}

func TestCheckCredentials(t *testing.T) {
	if e := checkCredentials(testCreds); e != nil {
		t.Fatalf("valid credentials: %v", e)
	}
	e := checkCredentials(Credentials{UserID: "u", UserToken: " ", ProviderID: "github"})
	if e == nil || e.Code != CodeInvalidParameter || e.Message != "Invalid userToken format for github" ||
		e.Details != "userToken must be a non-empty string" {
		t.Errorf("blank token: %+v", e)
	}
}
