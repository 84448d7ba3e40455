package host

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/hostfuncs"
)

// A guest's result is scrubbed inside its decoded values, so that it stays
// valid JSON; a secret too short to be one is not looked for, so that it
// never alters legitimate data.
func TestResultScrubbing(t *testing.T) {
	const access = "gho_access_token_0001"
	tests := []struct {
		name    string
		out     string
		secrets []string
		want    string // the scrubbed content, as JSON
		wantMsg string
	}{
		{
			name:    "a one-letter user token alters nothing",
			out:     `{"content":{"login":"octocat","site_admin":true,"bio":null,"n":1,"followers":"o"}}`,
			secrets: []string{access, "t", "o", "1"},
			want:    `{"bio":null,"followers":"o","login":"octocat","n":1,"site_admin":true}`,
		},
		{
			name:    "keys, nested objects and arrays",
			out:     `{"content":{"gho_access_token_0001":{"list":["a gho_access_token_0001 b",["GHO_ACCESS_TOKEN_0001"]]}}}`,
			secrets: []string{access, ""},
			want:    `{"[REDACTED]":{"list":["a [REDACTED] b",["[REDACTED]"]]}}`,
		},
		{
			name:    "a numeric secret written as a number",
			out:     `{"content":{"id":12345678901234567,"other":12345678901234568}}`,
			secrets: []string{"12345678901234567"},
			want:    `{"id":"[REDACTED]","other":12345678901234568}`,
		},
		{
			name:    "escaped spellings, as the host functions scrub them",
			out:     `{"content":{"q":"token=gho_a%2Bb%2F_access_0001","j":"gho_a+b/_access_0001"}}`,
			secrets: []string{"gho_a+b/_access_0001"},
			want:    `{"j":"[REDACTED]","q":"token=[REDACTED]"}`,
		},
		{
			name:    "the error message",
			out:     `{"isError":true,"message":"API said: bad token gho_access_token_0001"}`,
			secrets: []string{access},
			want:    `{}`,
			wantMsg: "API said: bad token [REDACTED]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cr abi.CallResult
			if err := decodeResult([]byte(tt.out), &cr); err != nil {
				t.Fatal(err)
			}
			call := &hostfuncs.Call{Secrets: tt.secrets}
			content := scrubObject(cr.Content, call.Scrub)
			if content == nil {
				content = map[string]any{}
			}
			got, err := json.Marshal(content)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("content = %s, want %s", got, tt.want)
			}
			if msg := call.Scrub(cr.Message); msg != tt.wantMsg {
				t.Errorf("message = %q, want %q", msg, tt.wantMsg)
			}
		})
	}
}

func TestDecodeResultRefusesTrailingData(t *testing.T) {
	var cr abi.CallResult
	err := decodeResult([]byte(`{"content":{}} {"content":{"x":1}}`), &cr)
	if err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Fatalf("err = %v, want a trailing-data error", err)
	}
}

// Instances are keyed by provider, userId and the access token granted, so
// a client that claims another userId with its own grant never shares that
// user's instances; the key never holds the token itself.
func TestUserKey(t *testing.T) {
	alice := auth.Credentials{UserID: "alice", ProviderID: "github", UserToken: "utk-a"}
	k := userKey(alice, "gho_alice_token")
	if k != userKey(alice, "gho_alice_token") {
		t.Fatal("the same user and token give different keys")
	}
	for name, other := range map[string]string{
		"another token":    userKey(alice, "gho_mallory_token"),
		"another user":     userKey(auth.Credentials{UserID: "bob", ProviderID: "github"}, "gho_alice_token"),
		"another provider": userKey(auth.Credentials{UserID: "alice", ProviderID: "reddit"}, "gho_alice_token"),
		"ambiguous split":  userKey(auth.Credentials{UserID: "alice\x00x", ProviderID: "github"}, "gho_alice_token"),
	} {
		if other == k {
			t.Errorf("%s: same key %q", name, k)
		}
	}
	if strings.Contains(k, "gho_alice_token") || strings.Contains(k, "utk-a") {
		t.Errorf("the key %q holds a secret", k)
	}
}
