package host

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/wasmcp/wasmcp/internal/safetext"
)

var printer = message.NewPrinter(language.English)

// argsSchema validates a tool's arguments against the JSON Schema its plugin
// declared. It is compiled once, when the plugin loads.
type argsSchema struct{ s *jsonschema.Schema }

// noLoader refuses every $ref that leaves the schema document: a plugin's
// schema must not make the host read files or reach the network.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external schema reference %q is not allowed", url)
}

// compileSchema compiles a tool's input schema, once checkDescriptor has
// bounded it (see descriptor.go) and found it an object schema, as MCP
// requires of tool inputs.
func compileSchema(tool string, schema map[string]any) (*argsSchema, error) {
	doc, err := toJSONValue(schema)
	if err != nil {
		return nil, schemaError(tool, err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	const loc = "mem://input.json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, schemaError(tool, err)
	}
	s, err := c.Compile(loc)
	if err != nil {
		return nil, schemaError(tool, err)
	}
	return &argsSchema{s}, nil
}

// schemaError words a compiler's error on one line, bounded: it may quote
// the schema, and it goes to the log and to "host plugins".
func schemaError(tool string, err error) error {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	msg := strings.Join(lines, "; ")
	return fmt.Errorf("tool %q: inputSchema: %s", tool, safetext.Bounded(msg, 1<<10))
}

// validate checks args; its error reads well in a tool result.
func (a *argsSchema) validate(args map[string]any) error {
	if args == nil {
		args = map[string]any{}
	}
	v, err := toJSONValue(args)
	if err != nil {
		return err
	}
	err = a.s.Validate(v)
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return errors.New(flattenValidation(ve))
	}
	return err
}

// flattenValidation lists the leaf causes as "at /path: message" lines
// without the schema URLs, which mean nothing to a model.
func flattenValidation(ve *jsonschema.ValidationError) string {
	var b bytes.Buffer
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			loc := "/"
			for i, p := range e.InstanceLocation {
				if i == 0 {
					loc = ""
				}
				loc += "/" + p
			}
			fmt.Fprintf(&b, "at %s: %s", loc, e.ErrorKind.LocalizedString(printer))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return b.String()
}

// toJSONValue turns decoded JSON (float64 numbers) into the form the
// validator expects (json.Number).
func toJSONValue(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(raw))
}
