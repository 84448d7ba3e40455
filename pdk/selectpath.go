package pdk

import (
	"reflect"
	"strings"
)

// SelectOf returns the Request.Select path that keeps, of an API's JSON
// answer, just the fields the type of v decodes: v is a struct, or a slice
// or array of structs for an answer that is a JSON array. Each field is
// kept under its json tag name; a `select:"path"` tag takes the field from
// elsewhere in the object (a GJSON path, e.g. `select:"owner.login"`), and
// a struct-typed field keeps its own fields. Embedded structs add theirs.
//
//	type repo struct {
//		FullName string `json:"full_name"`
//		Owner    string `json:"owner" select:"owner.login"`
//	}
//	SelectOf([]repo{}) == "#.{full_name,owner:owner.login}"
//
// Compute it once, in a package variable: it walks the type by reflection.
func SelectOf(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "#." + selectStruct(t.Elem())
	}
	return selectStruct(t)
}

func selectStruct(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return "@this"
	}
	var parts []string
	addFields(t, "", &parts)
	return "{" + strings.Join(parts, ",") + "}"
}

// addFields appends the multipath entries of t's fields, their paths under
// prefix (for fields of an embedded struct the object is the same).
func addFields(t reflect.Type, prefix string, parts *[]string) {
	for f := range t.Fields() {
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			addFields(ft, prefix, parts)
			continue
		}
		if name == "" {
			name = f.Name
		}
		path := f.Tag.Get("select")
		switch {
		case path != "":
			*parts = append(*parts, name+":"+path)
		case ft.Kind() == reflect.Struct:
			*parts = append(*parts, name+":"+name+"."+selectStruct(ft))
		case (ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array) && elemStruct(ft):
			*parts = append(*parts, name+":"+name+".#."+selectStruct(ft.Elem()))
		default:
			*parts = append(*parts, name)
		}
	}
}

func elemStruct(t reflect.Type) bool {
	e := t.Elem()
	for e.Kind() == reflect.Pointer {
		e = e.Elem()
	}
	return e.Kind() == reflect.Struct
}
