package host

import "unicode/utf8"

// jsonDeeperThan reports whether the JSON text b nests objects and arrays
// deeper than max. It scans once, skipping strings, and does not validate:
// the decoder that runs next does. It runs before decoding, so that a
// document the host would refuse for its depth costs no more than a scan.
func jsonDeeperThan(b []byte, max int) bool {
	depth := 0
	inString, escaped := false, false
	for _, c := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return true
			}
		case '}', ']':
			depth--
		}
	}
	return false
}

// sentBytes is the bytes a result whose text is text takes in the answer:
// the text as a JSON string and, when structured, the same JSON again as
// structuredContent. It counts as encoding/json writes: <, >, &, control
// characters, U+2028, U+2029 and bytes that are not UTF-8 take 6 bytes, and
// a quote, a backslash, \n, \r, \t, \b and \f take 2.
func sentBytes(text string, structured bool) int {
	n := 2
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"', c == '\\', c == '\n', c == '\r', c == '\t', c == '\b', c == '\f':
				n += 2
			case c < 0x20, c == '<', c == '>', c == '&':
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && size == 1, r == '\u2028', r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	if structured {
		n += len(text)
	}
	return n
}
