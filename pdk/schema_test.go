package pdk

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wasmcp/wasmcp/abi"
)

// schemaJSON derives the schema of T for u, as JSON.
func schemaJSON[T any](t *testing.T, u use) string {
	t.Helper()
	s, err := schemaOf(reflect.TypeFor[T](), u)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type pageArgs struct {
	PerPage *int       `json:"per_page" minimum:"1" maximum:"100" default:"30" jsonschema:"Items per page."`
	Sort    *string    `json:"sort" enum:"created, updated"`
	Owner   string     `json:"owner" pattern:"^[a-z]+$" maxLength:"39"`
	Labels  []string   `json:"labels,omitempty" enum:"bug,docs" maxItems:"3"`
	Small   int8       `json:"small,omitempty"`
	Count   uint16     `json:"count,omitempty"`
	Ratio   float64    `json:"ratio,omitempty" exclusiveMinimum:"0" multipleOf:"0.5"`
	Since   *time.Time `json:"since"`
	Draft   *bool      `json:"draft" default:"false"`
	ID      int64      `json:"id,string,omitempty"`
	skipped int
	Ignored string `json:"-"`
}

// TestArgsSchema: argument structs derive closed object schemas; a pointer
// or omitempty field is optional and nothing may be null; tags set the
// keywords they name, typed by the field (a slice's on its items).
func TestArgsSchema(t *testing.T) {
	got := schemaJSON[pageArgs](t, forArgs)
	want := `{"additionalProperties":false,"properties":{` +
		`"count":{"maximum":65535,"minimum":0,"type":"integer"},` +
		`"draft":{"default":false,"type":"boolean"},` +
		`"id":{"type":"string"},` +
		`"labels":{"items":{"enum":["bug","docs"],"type":"string"},"maxItems":3,"type":"array"},` +
		`"owner":{"maxLength":39,"pattern":"^[a-z]+$","type":"string"},` +
		`"per_page":{"default":30,"description":"Items per page.","maximum":100,"minimum":1,"type":"integer"},` +
		`"ratio":{"exclusiveMinimum":0,"multipleOf":0.5,"type":"number"},` +
		`"since":{"format":"date-time","type":"string"},` +
		`"small":{"maximum":127,"minimum":-128,"type":"integer"},` +
		`"sort":{"enum":["created","updated"],"type":"string"}},` +
		`"required":["owner"],"type":"object"}`
	if got != want {
		t.Errorf("schema =\n%s\nwant\n%s", got, want)
	}
	if got := schemaJSON[NoArgs](t, forArgs); got != `{"additionalProperties":false,"properties":{},"type":"object"}` {
		t.Errorf("NoArgs: %s", got)
	}
}

type owner struct {
	Login string `json:"login"`
}

type base struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type sampleResult struct {
	base
	Name     string            `json:"name"` // hides base's
	Owner    *owner            `json:"owner"`
	Topics   []string          `json:"topics"`
	Extra    map[string]int    `json:"extra,omitempty"`
	Note     *string           `json:"note,omitempty"`
	Any      any               `json:"any"`
	Raw      json.RawMessage   `json:"raw,omitempty"`
	Size     json.Number       `json:"size"`
	Pair     [2]int            `json:"pair"`
	Blob     []byte            `json:"blob,omitempty"`
	Children []sampleItem      `json:"children,omitempty"`
	Labels   map[string]string `json:"labels"`
}

type sampleItem struct {
	At time.Time `json:"at"`
}

// TestResultSchema: in a result, a field is required unless omitempty; a
// nil pointer, slice or map that encoding/json writes as null may be null;
// embedded structs are flattened as encoding/json flattens them.
func TestResultSchema(t *testing.T) {
	got := schemaJSON[sampleResult](t, forResult)
	want := `{"additionalProperties":false,"properties":{` +
		`"any":{},` +
		`"blob":{"contentEncoding":"base64","type":"string"},` +
		`"children":{"items":{"additionalProperties":false,"properties":{"at":{"format":"date-time","type":"string"}},"required":["at"],"type":"object"},"type":"array"},` +
		`"extra":{"additionalProperties":{"type":"integer"},"type":"object"},` +
		`"id":{"type":"integer"},` +
		`"labels":{"additionalProperties":{"type":"string"},"type":["object","null"]},` +
		`"name":{"type":"string"},` +
		`"note":{"type":"string"},` +
		`"owner":{"additionalProperties":false,"properties":{"login":{"type":"string"}},"required":["login"],"type":["object","null"]},` +
		`"pair":{"items":{"type":"integer"},"maxItems":2,"minItems":2,"type":"array"},` +
		`"raw":{},` +
		`"size":{"type":"number"},` +
		`"topics":{"items":{"type":"string"},"type":["array","null"]}},` +
		`"required":["id","name","owner","topics","any","size","pair","labels"],"type":"object"}`
	if got != want {
		t.Errorf("schema =\n%s\nwant\n%s", got, want)
	}
}

// TestRawSchema: JSON the host selected may lack any field, and holds null
// only where T has a pointer.
func TestRawSchema(t *testing.T) {
	type repo struct {
		FullName    string   `json:"full_name"`
		Description *string  `json:"description"`
		Topics      []string `json:"topics"`
		Owner       owner    `json:"owner"`
	}
	got, err := resultSchema(reflect.TypeFor[Raw[[]repo]]())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	want := `{"additionalProperties":false,"properties":{"result":{"items":{"additionalProperties":false,"properties":{` +
		`"description":{"type":["string","null"]},"full_name":{"type":"string"},` +
		`"owner":{"additionalProperties":false,"properties":{"login":{"type":"string"}},"type":"object"},` +
		`"topics":{"items":{"type":"string"},"type":"array"}},"type":"object"},"type":"array"}},` +
		`"required":["result"],"type":"object"}`
	if string(b) != want {
		t.Errorf("schema =\n%s\nwant\n%s", b, want)
	}
}

// TestResultSchemaWrapping: a result that is not an object is wrapped as
// the Handler's result is, {"result": ...}; none is declared for any JSON.
func TestResultSchemaWrapping(t *testing.T) {
	for _, tt := range []struct {
		t    reflect.Type
		want string
	}{
		{reflect.TypeFor[owner](), `{"additionalProperties":false,"properties":{"login":{"type":"string"}},"required":["login"],"type":"object"}`},
		{reflect.TypeFor[*owner](), `{"additionalProperties":false,"properties":{"login":{"type":"string"}},"required":["login"],"type":"object"}`},
		{reflect.TypeFor[map[string]int](), `{"additionalProperties":{"type":"integer"},"type":"object"}`},
		{reflect.TypeFor[int](), `{"additionalProperties":false,"properties":{"result":{"type":"integer"}},"required":["result"],"type":"object"}`},
		{reflect.TypeFor[[]string](), `{"additionalProperties":false,"properties":{"result":{"items":{"type":"string"},"type":["array","null"]}},"type":"object"}`},
		{reflect.TypeFor[any](), `null`},
		{reflect.TypeFor[json.RawMessage](), `null`},
	} {
		s, err := resultSchema(tt.t)
		if err != nil {
			t.Fatalf("%v: %v", tt.t, err)
		}
		if b, _ := json.Marshal(s); string(b) != tt.want {
			t.Errorf("%v: %s, want %s", tt.t, b, tt.want)
		}
	}
}

type loop struct {
	Next *loop `json:"next"`
}

type marshals struct{}

func (marshals) MarshalJSON() ([]byte, error) { return []byte(`1`), nil }

// TestSchemaErrors: what cannot be derived, or a tag that does not parse or
// does not fit its field, is an error naming the field.
func TestSchemaErrors(t *testing.T) {
	for _, tt := range []struct {
		t    reflect.Type
		u    use
		want string
	}{
		{reflect.TypeFor[loop](), forResult, "field Next: type pdk.loop contains itself"},
		{reflect.TypeFor[struct {
			C chan int `json:"c"`
		}](), forResult, "field C: type chan int has no JSON form"},
		{reflect.TypeFor[struct {
			M map[[2]int]int `json:"m"`
		}](), forResult, "field M: map key type [2]int has no JSON form"},
		{reflect.TypeFor[struct {
			M marshals `json:"m"`
		}](), forResult, "field M: type pdk.marshals encodes itself as JSON (MarshalJSON)"},
		{reflect.TypeFor[struct {
			N int `json:"n" minimum:"one"`
		}](), forArgs, `field N: tag minimum="one" is not a number`},
		{reflect.TypeFor[struct {
			N int `json:"n" maximum:"0x10"`
		}](), forArgs, `field N: tag maximum="0x10" is not a number`},
		{reflect.TypeFor[struct {
			N int `json:"n" pattern:"^a"`
		}](), forArgs, "field N: tag pattern applies to string values, and the field is an integer"},
		{reflect.TypeFor[struct {
			S string `json:"s" minimum:"1"`
		}](), forArgs, "field S: tag minimum applies to number values, and the field is a string"},
		{reflect.TypeFor[struct {
			S string `json:"s" minItems:"1"`
		}](), forArgs, "field S: tag minItems applies to array values, and the field is a string"},
		{reflect.TypeFor[struct {
			S string `json:"s" maxLength:"-1"`
		}](), forArgs, `field S: tag maxLength="-1" is not a non-negative integer`},
		{reflect.TypeFor[struct {
			N *int `json:"n" enum:"1,two"`
		}](), forArgs, `field N: tag enum: "two" is not an integer`},
		{reflect.TypeFor[struct {
			B *bool `json:"b" default:"yes"`
		}](), forArgs, `field B: tag default: "yes" is not true or false`},
		{reflect.TypeFor[struct {
			N int `json:"n" default:"30"`
		}](), forArgs, "field N: a default, but the argument is required"},
		{reflect.StructOf([]reflect.StructField{ // built here, as vet refuses it written out
			{Name: "A", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
			{Name: "B", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
		}), forArgs, `fields A and B of struct { A string "json:\"x\""; B string "json:\"x\"" } both encode as "x"`},
	} {
		_, err := schemaOf(tt.t, tt.u)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.t, err, tt.want)
		}
	}
}

// TestNewTool: the Handler decodes the arguments into A and returns run's
// result; the schemas come from A and R; options annotate.
func TestNewTool(t *testing.T) {
	type args struct {
		Login string `json:"login"`
	}
	tool := NewTool("hello", "Greets.", func(c *Call, a args) (owner, error) {
		return owner{Login: "hello " + a.Login}, nil
	}, ReadOnly("Hello"))
	if tool.Name != "hello" || tool.Description != "Greets." || tool.InputSchema["required"].([]any)[0] != "login" ||
		tool.OutputSchema["required"].([]any)[0] != "login" {
		t.Errorf("tool = %+v", tool)
	}
	want := Annotations{Title: "Hello", ReadOnly: Hint(true), Destructive: Hint(false), Idempotent: Hint(true), OpenWorld: Hint(true)}
	if !reflect.DeepEqual(tool.Annotations, want) {
		t.Errorf("annotations = %+v", tool.Annotations)
	}
	p := Plugin{Name: "p", Provider: "x", Tools: []Tool{tool}}
	res := p.Handle(nil, callRequest("hello", map[string]any{"login": "octocat"}))
	if res.IsError || res.Content["login"] != "hello octocat" {
		t.Errorf("result = %+v", res)
	}
	if res := p.Handle(nil, callRequest("hello", map[string]any{"login": 1})); !res.IsError {
		t.Errorf("bad arguments: %+v, want an error", res)
	}
	d := p.Descriptor().Tools[0]
	if d.Annotations == nil || d.Annotations.Title != "Hello" || !*d.Annotations.ReadOnlyHint || d.OutputSchema == nil {
		t.Errorf("descriptor tool = %+v", d)
	}
}

func TestNewToolPanics(t *testing.T) {
	for name, fn := range map[string]func(){
		"arguments not a struct": func() { NewTool("t", "", func(*Call, int) (owner, error) { return owner{}, nil }) },
		"recursive result":       func() { NewTool("t", "", func(*Call, NoArgs) (loop, error) { return loop{}, nil }) },
		"bad tag": func() {
			NewTool("t", "", func(*Call, struct {
				N int `json:"n" minimum:"one"`
			}) (owner, error) {
				return owner{}, nil
			})
		},
	} {
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.HasPrefix(v.(string), `pdk: NewTool("t"): `) {
					t.Errorf("%s: panic %v", name, v)
				}
			}()
			fn()
		}()
	}
}

