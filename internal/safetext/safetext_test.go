package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		s         string
		multiline bool
		want      string // Problem.String(); "" for none
	}{
		{"v1.2.3-rc.1+build", false, ""},
		{"Grüße, 世界 🎉", false, ""},
		{"\ufffd is a character", false, ""},
		{"a\nb", false, "U+000A (a control character) at byte 1"},
		{"a\nb\tc", true, ""},
		{"a\rb", true, "U+000D (a control character) at byte 1"},
		{"\x1b[31m", true, "U+001B (a control character) at byte 0"},
		{"x\x7f", false, "U+007F (a control character) at byte 1"},
		{"x\u0085", true, "U+0085 (a control character) at byte 1"},
		{"x\u009b2J", false, "U+009B (a control character) at byte 1"},
		{"ab\u202e", true, "U+202E (a bidi control) at byte 2"},
		{"\u202a", false, "U+202A (a bidi control) at byte 0"},
		{"\u2066\u2069", false, "U+2066 (a bidi control) at byte 0"},
		{"\u200e", false, "U+200E (a bidi control) at byte 0"},
		{"\u200f", true, "U+200F (a bidi control) at byte 0"},
		{"\u061c", false, "U+061C (a bidi control) at byte 0"},
		{"a\u2028b", true, "U+2028 (a line separator) at byte 1"},
		{"a\u2029", false, "U+2029 (a line separator) at byte 1"},
		{"ok\xffno", false, "invalid UTF-8 at byte 2"},
		{"\xe2\x80", true, "invalid UTF-8 at byte 0"},
	} {
		p, bad := Check(tt.s, tt.multiline)
		got := ""
		if bad {
			got = p.String()
		}
		if got != tt.want {
			t.Errorf("Check(%q, %v) = %q, want %q", tt.s, tt.multiline, got, tt.want)
		}
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ü 世界":   "plain text, ü 世界",
		"a\nb\tc\rd":         `a\nb\tc\rd`,
		"\x1b[2K\x07\x00":    `\x1b[2K\x07\x00`,
		"x\u009by":           `x\x9by`,
		"rtl\u202eltr\u2066": `rtl\u202eltr\u2066`,
		"bad\xff\xfe":        `bad\xff\xfe`,
		"sep\u2028":          `sep\u2028`,
		"tag\U000E0041":      `tag\U000e0041`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	// Whatever the input, the output is one line that Check accepts.
	all := make([]byte, 0, 512)
	for b := range 256 {
		all = append(all, byte(b))
	}
	all = append(all, "\u202a\u202e\u2066\u2069\u200e\u200f\u061c\u2028\u2029"...)
	out := Escape(string(all))
	if _, bad := Check(out, false); bad || strings.ContainsAny(out, "\n\r") || !utf8.ValidString(out) {
		t.Errorf("Escape left characters a one-line field may not hold: %q", out)
	}
}

func TestClip(t *testing.T) {
	if got := Clip("short", 10); got != "short" {
		t.Errorf("Clip of a short string = %q", got)
	}
	if got := Clip("abcdef", 3); got != "abc…" {
		t.Errorf("Clip(abcdef, 3) = %q", got)
	}
	if got := Clip("a世界", 3); got != "a…" { // never inside a character
		t.Errorf("Clip(a世界, 3) = %q", got)
	}
	long := strings.Repeat("\x1b", 1000)
	if got := Bounded(long, 100); len(got) > 100+len("…") || Escape(got) != got {
		t.Errorf("Bounded = %q (%d bytes)", got, len(got))
	}
}
