package hostfuncs

import (
	"encoding/base64"
	"encoding/binary"
	"html"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/internal/secret"
)

// Every spelling the host claims to scrub is replaced, in any ASCII case.
func TestScrubberSpellings(t *testing.T) {
	sc := newScrubber(testToken, "", testUserToken)
	b64 := func(enc *base64.Encoding, prefix string) string {
		return enc.EncodeToString([]byte(prefix + testToken))
	}
	q := strconv.Quote(testToken)
	cases := map[string]string{
		"as is":                   testToken,
		"twice":                   "Bearer " + testToken + " and again " + testToken,
		"query-escaped":           "q=" + url.QueryEscape(testToken),
		"query-escaped lower hex": "q=" + strings.ToLower(url.QueryEscape(testToken)),
		"path-escaped":            "/p/" + url.PathEscape(testToken),
		"JSON":                    `{"a":"` + jsonEscape(testToken, true) + `"}`,
		"JSON without HTML":       `{"a":"` + jsonEscape(testToken, false) + `"}`,
		"JSON of path-escaped":    `{"a":"` + jsonEscape(url.PathEscape(testToken), true) + `"}`,
		"JSON of query-escaped":   `{"a":"` + jsonEscape(url.QueryEscape(testToken), true) + `"}`,
		"Go-quoted":               `malformed HTTP response ` + q,
		"HTML":                    "<p>" + html.EscapeString(testToken) + "</p>",
		"upper case":              strings.ToUpper(testToken),
		"lower case":              "x-" + strings.ToLower(testToken),
		"header name":             textproto.CanonicalMIMEHeaderKey("x-gho_t0ken-with-" + testUserToken),
		"HTTP/2 header name":      strings.ToLower("X-" + testUserToken),
		"base64, offset 0":        b64(base64.StdEncoding, ""),
		"base64, offset 1":        b64(base64.StdEncoding, "Bearer "),
		"base64, offset 2":        b64(base64.StdEncoding, "x:"),
		"base64url, offset 0":     b64(base64.RawURLEncoding, ""),
		"base64url, offset 1":     b64(base64.RawURLEncoding, "a"),
		"base64url, offset 2":     b64(base64.RawURLEncoding, "ab"),
		"user token":              "temp=" + testUserToken,
		"trimmed":                 "Bearer " + strings.TrimSpace(" "+testUserToken),
	}
	for name, in := range cases {
		got := sc.String(in)
		if strings.Contains(strings.ToLower(got), "t0ken+") || strings.Contains(strings.ToLower(got), "0123456789") ||
			!strings.Contains(got, Redacted) {
			t.Errorf("%s: String(%q) = %q", name, in, got)
		}
	}
	// The header-name case: what the guest sees folds back to nothing.
	name := textproto.CanonicalMIMEHeaderKey("x-" + testUserToken)
	if got := sc.String(name); strings.Contains(strings.ToLower(got), strings.ToLower(testUserToken)) {
		t.Errorf("canonical header name %q scrubbed to %q", name, got)
	}
}

// A secret inside a longer one is replaced whole; a secret beside another
// is replaced as two.
func TestScrubberOverlap(t *testing.T) {
	short, long := "abcdefghijklmnop", "xxabcdefghijklmnopxx"
	if got := newScrubber(short, long).String("-" + long + "-" + short + "-"); got != "-[REDACTED]-[REDACTED]-" {
		t.Errorf("overlap: %q", got)
	}
	if got := newScrubber(short).String(short + short); got != Redacted+Redacted {
		t.Errorf("adjacent: %q", got)
	}
}

// Secrets too short to be secrets are not looked for, so that legitimate
// data is never altered: the one-letter tokens of the review garbled
// "followers" and broke JSON.
func TestScrubberIgnoresShortSecrets(t *testing.T) {
	body := `{"login":"octocat","followers":1,"t":"o","message":"token expired"}`
	short := strings.Repeat("x", secret.MinLen-1)
	for _, s := range []string{"o", "1", "t", "\"", "{", "token", short} {
		if got := newScrubber(s).String(body + short); got != body+short {
			t.Errorf("secret %q altered %q into %q", s, body, got)
		}
	}
	if got := newScrubber("", "").String("nothing to hide"); got != "nothing to hide" {
		t.Errorf("empty secrets: %q", got)
	}
	var nilScrubber *scrubber
	if nilScrubber.String("x") != "x" {
		t.Error("nil scrubber changed its input")
	}
}

// Text holding pieces of a token, but not the token, is never altered:
// prefixes, suffixes, the token with one character changed or cut in two.
func TestScrubberLeavesNearMisses(t *testing.T) {
	tok := "gho_16CharsOrMoreToken_x9Q"
	sc := newScrubber(tok)
	var in []string
	for i := 1; i < len(tok); i++ {
		in = append(in, tok[:i], tok[i:], tok[:i]+" "+tok[i:], tok[:i]+"\n"+tok[i:])
		changed := []byte(tok)
		changed[i] ^= 0x01
		in = append(in, string(changed))
	}
	in = append(in, strings.Repeat(tok[:len(tok)-1], 3), base64.StdEncoding.EncodeToString([]byte(tok[1:])))
	for _, s := range in {
		if got := sc.String(s); got != s {
			t.Errorf("String(%q) = %q", s, got)
		}
	}
}

// Text built to rebuild a secret around the marker never yields it.
func TestScrubberRebuilt(t *testing.T) {
	tok := "aaaaaaaaaaaaaaa[" // 16 characters, the last one the marker's first
	in := "aaaaaaaaaaaaaaa" + tok
	got := newScrubber(tok).String(in)
	if strings.Contains(got, tok) {
		t.Errorf("String(%q) = %q, which holds the secret", in, got)
	}
	// A long chain of rebuilds ends with the whole text replaced.
	chain := strings.Repeat("aaaaaaaaaaaaaaa", 8) + tok
	if got := newScrubber(tok).String(chain); strings.Contains(got, tok) {
		t.Errorf("chain: %q", got)
	}
}

// foldWord lower-cases exactly the ASCII capitals, in every byte position.
func TestFoldWord(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			b := []byte("0a_Z\xffz@[")
			b[pos] = byte(c)
			want := make([]byte, 8)
			for k := range b {
				want[k] = b[k]
				if 'A' <= b[k] && b[k] <= 'Z' {
					want[k] += 'a' - 'A'
				}
			}
			if got := loadFolded(string(b), 0); got != binary.LittleEndian.Uint64(want) {
				t.Fatalf("byte %#x at %d: got %#x, want %x", c, pos, got, want)
			}
		}
	}
}

func BenchmarkScrubber(b *testing.B) {
	sc := newScrubber(testToken, testUserToken)
	body := strings.Repeat(`{"login":"octocat","id":583231,"url":"https://api.github.com/users/octocat"},`, 4<<20/80)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if sc.String(body) != body {
			b.Fatal("altered")
		}
	}
}
