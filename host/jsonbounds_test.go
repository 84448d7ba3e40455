package host

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONDeeperThan(t *testing.T) {
	for _, tt := range []struct {
		doc  string
		max  int
		over bool
	}{
		{`{}`, 1, false},
		{`{"a":[1]}`, 2, false},
		{`{"a":[1]}`, 1, true},
		{`{"a":"[[[[{{{{"}`, 1, false},        // brackets in strings do not count
		{`{"a":"\"[[[[","b":"\\"}`, 1, false}, // nor after escaped quotes
		{`[{},{},{},[[]]]`, 3, false},         // siblings do not add up
		{strings.Repeat("[", 65) + strings.Repeat("]", 65), 64, true},
		{strings.Repeat("[", 64) + strings.Repeat("]", 64), 64, false},
	} {
		if got := jsonDeeperThan([]byte(tt.doc), tt.max); got != tt.over {
			t.Errorf("jsonDeeperThan(%.40q, %d) = %v, want %v", tt.doc, tt.max, got, tt.over)
		}
	}
}

// sentBytes counts a string as encoding/json writes it, byte for byte.
func TestSentBytes(t *testing.T) {
	for _, s := range []string{
		"", "plain", `"quoted" \back\`, "<script>&amp;</script>", "\x00\x01\n\t\r\b\f\x1b\x7f",
		"ü 世界 🎉", "\u2028\u2029", "bad\xff\xfeutf8", "\u202e", strings.Repeat("<", 1000),
	} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := sentBytes(s, false); got != len(b) {
			t.Errorf("sentBytes(%q) = %d, encoding/json writes %d: %s", s, got, len(b), b)
		}
		if got := sentBytes(s, true); got != len(b)+len(s) {
			t.Errorf("sentBytes(%q, structured) = %d, want %d", s, got, len(b)+len(s))
		}
	}
}
