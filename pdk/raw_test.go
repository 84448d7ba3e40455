package pdk

import (
	"encoding/json"
	"testing"
)

func TestAppendField(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{}`, `{"n":3}`},
		{` { } `, `{ "n":3}`},
		{`{"a":[1,{"b":2}]}`, `{"a":[1,{"b":2}],"n":3}`},
	} {
		got, err := AppendField(json.RawMessage(tt.in), "n", 3)
		if err != nil || string(got) != tt.want || !json.Valid(got) {
			t.Errorf("AppendField(%s) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{``, `[1]`, `"x"`, `{`} {
		if _, err := AppendField(json.RawMessage(bad), "n", 1); err == nil {
			t.Errorf("AppendField(%q) accepted it", bad)
		}
	}
}
