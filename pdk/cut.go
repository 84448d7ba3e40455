package pdk

import "github.com/wasmcp/wasmcp/internal/safetext"

// Cut returns the longest prefix of s of at most n bytes that does not end
// inside a UTF-8 sequence: text cut to a size bound stays valid UTF-8.
func Cut(s string, n int) string { return safetext.ClipMarked(s, n, "") }

// CutRunes returns s cut to at most n characters (runes), and whether it
// was cut: for the limits a tool states in characters, as a model counts
// them, rather than in bytes.
func CutRunes(s string, n int) (string, bool) {
	i := 0
	for j := range s {
		if i == n {
			return s[:j], true
		}
		i++
	}
	return s, false
}
