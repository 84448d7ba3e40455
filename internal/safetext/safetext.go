// Package safetext holds the one rule for text a plugin supplies and the
// host shows to someone (a terminal, a log, a client): which characters a
// field may hold, how the rest is escaped, and how text is cut to a length.
// It depends on the standard library only, so every side can import it.
//
// A one-line field (a name, a version, a host, a schema keyword) holds no
// control character (C0, DEL, C1: ANSI escapes start with one), no bidi
// control (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, which
// reorder what a terminal shows) and no line or paragraph separator
// (U+2028, U+2029). A multi-line field (a description) may also hold
// newlines and tabs. Both must be valid UTF-8.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Problem is a character a field may not hold.
type Problem struct {
	// Offset is its byte offset in the field.
	Offset int
	// Rune is the character; utf8.RuneError for a byte that is not UTF-8.
	Rune rune
	// Kind says what it is: "invalid UTF-8", "a control character", "a bidi
	// control" or "a line separator".
	Kind string
}

func (p Problem) String() string {
	if p.Kind == "invalid UTF-8" {
		return fmt.Sprintf("invalid UTF-8 at byte %d", p.Offset)
	}
	return fmt.Sprintf("%U (%s) at byte %d", p.Rune, p.Kind, p.Offset)
}

// Check returns the first character of s that a field may not hold, and
// true; multiline allows newlines and tabs.
func Check(s string, multiline bool) (Problem, bool) {
	for i, r := range s {
		if kind := kindOf(s[i:], r, multiline); kind != "" {
			return Problem{Offset: i, Rune: r, Kind: kind}, true
		}
	}
	return Problem{}, false
}

// kindOf says why r, the first character of rest, is refused; "" if not.
func kindOf(rest string, r rune, multiline bool) string {
	switch {
	case r == utf8.RuneError:
		if _, size := utf8.DecodeRuneInString(rest); size == 1 {
			return "invalid UTF-8"
		}
	case multiline && (r == '\n' || r == '\t'):
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return "a control character"
	case IsBidiControl(r):
		return "a bidi control"
	case r == '\u2028' || r == '\u2029':
		return "a line separator"
	}
	return ""
}

// IsBidiControl reports whether r is one of the characters that change the
// direction of the text around it.
func IsBidiControl(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case r >= '\u202a' && r <= '\u202e':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// Escape returns s with every character that is not printable (per
// unicode.IsPrint, but for the space) written as a Go escape: \n, \x1b,
// \u202e, and \xff for a byte that is not UTF-8. What it returns is one
// line of printable text, whatever s holds.
func Escape(s string) string {
	clean := true
	for i, r := range s {
		if !printable(s[i:], r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case printable(s[i:], r):
			b.WriteRune(r)
		case r == utf8.RuneError:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	return b.String()
}

func printable(rest string, r rune) bool {
	if r == utf8.RuneError {
		_, size := utf8.DecodeRuneInString(rest)
		return size > 1
	}
	return r == ' ' || unicode.IsPrint(r)
}

// Clip cuts s to at most max bytes, at a character boundary, and marks the
// cut with "…" (which the max does not count).
func Clip(s string, max int) string { return ClipMarked(s, max, "…") }

// ClipMarked is Clip with mark, in place of "…", after a cut.
func ClipMarked(s string, max int, mark string) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}

// Bounded is s escaped and then clipped to max bytes: what the host prints
// or logs of text a plugin wrote.
func Bounded(s string, max int) string {
	return Clip(Escape(Clip(s, max)), max)
}
