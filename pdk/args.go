package pdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/wasmcp/wasmcp/internal/safetext"
)

// argsError rewrites an error of decoding the arguments args into v in the
// terms of the tool's arguments, not of Go's types: which argument is
// wrong, and what it must be.
//
//	argument "page" must be an integer, got 1.5
//	argument "sort" must be a string, got 3
//	unknown argument "visibility"; the tool takes per_page, page and sort
func argsError(args map[string]any, v any, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" && te.Type != nil {
		return fmt.Errorf("argument %q %s", te.Field, mismatch(args, te))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("unknown argument %s; %s", name, takes(reflect.TypeOf(v)))
	}
	return err
}

// mismatch says what the value at te.Field must be and what it is.
func mismatch(args map[string]any, te *json.UnmarshalTypeError) string {
	got, found := lookup(args, te.Field)
	kind, num, _ := strings.Cut(te.Value, " ")
	if items, ok := got.([]any); ok && kind != "array" && !isList(te.Type) {
		// The error is about an item of the array: the first of its kind
		// (and value, for a number the decoder quotes).
		for _, it := range items {
			if jsonKind(it) == kind && (num == "" || describe(it, true, "") == num) {
				return fmt.Sprintf("must hold only %s, got %s", plural(te.Type), describe(it, true, te.Value))
			}
		}
		return fmt.Sprintf("must hold only %s", plural(te.Type))
	}
	return fmt.Sprintf("must be %s, got %s", want(te.Type, te.Value), describe(got, found, te.Value))
}

// want describes, for the model, a value that decodes into t; value is
// what the decoder found ("number 300"), to tell an integer out of range
// from one that is no integer.
func want(t reflect.Type, value string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	num, isNum := strings.CutPrefix(value, "number ")
	integral := isNum && strings.Trim(strings.TrimPrefix(num, "-"), "0123456789") == ""
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if integral {
			lo := int64(-1) << (t.Bits() - 1)
			return fmt.Sprintf("an integer from %d to %d", lo, -(lo + 1))
		}
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if integral {
			return fmt.Sprintf("an integer from 0 to %d", ^uint64(0)>>(64-t.Bits()))
		}
		return "an integer of 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "an array"
	case reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.String()
}

// plural is want's noun, for the items of an array.
func plural(t reflect.Type) string {
	w := want(t, "")
	switch {
	case w == "true or false":
		return "true or false values"
	case strings.HasPrefix(w, "an "):
		return w[3:] + "s"
	case strings.HasPrefix(w, "a "):
		return w[2:] + "s"
	}
	return w
}

// describe says what an argument's value is: the value itself when found
// (a string quoted and clipped), else what the decoder said of it.
func describe(v any, found bool, value string) string {
	if !found {
		switch value {
		case "object", "array":
			return "an " + value
		case "bool":
			return "true or false"
		case "string", "number":
			return "a " + value
		}
		return strings.TrimPrefix(value, "number ")
	}
	switch v := v.(type) {
	case string:
		return "the string " + strconv.Quote(safetext.Clip(v, 40))
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return value
	}
	return safetext.Clip(string(b), 40)
}

// jsonKind is the decoder's word for the kind of a JSON value.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case nil:
		return "null"
	}
	return "number"
}

// lookup finds the value at a decoder's field path ("filter.since").
func lookup(args map[string]any, path string) (any, bool) {
	var cur any = args
	for name := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[name]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func isList(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Slice || t.Kind() == reflect.Array
}

// takes lists the arguments a value of type t (a pointer to a struct)
// decodes, as its json tags name them.
func takes(t reflect.Type) string {
	var names []string
	if t != nil {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() == reflect.Struct {
			names = argNames(t)
		}
	}
	switch len(names) {
	case 0:
		return "the tool takes no arguments"
	case 1:
		return "the tool takes only " + names[0]
	}
	return "the tool takes " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// argNames returns the JSON names of the fields of struct type t, those of
// embedded structs included.
func argNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			names = append(names, argNames(ft)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}
