package pdk

import "github.com/wasmcp/wasmcp/internal/safetext"

// Cut returns the longest prefix of s of at most n bytes that does not end
// inside a UTF-8 sequence: text cut to a size bound stays valid UTF-8.
func Cut(s string, n int) string { return safetext.ClipMarked(s, n, "") }