// TestRawResult: a Raw result is passed on as it is, unchecked.
func TestRawResult(t *testing.T) {
	p := Plugin{Name: "p", Provider: "x", Tools: []Tool{NewTool("t", "", func(*Call, NoArgs) (Raw[owner], error) {
		return Raw[owner](`{"login":"octocat"}`), nil
	})}}
	if r := p.handle(nil, callRequest("t", nil)); string(r.Content) != `{"login":"octocat"}` {
		t.Errorf("content = %s", r.Content)
	}
	if b, err := json.Marshal(struct{ R Raw[owner] }{}); err != nil || string(b) != `{"R":null}` {
		t.Errorf("a nil Raw encodes as %s, %v", b, err)
	}
}

func callRequest(tool string, args map[string]any) abi.CallRequest {
	return abi.CallRequest{Tool: tool, Arguments: args}
}

// TestDescriptorMetadata: a Tool written out carries its output schema and
// annotations to the descriptor; the zero Annotations states none, as an
// older plugin's tools; an output schema that is not an object schema is
// refused at Register.
func TestDescriptorMetadata(t *testing.T) {
	out := map[string]any{"type": "object"}
	p := Plugin{Name: "p", Provider: "x", Tools: []Tool{
		{Name: "a", Handler: func(*Call) (any, error) { return nil, nil }, OutputSchema: out, Annotations: Annotations{Title: "A", OpenWorld: Hint(false)}},
		{Name: "b", Handler: func(*Call) (any, error) { return nil, nil }},
	}}
	d := p.Descriptor()
	b, _ := json.Marshal(d.Tools)
	want := `[{"name":"a","description":"","inputSchema":{"additionalProperties":false,"properties":{},"type":"object"},"outputSchema":{"type":"object"},"annotations":{"title":"A","openWorldHint":false}},` +
		`{"name":"b","description":"","inputSchema":{"additionalProperties":false,"properties":{},"type":"object"}}]`
	if string(b) != want {
		t.Errorf("tools =\n%s\nwant\n%s", b, want)
	}
	p.Tools[0].OutputSchema = map[string]any{"type": "array"}
	if err := p.validate(); err == nil || !strings.Contains(err.Error(), `tool "a": OutputSchema must have "type": "object"`) {
		t.Errorf("validate() = %v", err)
	}
}
