package pdk

import (
	"errors"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/wasmcp/wasmcp/abi"
)

// The two documents of every HTTP request, abi.HTTPRequest out and the
// abi.HTTPResponse head back, are written and read here without
// reflection. In a stock-Go guest, encoding/json and the reflection under
// it were half the CPU time of a call that passes on what the host selected
// (a profile of get_github_user; RATIONALE.md, "Why does the pdk encode the
// HTTP documents itself?"). The host still writes and reads them with
// encoding/json: wire_test.go checks both directions against it, on tables
// and under fuzzing.

// appendRequest appends r as JSON, as encoding/json decodes it into an
// abi.HTTPRequest: the same fields, omitted when empty where the struct says
// omitempty, and strings escaped as appendString does.
func appendRequest(b []byte, r abi.HTTPRequest) []byte {
	b = append(b, `{"method":`...)
	b = appendString(b, r.Method)
	b = append(b, `,"url":`...)
	b = appendString(b, r.URL)
	if len(r.Headers) > 0 {
		b = append(b, `,"headers":{`...)
		first := true
		for k, v := range r.Headers {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, v)
		}
		b = append(b, '}')
	}
	if r.Body != "" {
		b = append(b, `,"body":`...)
		b = appendString(b, r.Body)
	}
	if r.Select != "" {
		b = append(b, `,"select":`...)
		b = appendString(b, r.Select)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. As with encoding/json, each
// byte of invalid UTF-8 becomes U+FFFD, control characters, '"' and '\'
// are escaped, and so are U+2028 and U+2029; '<', '>' and '&' are not (the
// host's documents do not escape HTML either).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

var errBadHead = errors.New("the head is not a JSON object")

// decodeResponseHead reads the head the host wrote for abi.FuncHTTPRecv:
// an abi.HTTPResponse as encoding/json writes it (its Body travels apart).
// Keys are matched exactly, as the host writes them; unknown keys are
// skipped, so that a newer host may add some.
func decodeResponseHead(head []byte) (abi.HTTPResponse, error) {
	var r abi.HTTPResponse
	if !gjson.ValidBytes(head) {
		return r, errBadHead
	}
	doc := gjson.ParseBytes(head)
	if !doc.IsObject() {
		return r, errBadHead
	}
	doc.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "status":
			r.Status = int(v.Int())
		case "headers":
			if v.IsObject() {
				r.Headers = make(map[string]string)
				v.ForEach(func(hk, hv gjson.Result) bool {
					r.Headers[hk.Str] = hv.Str
					return true
				})
			}
		case "body":
			r.Body = v.Str
		case "selected":
			r.Selected = v.Type == gjson.True
		case "error":
			r.Error = v.Str
		case "error_message":
			r.ErrorMessage = v.Str
		}
		return true
	})
	return r, nil
}

// decodeCallRequest reads the input of the call export, an
// abi.CallRequest, keeping its arguments as the host wrote them (nil when
// there are none): Call.Args decodes them once, straight into the tool's
// type, instead of into a map first.
func decodeCallRequest(in []byte) (tool string, args []byte, err error) {
	if !gjson.ValidBytes(in) {
		return "", nil, errors.New("it is not JSON")
	}
	doc := gjson.ParseBytes(in)
	if !doc.IsObject() {
		return "", nil, errors.New("it is not a JSON object")
	}
	var bad error
	doc.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "tool":
			if v.Type != gjson.String {
				bad = errors.New(`"tool" is not a string`)
			}
			tool = v.Str
		case "arguments":
			switch {
			case v.IsObject():
				args = []byte(v.Raw)
			case v.Type == gjson.Null:
				args = nil
			default:
				bad = errors.New(`"arguments" is not an object`)
			}
		}
		return bad == nil
	})
	return tool, args, bad
}
