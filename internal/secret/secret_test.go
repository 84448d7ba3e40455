package secret

import (
	"strings"
	"testing"
)

func TestLongEnough(t *testing.T) {
	for s, want := range map[string]bool{
		"":                         false,
		"o":                        false,
		strings.Repeat("x", 15):    false,
		strings.Repeat("x", 16):    true,
		"temp_token_abc456":        true,
		strings.Repeat("ü", 8):     false, // 16 bytes, 8 characters
		strings.Repeat("ü", 16):    true,
		strings.Repeat("\xff", 20): true, // not UTF-8: one character per byte
	} {
		if got := LongEnough(s); got != want {
			t.Errorf("LongEnough(%q) = %v, want %v", s, got, want)
		}
	}
}
