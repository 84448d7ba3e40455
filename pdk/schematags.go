package pdk

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// The field tags of a schema derived by NewTool: `jsonschema:"..."` for a
// description, and one tag per JSON Schema keyword, typed by the field.

// applyTags sets the keywords the field's tags give. They apply to the
// field's value, or, for a slice or array, to its items (but minItems,
// maxItems and default, which apply to the array).
func (d *deriver) applyTags(s map[string]any, f jsonField) error {
	if desc, ok := f.tag.Lookup("jsonschema"); ok {
		s["description"] = desc
	}
	target, elem, onItems := s, f.typ, false
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	if k := elem.Kind(); (k == reflect.Slice || k == reflect.Array) && elem.Elem().Kind() != reflect.Uint8 {
		if items, ok := s["items"].(map[string]any); ok {
			target, elem, onItems = items, elem.Elem(), true
		}
	}
	kind := valueKind(elem, f.asString && !onItems)
	for _, kw := range tagKeywords {
		v, ok := f.tag.Lookup(kw.name)
		if !ok {
			continue
		}
		dst, k := target, kind
		if kw.onArray {
			dst, k = s, valueKind(f.typ, f.asString)
		}
		if kw.applies != "" && kw.applies != k && !(kw.applies == "number" && k == "integer") {
			return d.fail("tag %s applies to %s values, and the field is %s", kw.name, kw.applies, kindName(k))
		}
		val, err := parseTag(kw.name, v, k)
		if err != nil {
			return d.fail("%v", err)
		}
		dst[kw.name] = val
	}
	return nil
}

// tagKeywords are the JSON Schema keywords a field tag may set, each named
// by its keyword, and the kind of value it applies to ("" for any).
var tagKeywords = []struct {
	name    string
	applies string // "number", "string", "array", or ""
	onArray bool   // set on the array itself, not its items
}{
	{"minimum", "number", false},
	{"maximum", "number", false},
	{"exclusiveMinimum", "number", false},
	{"exclusiveMaximum", "number", false},
	{"multipleOf", "number", false},
	{"minLength", "string", false},
	{"maxLength", "string", false},
	{"pattern", "string", false},
	{"format", "string", false},
	{"enum", "", false},
	{"minItems", "array", true},
	{"maxItems", "array", true},
	{"default", "", true},
}

// valueKind names the kind of JSON value t encodes as.
func valueKind(t reflect.Type, asString bool) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if asString || t == timeType {
		return "string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	if t.Kind() >= reflect.Int && t.Kind() <= reflect.Uintptr {
		return "integer"
	}
	return "other"
}

func kindName(kind string) string {
	switch kind {
	case "array", "object", "integer":
		return "an " + kind
	case "other":
		return "of another kind"
	}
	return "a " + kind
}

// parseTag turns the text of tag kw into its JSON value: a number for the
// bounds, a non-negative integer for the lengths and item counts, text for
// pattern and format, a list of values of the field's kind for enum
// (comma-separated), and one such value for default.
func parseTag(kw, v, kind string) (any, error) {
	switch kw {
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf":
		return number(kw, v)
	case "minLength", "maxLength", "minItems", "maxItems":
		n, err := strconv.ParseUint(v, 10, 31)
		if err != nil {
			return nil, fmt.Errorf("tag %s=%q is not a non-negative integer", kw, v)
		}
		return int(n), nil
	case "pattern", "format":
		if v == "" {
			return nil, fmt.Errorf("tag %s is empty", kw)
		}
		return v, nil
	case "enum":
		var list []any
		for e := range strings.SplitSeq(v, ",") {
			val, err := scalar(kw, strings.TrimSpace(e), kind)
			if err != nil {
				return nil, err
			}
			list = append(list, val)
		}
		return list, nil
	}
	// default: one value of the field's own kind, JSON for the others.
	if kind == "array" || kind == "object" || kind == "other" {
		var val any
		if err := json.Unmarshal([]byte(v), &val); err != nil {
			return nil, fmt.Errorf("tag default=%q is not JSON: %v", v, err)
		}
		return val, nil
	}
	return scalar(kw, v, kind)
}

// scalar parses one enum or default value of kind.
func scalar(kw, v, kind string) (any, error) {
	switch kind {
	case "string":
		return v, nil
	case "boolean":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("tag %s: %q is not true or false", kw, v)
		}
		return b, nil
	case "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("tag %s: %q is not an integer", kw, v)
		}
		return n, nil
	case "number":
		return number(kw, v)
	}
	return nil, fmt.Errorf("tag %s applies to strings, numbers and booleans", kw)
}

// number parses a JSON number, kept as written.
func number(kw, v string) (json.Number, error) {
	if _, err := strconv.ParseFloat(v, 64); err != nil || !json.Valid([]byte(v)) {
		return "", fmt.Errorf("tag %s=%q is not a number", kw, v)
	}
	return json.Number(v), nil
}
