package pdk

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// The schemas of NewTool, derived from Go types by reflection, the way
// encoding/json encodes and decodes them. See the package documentation,
// "Schemas", for the rules and the tags.
//
// This kit derives them itself, in a few hundred lines, rather than with
// github.com/google/jsonschema-go: linked into a guest that package adds
// 1.1 MB of Wasm to a 3.7 MB plugin (this code adds 90 KB), which the host
// compiles and every instance maps; and its rules are not the ones a tool
// needs (a pointer argument is required but nullable there, optional
// here; no bounds or enums from tags). See RATIONALE.md.

// use says which side of a call a schema describes.
type use int

const (
	// forArgs: the arguments a client sends, which Call.Args decodes. A
	// field is required unless it is a pointer or has omitempty or omitzero;
	// nothing may be null.
	forArgs use = iota
	// forResult: what encoding/json writes of a Handler's result. A field is
	// required unless it has omitempty or omitzero; a nil pointer, slice or
	// map, written as null, may be null.
	forResult
	// forRaw: JSON the host selected from an API's answer (Raw). A selection
	// leaves out what the API did not send, so nothing is required; a
	// pointer field may be null.
	forRaw
)

// deriver derives the schema of one type.
type deriver struct {
	use  use
	path []string              // the Go fields from the root, for errors
	seen map[reflect.Type]bool // the structs being derived: a cycle is refused
}

// schemaOf returns the JSON Schema of t for use u.
func schemaOf(t reflect.Type, u use) (map[string]any, error) {
	d := &deriver{use: u, seen: map[reflect.Type]bool{}}
	return d.schema(t)
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	rawType       = reflect.TypeFor[json.RawMessage]()
	numberType    = reflect.TypeFor[json.Number]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
	rawOfType     = reflect.TypeFor[rawOf]()
)

// rawOf is implemented by Raw[T]: T is the type the raw JSON has.
type rawOf interface{ rawType() reflect.Type }

func (d *deriver) fail(format string, args ...any) error {
	where := ""
	if len(d.path) > 0 {
		where = "field " + strings.Join(d.path, ".") + ": "
	}
	return fmt.Errorf(where+format, args...)
}

// schema is the schema of a value of type t.
func (d *deriver) schema(t reflect.Type) (map[string]any, error) {
	if t.Kind() == reflect.Pointer {
		s, err := d.schema(t.Elem())
		if err == nil && d.use != forArgs {
			s = nullable(s)
		}
		return s, err
	}
	switch {
	case t.Implements(rawOfType):
		inner := reflect.Zero(t).Interface().(rawOf).rawType()
		saved := d.use
		d.use = forRaw
		defer func() { d.use = saved }()
		return d.schema(inner)
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}, nil
	case t == rawType:
		return map[string]any{}, nil // any JSON
	case t == numberType:
		return map[string]any{"type": "number"}, nil
	case t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType):
		return nil, d.fail("type %v encodes itself as JSON (MarshalJSON), so its schema cannot be derived: write the tool's schema by hand", t)
	case t.Implements(textType) || reflect.PointerTo(t).Implements(textType):
		return map[string]any{"type": "string"}, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}, nil
	case reflect.Int8, reflect.Int16, reflect.Int32:
		bits := t.Bits()
		return map[string]any{"type": "integer", "minimum": -(int64(1) << (bits - 1)), "maximum": int64(1)<<(bits-1) - 1}, nil
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		return map[string]any{"type": "integer", "minimum": 0}, nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer", "minimum": 0, "maximum": uint64(1)<<t.Bits() - 1}, nil
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}, nil
	case reflect.String:
		return map[string]any{"type": "string"}, nil
	case reflect.Interface:
		return map[string]any{}, nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return d.nullable(t, map[string]any{"type": "string", "contentEncoding": "base64"}), nil
		}
		items, err := d.schema(t.Elem())
		if err != nil {
			return nil, err
		}
		s := map[string]any{"type": "array", "items": items}
		if t.Kind() == reflect.Array {
			s["minItems"], s["maxItems"] = t.Len(), t.Len()
		}
		return d.nullable(t, s), nil
	case reflect.Map:
		switch k := t.Key(); {
		case k.Kind() == reflect.String, k.Implements(textType), k.Kind() >= reflect.Int && k.Kind() <= reflect.Uintptr:
		default:
			return nil, d.fail("map key type %v has no JSON form", k)
		}
		values, err := d.schema(t.Elem())
		if err != nil {
			return nil, err
		}
		return d.nullable(t, map[string]any{"type": "object", "additionalProperties": values}), nil
	case reflect.Struct:
		return d.object(t)
	}
	return nil, d.fail("type %v has no JSON form", t)
}

