package host

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
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

// compileSchema compiles a tool's input schema. The schema must describe an
// object, as MCP requires of tool inputs.
func compileSchema(tool string, schema map[string]any) (*argsSchema, error) {
	if schema == nil {
		return nil, fmt.Errorf("tool %q has no inputSchema", tool)
	}
	if t, _ := schema["type"].(string); t != "object" {
		return nil, fmt.Errorf("tool %q: inputSchema must have \"type\": \"object\"", tool)
	}
	doc, err := toJSONValue(schema)
	if err != nil {
		return nil, fmt.Errorf("tool %q: inputSchema: %w", tool, err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	const loc = "mem://input.json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("tool %q: inputSchema: %w", tool, err)
	}
	s, err := c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("tool %q: inputSchema: %w", tool, err)
	}
	return &argsSchema{s}, nil
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
