package hostfuncs

import (
	"cmp"
	"slices"
	"strings"

	"github.com/wasmcp/wasmcp/internal/secret"
)

// Redacted replaces every secret in what the host hands back to a guest or
// writes to a log.
const Redacted = "[REDACTED]"

// scrubber replaces secrets with Redacted. It looks for every spelling of
// each secret that the transport or an echoing API is likely to produce
// (see spellings), in any ASCII case: Go canonicalises the case of header
// names, HTTP/2 lower-cases them, the host lower-cases URL hosts, and an API
// may write the hex digits of a %XX escape in either case. Secrets shorter
// than secret.MinLen are not looked for: they cannot be told apart from
// legitimate data (the host refuses such tokens before a call runs).
//
// Matching is leftmost-longest: at each position the longest spelling that
// starts there is replaced whole, and the scan resumes after it. Text in
// which no spelling occurs is returned unchanged, byte for byte.
//
// The scan reads one 8-byte window every stride bytes, stride being the
// shortest pattern's length less 7: every occurrence of a pattern then
// covers one window whole, at an offset below stride. A window whose folded
// bytes are none of the patterns' 8-byte grams at those offsets (a bloom
// filter answers most of them) rules out every match starting in the
// stride bytes before it.
type scrubber struct {
	// pats are the spellings, ASCII-folded to lower case, distinct.
	pats []string
	// grams holds, sorted by w, the folded 8 bytes w at offset d of
	// pattern j, for every j and every d below stride. A sorted slice is
	// built in one allocation and one sort, where a map of slices cost a
	// scrubber, built for every call, most of its time.
	grams []gramRef
	// bloom has bit gramBit(w) set for every w of grams.
	bloom  [bloomBits / 64]uint64
	stride int
}

// gramRef names the 8 bytes w at offset off of pattern pat.
type gramRef struct {
	w        uint64
	pat, off int32
}

const (
	bloomLog  = 15
	bloomBits = 1 << bloomLog
	// gramLen is the window's length. Every pattern is longer: it spells a
	// secret of at least secret.MinLen characters.
	gramLen = 8
	// maxScrubPasses bounds the passes of String. A pass can create a new
	// match only when the text was built around the marker to rebuild a
	// secret (a secret that ends in "[", the text its prefix twice): after
	// this many, the whole text is replaced.
	maxScrubPasses = 4
)

func newScrubber(secrets ...string) *scrubber {
	s := &scrubber{}
	seen := map[string]bool{}
	minLen := 0
	for _, sec := range secrets {
		if !secret.LongEnough(sec) {
			continue
		}
		for _, sp := range spellings(sec) {
			f := foldASCII(sp)
			if len(f) > gramLen && !seen[f] {
				seen[f] = true
				s.pats = append(s.pats, f)
				if minLen == 0 || len(f) < minLen {
					minLen = len(f)
				}
			}
		}
	}
	if len(s.pats) == 0 {
		return s
	}
	s.stride = minLen - gramLen + 1
	s.grams = make([]gramRef, 0, len(s.pats)*s.stride)
	for j, p := range s.pats {
		for d := range s.stride {
			w := loadFolded(p, d)
			s.grams = append(s.grams, gramRef{w, int32(j), int32(d)})
			b := gramBit(w)
			s.bloom[b/64] |= 1 << (b % 64)
		}
	}
	slices.SortFunc(s.grams, func(a, b gramRef) int { return cmp.Compare(a.w, b.w) })
	return s
}

// String returns x with every secret replaced.
func (s *scrubber) String(x string) string {
	if s == nil || len(s.pats) == 0 || len(x) < s.stride+gramLen-1 {
		return x
	}
	for range maxScrubPasses {
		out, n := s.replace(x)
		if n == 0 {
			return x
		}
		x = out
	}
	return Redacted
}

// replace makes one leftmost-longest pass over x and returns the result
// and the number of replacements.
func (s *scrubber) replace(x string) (string, int) {
	var b strings.Builder
	n, last := 0, 0
	for c := s.stride - 1; c+gramLen <= len(x); c += s.stride {
		w := loadFolded(x, c)
		if bit := gramBit(w); s.bloom[bit/64]&(1<<(bit%64)) == 0 {
			continue
		}
		start, j := s.matchAround(x, c, w, last)
		if j < 0 {
			continue
		}
		if n == 0 {
			b.Grow(len(x))
		}
		b.WriteString(x[last:start])
		b.WriteString(Redacted)
		last = start + len(s.pats[j])
		n++
		// The next window that can hold the start of a match at or after
		// last: windows sit at stride-1, 2·stride-1, ...
		if next := (last/s.stride+1)*s.stride - 1; next-s.stride > c {
			c = next - s.stride
		}
	}
	if n == 0 {
		return x, 0
	}
	b.WriteString(x[last:])
	return b.String(), n
}

// matchAround returns the leftmost, then longest, match whose window at c
// folds to w and that starts at or after from: its start and pattern
// index, or -1.
func (s *scrubber) matchAround(x string, c int, w uint64, from int) (int, int) {
	start, best := -1, -1
	i, _ := slices.BinarySearchFunc(s.grams, w, func(g gramRef, w uint64) int { return cmp.Compare(g.w, w) })
	for _, g := range s.grams[i:] {
		if g.w != w {
			break
		}
		p, at := s.pats[g.pat], c-int(g.off)
		if at < from || at+len(p) > len(x) || (best >= 0 && (at > start || at == start && len(p) <= len(s.pats[best]))) {
			continue
		}
		if hasFoldedPrefix(x[at:], p) {
			start, best = at, int(g.pat)
		}
	}
	return start, best
}

// gramBit is the bloom bit of a gram.
func gramBit(w uint64) uint64 { return (w * 0x9E3779B97F4A7C15) >> (64 - bloomLog) }

// loadFolded returns the 8 bytes of x at i, ASCII-folded to lower case, as
// a little-endian word.
func loadFolded(x string, i int) uint64 {
	_ = x[i+7]
	w := uint64(x[i]) | uint64(x[i+1])<<8 | uint64(x[i+2])<<16 | uint64(x[i+3])<<24 |
		uint64(x[i+4])<<32 | uint64(x[i+5])<<40 | uint64(x[i+6])<<48 | uint64(x[i+7])<<56
	return foldWord(w)
}

// foldWord lower-cases the ASCII capitals among the 8 bytes of w, leaving
// every other byte (non-ASCII ones included) as it is.
func foldWord(w uint64) uint64 {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	low7 := w &^ high
	geA := low7 + (0x80-'A')*ones   // high bit set where the byte is >= 'A'
	gtZ := low7 + (0x80-'Z'-1)*ones // high bit set where the byte is > 'Z'
	upper := geA &^ gtZ &^ w & high // and the byte is ASCII
	return w | upper>>2             // 0x80 >> 2 is the case bit 0x20
}

// hasFoldedPrefix reports whether x starts with p, p being ASCII-folded,
// ignoring the ASCII case of x.
func hasFoldedPrefix(x, p string) bool {
	for k := 0; k < len(p); k++ {
		if lowerASCII(x[k]) != p[k] {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldASCII lower-cases the ASCII capitals of s.
func foldASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}
