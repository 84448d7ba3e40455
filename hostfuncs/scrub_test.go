package hostfuncs

import (
	"net/url"
	"strings"
	"testing"
)

func TestScrubber(t *testing.T) {
	sc := newScrubber(testToken, "", "user-temp-token", "tok")
	for _, in := range []string{
		testToken,
		"Bearer " + testToken + " and again " + testToken,
		"q=" + url.QueryEscape(testToken),
		"/p/" + url.PathEscape(testToken),
		`{"a":"` + jsonEscape(testToken, true) + `"}`,
		`{"a":"` + jsonEscape(testToken, false) + `"}`,
		`{"a":"` + jsonEscape(url.PathEscape(testToken), true) + `"}`,
		`{"a":"` + jsonEscape(url.QueryEscape(testToken), true) + `"}`,
		"user-temp-token",
	} {
		got := sc.String(in)
		if strings.Contains(got, "T0ken") || strings.Contains(got, "user-temp") || !strings.Contains(got, Redacted) {
			t.Errorf("String(%q) = %q", in, got)
		}
	}
	// A secret inside a longer one is replaced whole, not piecewise.
	if got := newScrubber("abc", "xabcx").String("-xabcx-abc-"); got != "-[REDACTED]-[REDACTED]-" {
		t.Errorf("overlap: %q", got)
	}
	if got := newScrubber("", "").String("nothing to hide"); got != "nothing to hide" {
		t.Errorf("empty secrets: %q", got)
	}
	var nilScrubber *scrubber
	if nilScrubber.String("x") != "x" {
		t.Error("nil scrubber changed its input")
	}
}
