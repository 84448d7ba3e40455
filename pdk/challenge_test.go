package pdk

import (
	"reflect"
	"testing"
)

func TestChallenge(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   BearerChallenge
		ok     bool
	}{
		{`Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/gmail.readonly https://mail.google.com/"`,
			BearerChallenge{Error: "insufficient_scope", Scope: []string{"https://www.googleapis.com/auth/gmail.readonly", "https://mail.google.com/"}}, true},
		{`Bearer realm="reddit", error="insufficient_scope"`, BearerChallenge{Error: "insufficient_scope"}, true},
		{`bearer error=invalid_token`, BearerChallenge{Error: "invalid_token"}, true},
		{`Basic realm="x", Bearer scope="read"`, BearerChallenge{Scope: []string{"read"}}, true},
		{`Bearer error="insufficient_scope", Basic realm="y", scope="nope"`, BearerChallenge{Error: "insufficient_scope"}, true},
		{`Bearer`, BearerChallenge{}, true},
		{`Bearer error="bad\u001b[31m", scope="a\"b ok"`, BearerChallenge{Scope: []string{"ok"}}, true},
		{`Basic realm="x"`, BearerChallenge{}, false},
		{`NotBearer error="x"`, BearerChallenge{}, false},
		{``, BearerChallenge{}, false},
	} {
		r := &Response{Headers: map[string]string{"Www-Authenticate": tt.header}}
		got, ok := r.Challenge()
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, %v; want %+v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
