// Package pdk is the guest kit for wasmcp plugins: a plugin written in Go
// imports it, describes its tools, and gets a Wasm module that speaks the
// contract of package abi.
//
// A plugin is a package main that registers one Plugin from init and has an
// empty main. A tool is a function from a Call and its arguments, a struct,
// to its result; NewTool derives the tool's schemas from the two types:
//
//	package main
//
//	import "github.com/wasmcp/wasmcp/pdk"
//
//	var api = pdk.NewClient("GitHub", "https://api.github.com")
//
//	type helloArgs struct {
//		Login string `json:"login" pattern:"^[A-Za-z0-9-]{1,39}$" jsonschema:"A GitHub login."`
//	}
//
//	type greeting struct {
//		Name     string `json:"name"`
//		Repos    int    `json:"public_repos"`
//		Greeting string `json:"greeting"`
//	}
//
//	func hello(c *pdk.Call, a helloArgs) (g greeting, err error) {
//		if _, err = api.Get(c, "/users/"+a.Login, &g); err == nil {
//			g.Greeting = "Hello, " + g.Name + "!"
//		}
//		return g, err
//	}
//
//	var plugin = pdk.Plugin{Name: "hello", Version: "0.1.0", Provider: "github", Hosts: []string{"https://api.github.com"},
//		Tools: []pdk.Tool{pdk.NewTool("hello", "Greets a GitHub user by name.", hello, pdk.ReadOnly("Hello"))}}
//
//	func init() { pdk.Register(plugin) }
//
//	func main() {}
//
// That is the whole of examples/hello (30 lines); its test, with pdktest,
// is 18.
//
// Build it with stock Go; -buildmode=c-shared is required, because it is what
// gives the module the _initialize export that runs init:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o hello.wasm .
//
// # What the kit does for a plugin
//
// Importing pdk in a wasip1 build adds the exports abi.ExportDescribe and
// abi.ExportCall to the module (they live in this package, so a plugin
// writes no boilerplate) and the imports abi.FuncHTTPRequest and
// abi.FuncLog. Describe answers with the registered Plugin as an
// abi.Descriptor. Call decodes an abi.CallRequest, runs the named tool's
// Handler, and answers with an abi.CallResult:
//
//   - a Handler's result becomes CallResult.Content: it is encoded to JSON,
//     and a value that does not encode to a JSON object is wrapped as
//     {"result": value};
//   - a Handler's error, of any type, becomes a result with IsError set and
//     the error's text as Message: the model reads it. Write messages for
//     that reader (CheckStatus does, for HTTP statuses);
//   - an unknown tool is such an error result too.
//
// A request the guest cannot decode, or a call with no registered plugin, is
// a plugin failure: the export sets an Extism error and returns 1. A panic in
// a Handler is recovered by the export, logged with its stack through
// abi.FuncLog at level "error", and reported the same way (Extism error,
// return code 1), so the host discards the instance, as abi requires. A
// fatal runtime error (out of memory, stack exhaustion) cannot be recovered:
// it traps, as does a panic during init, whose message goes only to the
// module's stderr.
//
// # Schemas
//
// NewTool derives the input schema from the arguments type and the output
// schema from the result type, by the rules encoding/json follows, so that
// each says what the tool decodes and encodes:
//
//   - a struct is an object of its fields under their json names, those of
//     embedded structs promoted, and no others;
//   - bool, integer, float and string types are boolean, integer (int8 to
//     int32 and unsigned types with their range), number and string;
//     time.Time is a date-time string, []byte a base64 string, a slice or
//     an array an array, a map an object; an interface or json.RawMessage
//     is any JSON;
//   - an argument is required unless its field is a pointer or has
//     omitempty, and none may be null;
//   - a result field is required unless it has omitempty, and one that
//     encodes as null when nil (a pointer, a slice, a map) may be null; a
//     result that is not an object is wrapped as Handler results are;
//   - Raw[T], JSON passed on as the host selected it, has T's schema with
//     no field required; a pointer field may be null.
//
// Tags add to a field's schema: `jsonschema:"..."` is its description (as
// github.com/google/jsonschema-go reads it), and a tag named after a JSON
// Schema keyword sets it, typed by the field: minimum, maximum,
// exclusiveMinimum, exclusiveMaximum and multipleOf on numbers; minLength,
// maxLength, pattern and format on strings; enum (comma-separated values)
// and default on any; minItems and maxItems on slices, whose other
// keywords apply to their items:
//
//	type listArgs struct {
//		PerPage *int     `json:"per_page" minimum:"1" maximum:"100" default:"30" jsonschema:"Items per page."`
//		Sort    *string  `json:"sort" enum:"created,updated"`
//		Labels  []string `json:"labels,omitempty" maxItems:"5" maxLength:"50"`
//	}
//
// A default tells the model what the API does without the argument; the
// tool gets nil, so a field with a default must be optional. A tag that
// does not parse or does not fit its field, and a type with no derivable
// schema (a channel, a recursive type, a type with its own MarshalJSON),
// make NewTool panic, at init. A Tool written out may set InputSchema and
// OutputSchema by hand instead.
//
// The host compiles every schema when it loads the plugin, and checks each
// call's arguments before the tool runs and each result before it answers
// (a result that does not match is a tool error naming the mismatch).
// pdktest does the same with the host's own code, so a schema or a result
// the host would refuse fails the plugin's go test.
//
// # Requests
//
// A Client holds what every request to one API shares: the base URL, the
// headers, the API's name in errors. Its Get and Post check the answer (a
// status other than 2xx is a StatusError written for the model) and decode
// the JSON into a value; Query and Select adjust one request. Path builds a
// path from arguments, escaping each segment and refusing "." and "..",
// which the host would refuse. Response.NextPage reads the page number of
// a Link header's rel="next". The host's request rules (which headers it
// owns, what URLs it refuses) are listed on Request.
//
// # Testing tools natively
//
// Everything except the Wasm glue compiles for the host too, so tools are
// unit-tested with plain go test: package pdktest runs a Plugin's tools
// against a fake host that answers HTTP requests from a function or an
// http.Handler and records what the tool sent. No network and no Wasm
// runtime are involved.
//
// # State
//
// The only package state is the Plugin given to Register, set once during
// init. Each call gets its own Call value; nothing survives between calls
// that the plugin does not keep itself.
package pdk
