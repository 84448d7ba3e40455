package pdk

import "testing"

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"hello", 10, "hello"}, {"hello", 5, "hello"}, {"hello", 3, "hel"},
		{"héllo", 2, "h"}, {"héllo", 3, "hé"}, {"✓", 2, ""}, {"", 0, ""},
	} {
		if got := Cut(tc.s, tc.n); got != tc.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestCutRunes(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
		cut  bool
	}{
		{"hello", 10, "hello", false}, {"hello", 5, "hello", false}, {"hello", 3, "hel", true},
		{"héllo", 2, "hé", true}, {"✓✓✓", 1, "✓", true}, {"", 0, "", false}, {"a", 0, "", true},
	} {
		if got, cut := CutRunes(tc.s, tc.n); got != tc.want || cut != tc.cut {
			t.Errorf("CutRunes(%q, %d) = %q, %v; want %q, %v", tc.s, tc.n, got, cut, tc.want, tc.cut)
		}
	}
}