// nullable is s for a slice or map type t: null too in a result, which
// encoding/json writes for a nil one.
func (d *deriver) nullable(t reflect.Type, s map[string]any) map[string]any {
	if d.use == forResult && t.Kind() != reflect.Array {
		return nullable(s)
	}
	return s
}

// nullable returns s allowing null as well.
func nullable(s map[string]any) map[string]any {
	switch ty := s["type"].(type) {
	case string:
		s["type"] = []any{ty, "null"}
	case nil:
		// no type: null is allowed already
	}
	return s
}

// object is the schema of a struct: its fields as encoding/json sees them,
// no others.
func (d *deriver) object(t reflect.Type) (map[string]any, error) {
	if d.seen[t] {
		return nil, d.fail("type %v contains itself, so its schema cannot be derived: write the tool's schema by hand", t)
	}
	d.seen[t] = true
	defer delete(d.seen, t)

	fields, err := d.fields(t)
	if err != nil {
		return nil, err
	}
	props := make(map[string]any, len(fields))
	var required []any
	for _, f := range fields {
		d.path = append(d.path, f.goName)
		s, err := d.field(f)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return nil, err
		}
		props[f.name] = s
		if d.required(f) {
			required = append(required, f.name)
		}
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s, nil
}

// required reports whether f must be present.
func (d *deriver) required(f jsonField) bool {
	switch {
	case d.use == forRaw || f.omitempty:
		return false
	case d.use == forArgs:
		return f.typ.Kind() != reflect.Pointer
	}
	return true
}

// field is the schema of one field, its tags applied.
func (d *deriver) field(f jsonField) (map[string]any, error) {
	var s map[string]any
	var err error
	if f.asString {
		s = map[string]any{"type": "string"}
	} else if s, err = d.schema(f.typ); err != nil {
		return nil, err
	}
	if d.use == forResult && f.omitempty {
		// encoding/json leaves a nil pointer, slice or map out: never null.
		if ty, ok := s["type"].([]any); ok && len(ty) == 2 && ty[1] == "null" {
			s["type"] = ty[0]
		}
	}
	if err := d.applyTags(s, f); err != nil {
		return nil, err
	}
	if _, ok := f.tag.Lookup("default"); ok && d.use == forArgs && d.required(f) {
		return nil, d.fail("a default, but the argument is required: make the field a pointer, or add omitempty (the tool gets the zero value when the argument is absent, not the default)")
	}
	return s, nil
}

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	name      string // its JSON name
	goName    string
	typ       reflect.Type
	tag       reflect.StructTag
	omitempty bool // omitempty or omitzero
	asString  bool // the ",string" option on a number or bool
	depth     int  // of embedding
	tagged    bool // named by its json tag
}

// fields lists the fields of struct t as encoding/json encodes them,
// embedded structs' promoted: a field hides the deeper ones of its name,
// and a json-tagged one the untagged ones at its depth. Two that tie are a
// mistake encoding/json ignores silently (it drops both); here it is an
// error.
func (d *deriver) fields(t reflect.Type) ([]jsonField, error) {
	var all []jsonField
	d.collect(t, 0, map[reflect.Type]bool{}, &all)
	byName := map[string]int{} // the index in out of the field kept
	var out []jsonField
	for _, f := range all {
		i, ok := byName[f.name]
		if !ok {
			byName[f.name] = len(out)
			out = append(out, f)
			continue
		}
		o := out[i]
		switch {
		case f.depth > o.depth || (f.depth == o.depth && o.tagged && !f.tagged):
			// hidden by o
		case f.depth < o.depth || (f.depth == o.depth && f.tagged && !o.tagged):
			out[i] = f
		default:
			return nil, d.fail("fields %s and %s of %v both encode as %q: rename one with a json tag", o.goName, f.goName, t, f.name)
		}
	}
	return out, nil
}

// collect appends the fields of t at depth, walking embedded structs.
func (d *deriver) collect(t reflect.Type, depth int, visiting map[reflect.Type]bool, all *[]jsonField) {
	if visiting[t] {
		return
	}
	visiting[t] = true
	defer delete(visiting, t)
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if name == "" && et.Kind() == reflect.Struct {
				d.collect(et, depth+1, visiting, all)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		jf := jsonField{name: name, goName: f.Name, typ: ft, tag: f.Tag, depth: depth, tagged: name != ""}
		if name == "" {
			jf.name = f.Name
		}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "omitempty", "omitzero":
				jf.omitempty = true
			case "string":
				switch k := derefKind(ft); {
				case k == reflect.Bool, k >= reflect.Int && k <= reflect.Float64:
					jf.asString = true
				}
			}
		}
		*all = append(*all, jf)
	}
}

func derefKind(t reflect.Type) reflect.Kind {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind()
}
