// Package jsonsel is the one implementation of abi.HTTPRequest.Select: the
// host applies it to the answers of real APIs, and pdktest to the answers
// of a plugin's test fakes, so that a plugin's tests see what production
// hands it.
package jsonsel

import (
	"bytes"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/wasmcp/wasmcp/abi"
)

// Check refuses a Select path that is too long, not UTF-8, holds control
// characters, or uses one of GJSON's modifiers ("@reverse", "@fromstr",
// ...): a path only picks and renames parts of the document, and "@fromstr"
// would decode strings that the host's scrubber saw escaped. (GJSON's own
// switch, DisableModifiers, also breaks nested selections such as
// "data.{after}", so the host refuses "@" instead.) GJSON itself accepts any
// string.
func Check(sel string) error {
	if len(sel) > abi.MaxSelect {
		return fmt.Errorf("select is longer than %d bytes", abi.MaxSelect)
	}
	if !utf8.ValidString(sel) {
		return errors.New("select is not valid UTF-8")
	}
	for _, r := range sel {
		switch {
		case unicode.IsControl(r):
			return errors.New("select holds a control character")
		case r == '@':
			return errors.New("select may not use GJSON modifiers (@...)")
		}
	}
	return nil
}

// Apply evaluates sel on a 2xx response body that is a JSON object or
// array; sel must have passed Check. It returns the selection ("null" when the path matches nothing)
// and true, or body and false when sel is empty, the status is not 2xx or
// the body is no JSON document: the plugin then reads the API's own answer,
// an error body included.
func Apply(body []byte, sel string, status int) ([]byte, bool) {
	if sel == "" || status < 200 || status > 299 {
		return body, false
	}
	doc := bytes.TrimLeft(body, " \t\r\n")
	if len(doc) == 0 || (doc[0] != '{' && doc[0] != '[') || !gjson.ValidBytes(doc) {
		return body, false
	}
	if n, ok := parseFast(sel); ok {
		// The document is only read, and the selection is a copy.
		out, exists, ok := eval(nil, n, gjson.Parse(unsafe.String(unsafe.SliceData(doc), len(doc))))
		if ok && !exists {
			return []byte("null"), true
		}
		if ok {
			return out, true
		}
	}
	r := gjson.GetBytes(doc, sel)
	if !r.Exists() {
		return []byte("null"), true
	}
	return []byte(r.Raw), true
}
