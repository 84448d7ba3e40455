package pdk

import "testing"

func TestSelectOf(t *testing.T) {
	type owner struct {
		Login string `json:"login"`
	}
	type base struct {
		ID int `json:"id"`
	}
	type repo struct {
		base
		FullName string   `json:"full_name"`
		Owner    string   `json:"owner" select:"owner.login"`
		License  *owner   `json:"license,omitempty"`
		Topics   []string `json:"topics"`
		Forks    []owner  `json:"forks"`
		Hidden   string   `json:"-"`
		internal int
	}
	for _, tt := range []struct {
		v    any
		want string
	}{
		{repo{}, "{id,full_name,owner:owner.login,license:license.{login},topics,forks:forks.#.{login}}"},
		{[]repo{}, "#.{id,full_name,owner:owner.login,license:license.{login},topics,forks:forks.#.{login}}"},
		{&owner{}, "{login}"},
		{nil, ""},
	} {
		if got := SelectOf(tt.v); got != tt.want {
			t.Errorf("SelectOf(%T) = %s, want %s", tt.v, got, tt.want)
		}
	}
}
