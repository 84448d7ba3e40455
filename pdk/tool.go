package pdk

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/wasmcp/wasmcp/abi"
)

// NewTool returns a tool named name that runs run: its Handler decodes the
// call's arguments into an A (with Call.Args) and returns run's R. Its
// input schema is derived from A, a struct, and its output schema from R;
// see "Schemas" in the package documentation. Options, such as
// Annotations, add to it:
//
//	type helloArgs struct {
//		Login string `json:"login" jsonschema:"A GitHub login." pattern:"^[A-Za-z0-9-]{1,39}$"`
//	}
//	type hello struct {
//		Greeting string `json:"greeting"`
//	}
//	var helloTool = pdk.NewTool("hello", "Greets a GitHub user.", sayHello, pdk.ReadOnly("Hello"))
//	func sayHello(c *pdk.Call, a helloArgs) (hello, error) { ... }
//
// NewTool panics if A is not a struct, or a schema cannot be derived from
// A or R (a recursive type, a channel, a tag that does not parse): like
// Register, at init, so that the plugin's go test fails before it starts.
func NewTool[A, R any](name, description string, run func(c *Call, args A) (R, error), opts ...ToolOption) Tool {
	t := Tool{Name: name, Description: description}
	at := reflect.TypeFor[A]()
	if at.Kind() != reflect.Struct {
		panic(fmt.Sprintf("pdk: NewTool(%q): the arguments type %v is not a struct (use pdk.NoArgs for none)", name, at))
	}
	var err error
	if t.InputSchema, err = schemaOf(at, forArgs); err != nil {
		panic(fmt.Sprintf("pdk: NewTool(%q): arguments %v: %v", name, at, err))
	}
	if t.OutputSchema, err = resultSchema(reflect.TypeFor[R]()); err != nil {
		panic(fmt.Sprintf("pdk: NewTool(%q): result %v: %v", name, reflect.TypeFor[R](), err))
	}
	t.Handler = func(c *Call) (any, error) {
		var a A
		if err := c.Args(&a); err != nil {
			return nil, err
		}
		return run(c, a)
	}
	for _, o := range opts {
		o.applyTo(&t)
	}
	return t
}

// NoArgs is the arguments type of a tool that takes none: its schema is
// the empty object, and a call with any argument is refused.
type NoArgs struct{}

// resultSchema is the output schema of a tool whose Handler returns a t:
// t's own when it is an object; {"result": ...} around it otherwise, as
// the Handler's result is wrapped (see the package documentation); none
// for any JSON (an interface, json.RawMessage).
func resultSchema(t reflect.Type) (map[string]any, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem() // nil is no content, checked as {}
	}
	if t.Kind() == reflect.Interface || t == rawType {
		return nil, nil
	}
	s, err := schemaOf(t, forResult)
	if err != nil {
		return nil, err
	}
	switch ty := s["type"].(type) {
	case string:
		if ty == "object" {
			return s, nil
		}
	case []any:
		if ty[0] == "object" { // a map, nil for no content
			s["type"] = "object"
			return s, nil
		}
	}
	w := map[string]any{
		"type":                 "object",
		"properties":           map[string]any{"result": s},
		"additionalProperties": false,
	}
	if _, null := s["type"].([]any); !null {
		w["required"] = []any{"result"} // a nil slice is no content at all
	}
	return w, nil
}

// ToolOption adds to a tool made by NewTool. Annotations is one.
type ToolOption interface{ applyTo(t *Tool) }

// Annotations are hints about a tool's behaviour for MCP clients; see
// abi.Annotations. A nil hint is not stated, and clients assume MCP's
// default: not read-only, destructive, not idempotent, open world. Use
// Hint to state one, or ReadOnly for the common case.
type Annotations struct {
	// Title is a short name for people.
	Title string
	// ReadOnly: the tool changes nothing. Destructive: it may delete or
	// overwrite. Idempotent: calling it again with the same arguments
	// changes nothing more. OpenWorld: it reaches entities outside the
	// host, such as a web API.
	ReadOnly, Destructive, Idempotent, OpenWorld *bool
}

func (a Annotations) applyTo(t *Tool) { t.Annotations = a }

// Hint returns &b, for a field of Annotations.
func Hint(b bool) *bool { return &b }

// ReadOnly returns the annotations of a tool that only reads from a web
// API, such as one that sends GETs: titled title, read-only, not
// destructive, idempotent, open world.
func ReadOnly(title string) Annotations {
	return Annotations{Title: title, ReadOnly: Hint(true), Destructive: Hint(false), Idempotent: Hint(true), OpenWorld: Hint(true)}
}

// wire returns a as the descriptor carries it; nil when it states nothing.
func (a Annotations) wire() *abi.Annotations {
	if a == (Annotations{}) {
		return nil
	}
	return &abi.Annotations{Title: a.Title, ReadOnlyHint: a.ReadOnly, DestructiveHint: a.Destructive, IdempotentHint: a.Idempotent, OpenWorldHint: a.OpenWorld}
}

// Raw is JSON a tool returns as it is, whose form is T's: usually what the
// host selected from an API's answer (Response.Raw, with SelectOf(T{}) as
// the Select). The tool's output schema is T's with no property required,
// since a selection leaves out what the API did not send; a pointer field
// may be null, as the API may send it.
//
//	func getUser(c *pdk.Call, _ pdk.NoArgs) (pdk.Raw[user], error) {
//		...
//		return pdk.Raw[user](resp.Raw()), nil
//	}
type Raw[T any] json.RawMessage

// MarshalJSON returns r as it is.
func (r Raw[T]) MarshalJSON() ([]byte, error) {
	if r == nil {
		return []byte("null"), nil
	}
	return r, nil
}

func (Raw[T]) rawType() reflect.Type { return reflect.TypeFor[T]() }

func (r Raw[T]) rawJSON() json.RawMessage { return json.RawMessage(r) }
