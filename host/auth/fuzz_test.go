package auth

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Value kinds of a fuzzed _meta key, two bits per key in FuzzValidateMeta's
// kinds argument.
const (
	kindString   = 0 // the fuzzed string
	kindAbsent   = 1 // no key
	kindNested   = 2 // the fuzzed string inside an object: not a string
	kindNull     = 3 // JSON null
	kindExtraBit = 1 << 6
)

// fuzzMeta builds a _meta from the fuzzed values; bit 6 of kinds adds
// unrelated keys carrying the same values.
func fuzzMeta(vals [3]string, kinds uint8) map[string]any {
	m := map[string]any{}
	for i, k := range metaKeys {
		switch kinds >> (2 * i) & 3 {
		case kindString:
			m[k] = vals[i]
		case kindNested:
			m[k] = map[string]any{"value": vals[i]}
		case kindNull:
			m[k] = nil
		}
	}
	if kinds&kindExtraBit != 0 {
		m["progressToken"] = vals[1]
		m["io.modelcontextprotocol/related-task"] = map[string]any{"taskId": vals[0]}
		m[strings.ToUpper(KeyUserToken)] = vals[2]
	}
	return m
}

// oracleProblem is an independent statement of the value rules: the
// invalid_parameter details for v under key, or "".
func oracleProblem(key string, v any) string {
	s, ok := v.(string)
	if !ok {
		return key + " must be a non-empty string"
	}
	if len(s) > 4096 {
		return key + " must be at most 4096 bytes"
	}
	if strings.TrimFunc(s, unicode.IsSpace) == "" {
		return key + " must be a non-empty string"
	}
	if !utf8.ValidString(s) {
		return key + " must be valid UTF-8"
	}
	if key == "userToken" && utf8.RuneCountInString(s) < 16 {
		return "userToken must be at least 16 characters long; a shorter value is too short to be a secret"
	}
	if key != "userToken" {
		for _, r := range s {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
				return key + " must not contain control characters"
			}
		}
	}
	return ""
}

// sameClassToken returns a userToken that the rules treat exactly as tok
// but that shares none of its content.
func sameClassToken(tok string) string {
	switch oracleProblem("userToken", tok) {
	case "":
		return strings.Repeat("x", 16)
	case "userToken must be at least 16 characters long; a shorter value is too short to be a secret":
		return "x"
	case "userToken must be at most 4096 bytes":
		return strings.Repeat("x", 4097)
	case "userToken must be valid UTF-8":
		return "x\xff"
	}
	return " "
}

func FuzzValidateMeta(f *testing.F) {
	for _, s := range []struct {
		provider, userID, userToken, providerID string
		kinds                                   uint8
	}{
		{"reddit", "user_123", "temp_token_abc456", "reddit", 0},
		{"reddit", "user_123", "temp_token_abc456", "github", 0},
		{"reddit", "user_123", "temp_token_abc456", "reddit", kindAbsent << 2},
		{"reddit", "user_123", "temp_token_abc456", "reddit", kindAbsent | kindAbsent<<2 | kindAbsent<<4},
		{"reddit", "user_123", "temp_token_abc456", "reddit", kindNull << 2},
		{"reddit", "user_123", "temp_token_abc456", "reddit", kindNested | kindExtraBit},
		{"reddit", "user_123", "", "reddit", 0},
		{"reddit", "user_123", " \t\u00a0", "reddit", 0},
		{"reddit", "user\n123", "temp_token_abc456", "reddit", 0},
		{"reddit", "user_123", "temp_token_abc456", "red\u202edit", 0},
		{"reddit", "user_123", "temp_token_abc456\xff", "reddit", 0},
		{"reddit", "user_123", "o", "reddit", 0},
		{"reddit", "user_123", "123456789012345", "reddit", 0},
		{"reddit", "user_123", "ü12345678901234", "reddit", 0},
		{"reddit", "u", strings.Repeat("t", 4097), "reddit", 0},
		{"reddit", "u", "temp_token_abc456", strings.Repeat("g", 100), 0},
		{"Google Drive", "ユーザー", "Required: userId", "Google Drive", 0},
		{"", "u", "temp_token_abc456", "", 0},
	} {
		f.Add(s.provider, s.userID, s.userToken, s.providerID, s.kinds)
	}

	f.Fuzz(func(t *testing.T, provider, userID, userToken, providerID string, kinds uint8) {
		vals := [3]string{userID, userToken, providerID}
		m := fuzzMeta(vals, kinds)
		c, e := ValidateMeta(m, provider)

		// The oracle's verdict.
		var want *Error
		var missing []string
		for _, k := range metaKeys {
			if _, ok := m[k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			want = missingParameters(provider, missing)
		} else {
			for _, k := range metaKeys {
				if p := oracleProblem(k, m[k]); p != "" {
					want = invalidParameter(provider, k, p)
					break
				}
			}
			if want == nil && providerID != provider {
				want = providerMismatch(provider, providerID)
			}
		}

		if want == nil {
			if e != nil {
				t.Fatalf("error %+v for valid _meta %q", *e, vals)
			}
			if c != (Credentials{userID, userToken, providerID}) || c.ProviderID != provider {
				t.Fatalf("credentials %#v, want %q", c, vals)
			}
			return
		}
		if e == nil {
			t.Fatalf("credentials %v for _meta %v, want %s", c, m, want.Code)
		}
		if c != (Credentials{}) {
			t.Fatalf("credentials returned with error %s", e.Code)
		}
		if *e != *want {
			t.Fatalf("error %+v\nwant  %+v", *e, *want)
		}
		switch e.Code {
		case CodeMissingParameters, CodeInvalidParameter, CodeProviderMismatch:
		default:
			t.Fatalf("unknown code %q", e.Code)
		}
		if e.Code == CodeProviderMismatch {
			if len(e.Details) > len("Received providerId: ")+3*maxEcho+len("…") {
				t.Fatalf("mismatch details are %d bytes", len(e.Details))
			}
			if len(providerID) <= maxEcho && !strings.ContainsFunc(providerID, func(r rune) bool { return !unicode.IsGraphic(r) }) &&
				e.Details != "Received providerId: "+providerID {
				t.Fatalf("details %q do not echo %q exactly", e.Details, providerID)
			}
		}

		// The error depends on the userToken only through the rule it
		// breaks: the same _meta with a token of the same class, sharing
		// none of its text, gives the same error. So the error never holds
		// the token.
		vals2 := vals
		vals2[1] = sameClassToken(userToken)
		_, e2 := ValidateMeta(fuzzMeta(vals2, kinds), provider)
		if e2 == nil || !reflect.DeepEqual(e.Object(), e2.Object()) {
			t.Fatalf("error depends on the userToken's content:\n%v\n%v", e.Object(), e2)
		}
		if _, err := json.Marshal(e.Object()); err != nil {
			t.Fatal(err)
		}
		_ = e.Error()
	})
}
