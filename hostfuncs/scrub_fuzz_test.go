package hostfuncs

import (
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/internal/secret"
)

// FuzzScrub checks the scrubber against its contract, for any two secrets
// and any text:
//
//   - a text in which no spelling of a secret occurs (in any ASCII case) comes
//     back unchanged, byte for byte; so does every text when the secrets are
//     too short to be looked for;
//   - no spelling occurs in what comes back;
//   - one pass replaces exactly what a naive leftmost-longest scan does;
//   - a spelling inserted anywhere into the text is gone from the result.
func FuzzScrub(f *testing.F) {
	f.Add(testToken, testUserToken, `{"login":"octocat","followers":1}`, uint16(3), uint16(0))
	f.Add(testToken, "", "Bearer "+testToken, uint16(0), uint16(4))
	f.Add("aaaaaaaaaaaaaaa[", "", "aaaaaaaaaaaaaaa", uint16(15), uint16(0))
	f.Add("o", "t", "followers", uint16(1), uint16(0))
	f.Add(" spaced secret value ", "ＵＮＩＣＯＤＥ-secret-ü", "x-Spaced secret value", uint16(2), uint16(9))
	f.Fuzz(func(t *testing.T, a, b, text string, at, which uint16) {
		sc := newScrubber(a, b)
		var pats, raw []string
		for _, s := range []string{a, b} {
			if secret.LongEnough(s) {
				for _, sp := range spellings(s) {
					raw = append(raw, sp)
					pats = append(pats, foldASCII(sp))
				}
			}
		}
		got := sc.String(text)
		if !holdsAny(text, pats) && got != text {
			t.Fatalf("text without a secret changed:\n in  %q\n out %q", text, got)
		}
		if holdsAny(got, pats) {
			t.Fatalf("a secret survived:\n in  %q\n out %q", text, got)
		}
		if len(pats) == 0 {
			return
		}
		if one, _ := sc.replace(text); len(text) >= sc.stride+gramLen-1 && one != naiveReplace(text, pats) {
			t.Fatalf("one pass differs from the naive scan:\n in    %q\n got   %q\n naive %q", text, one, naiveReplace(text, pats))
		}
		sp := raw[int(which)%len(raw)]
		k := int(at) % (len(text) + 1)
		with := text[:k] + sp + text[k:]
		if out := sc.String(with); holdsAny(out, pats) || !strings.Contains(out, Redacted) {
			t.Fatalf("inserted spelling %q survived:\n in  %q\n out %q", sp, with, out)
		}
	})
}

// holdsAny reports whether one of the folded patterns occurs in x, in any
// ASCII case.
func holdsAny(x string, pats []string) bool {
	fx := foldASCII(x)
	for _, p := range pats {
		if strings.Contains(fx, p) {
			return true
		}
	}
	return false
}

// naiveReplace is the reference of one scrubber pass: at each position, the
// longest pattern that starts there is replaced.
func naiveReplace(x string, pats []string) string {
	var b strings.Builder
	for i := 0; i < len(x); {
		best := ""
		for _, p := range pats {
			if len(p) > len(best) && len(x)-i >= len(p) && hasFoldedPrefix(x[i:], p) {
				best = p
			}
		}
		if best == "" {
			b.WriteByte(x[i])
			i++
			continue
		}
		b.WriteString(Redacted)
		i += len(best)
	}
	return b.String()
}
