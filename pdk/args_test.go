package pdk

import (
	"reflect"
	"testing"
)

type argsInner struct {
	Since string `json:"since"`
}

type testArgs struct {
	Limit  *int      `json:"limit"`
	Name   string    `json:"name"`
	Small  int8      `json:"small"`
	Count  uint16    `json:"count"`
	Ratio  float64   `json:"ratio"`
	On     bool      `json:"on"`
	Tags   []string  `json:"tags"`
	IDs    []int     `json:"ids"`
	Filter argsInner `json:"filter"`
	Hidden string    `json:"-"`
}

// TestArgsErrors: a decoding error names the argument and says, in JSON's
// terms, what it must be and what it is; no Go type or field name leaks.
func TestArgsErrors(t *testing.T) {
	tests := []struct {
		args map[string]any
		want string // "" for success
	}{
		{nil, ""},
		{map[string]any{}, ""},
		{map[string]any{"limit": 5.0, "name": "x", "tags": []any{"a"}, "filter": map[string]any{"since": "y"}}, ""},
		{map[string]any{"limit": 2.5}, `argument "limit" must be an integer, got 2.5`},
		{map[string]any{"limit": "10"}, `argument "limit" must be an integer, got the string "10"`},
		{map[string]any{"limit": true}, `argument "limit" must be an integer, got true`},
		{map[string]any{"limit": map[string]any{}}, `argument "limit" must be an integer, got an object`},
		{map[string]any{"name": 1.0}, `argument "name" must be a string, got 1`},
		{map[string]any{"name": []any{"a"}}, `argument "name" must be a string, got an array`},
		{map[string]any{"small": 300.0}, `argument "small" must be an integer from -128 to 127, got 300`},
		{map[string]any{"count": -1.0}, `argument "count" must be an integer from 0 to 65535, got -1`},
		{map[string]any{"count": 1.5}, `argument "count" must be an integer of 0 or more, got 1.5`},
		{map[string]any{"ratio": "x"}, `argument "ratio" must be a number, got the string "x"`},
		{map[string]any{"on": "yes"}, `argument "on" must be true or false, got the string "yes"`},
		{map[string]any{"tags": "a"}, `argument "tags" must be an array, got the string "a"`},
		{map[string]any{"tags": []any{"a", 2.0}}, `argument "tags" must hold only strings, got 2`},
		{map[string]any{"ids": []any{1.0, 2.5}}, `argument "ids" must hold only integers, got 2.5`},
		{map[string]any{"filter": "x"}, `argument "filter" must be an object, got the string "x"`},
		{map[string]any{"filter": map[string]any{"since": 3.0}}, `argument "filter.since" must be a string, got 3`},
		{map[string]any{"other": 1.0}, `unknown argument "other"; the tool takes limit, name, small, count, ratio, on, tags, ids and filter`},
		{map[string]any{"Hidden": "x"}, `unknown argument "Hidden"; the tool takes limit, name, small, count, ratio, on, tags, ids and filter`},
	}
	for _, tt := range tests {
		var got testArgs
		err := (&Call{tool: "t", args: tt.args}).Args(&got)
		want := ""
		if tt.want != "" {
			want = `invalid arguments for tool "t": ` + tt.want
		}
		if msg := errText(err); msg != want {
			t.Errorf("Args(%v) error = %q, want %q", tt.args, msg, want)
		}
	}
}

func TestArgsDecodes(t *testing.T) {
	var got testArgs
	c := &Call{tool: "t", args: map[string]any{"limit": 5.0, "name": "x", "filter": map[string]any{"since": "y"}}}
	if err := c.Args(&got); err != nil {
		t.Fatal(err)
	}
	five := 5
	if want := (testArgs{Limit: &five, Name: "x", Filter: argsInner{Since: "y"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("Args() = %+v, want %+v", got, want)
	}
}

func TestArgsNamesWhatATakes(t *testing.T) {
	type embedded struct {
		Page int `json:"page"`
	}
	type withEmbedded struct {
		embedded
		Sort string `json:"sort,omitempty"`
	}
	for _, tt := range []struct {
		v    any
		want string
	}{
		{&struct{}{}, `unknown argument "x"; the tool takes no arguments`},
		{&struct {
			Only string `json:"only"`
		}{}, `unknown argument "x"; the tool takes only only`},
		{&withEmbedded{}, `unknown argument "x"; the tool takes page and sort`},
	} {
		err := (&Call{tool: "t", args: map[string]any{"x": 1.0}}).Args(tt.v)
		if want := `invalid arguments for tool "t": ` + tt.want; errText(err) != want {
			t.Errorf("%T: error %q, want %q", tt.v, errText(err), want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
