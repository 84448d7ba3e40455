// Package toolschema compiles the JSON Schemas a plugin declares for a tool
// (abi.Tool's InputSchema and OutputSchema) and validates values against
// them. It is the one implementation: the host compiles a plugin's schemas
// when it loads it and validates every call's arguments and result, and
// pdktest does the same in a plugin's own go test, so that a schema or a
// value the host would refuse fails there first.
//
// Schemas are compiled by github.com/santhosh-tekuri/jsonschema (the
// draft 2020-12 dialect unless "$schema" says otherwise), with every $ref
// that leaves the schema refused: a plugin's schema must not make the host
// read files or reach the network. Errors are one line, bounded and
// escaped, since they quote what a plugin (or a client) wrote.
package toolschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// maxCompileError caps the text of a compile error.
const maxCompileError = 1 << 10

// Schema is a compiled schema. It is safe for concurrent use.
type Schema struct{ s *jsonschema.Schema }

// Tool holds the compiled schemas of one tool: In always, Out when the
// tool declared an output schema.
type Tool struct {
	In, Out *Schema
}

// CompileTool compiles t's schemas, after checking that each is an object
// schema ("type": "object"), as MCP requires of a tool's input and output
// schemas. An error names the tool and the schema.
func CompileTool(t abi.Tool) (Tool, error) {
	var ts Tool
	if t.InputSchema == nil {
		return ts, fmt.Errorf("tool %q has no inputSchema", t.Name)
	}
	var err error
	if ts.In, err = compileObject(t.InputSchema); err != nil {
		return ts, fmt.Errorf("tool %q: inputSchema: %w", t.Name, err)
	}
	if t.OutputSchema != nil {
		if ts.Out, err = compileObject(t.OutputSchema); err != nil {
			return ts, fmt.Errorf("tool %q: outputSchema: %w", t.Name, err)
		}
	}
	return ts, nil
}

func compileObject(schema map[string]any) (*Schema, error) {
	if !IsObject(schema) {
		return nil, fmt.Errorf(`it must have "type": "object"`)
	}
	return Compile(schema)
}

// IsObject reports whether schema says "type": "object".
func IsObject(schema map[string]any) bool {
	ty, _ := schema["type"].(string)
	return ty == "object"
}

// noLoader refuses every $ref that leaves the schema document.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external schema reference %q is not allowed", url)
}

// Compile compiles schema, decoded JSON. Its error is the compiler's, on
// one line and at most maxCompileError bytes, escaped.
func Compile(schema map[string]any) (*Schema, error) {
	doc, err := toJSONValue(schema)
	if err != nil {
		return nil, compileError(err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	const loc = "mem://schema.json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, compileError(err)
	}
	s, err := c.Compile(loc)
	if err != nil {
		return nil, compileError(err)
	}
	return &Schema{s}, nil
}

// compileError words a compiler's error on one line, bounded: it may quote
// the schema, and it goes to the log, to "host plugins" and to test output.
// A schema that breaks the metaschema gets the places where it does, as
// JSON pointers into the schema.
func compileError(err error) error {
	var se *jsonschema.SchemaValidationError
	var ve *jsonschema.ValidationError
	if errors.As(err, &se) && errors.As(se.Err, &ve) {
		return fmt.Errorf("not a valid JSON Schema: %s", flatten(ve))
	}
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return fmt.Errorf("%s", safetext.Bounded(strings.Join(lines, "; "), maxCompileError))
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

// ArgsRefusal is the tool error for arguments that do not match the tool's
// input schema, err being what Validate said: the host's answer, which
// pdktest gives too.
func ArgsRefusal(tool string, err error) string {
	return "Invalid arguments for " + tool + ": " + err.Error()
}

// ResultRefusal is the tool error for a result of plugin's tool that does
// not match its output schema, err being what ValidateJSON said.
func ResultRefusal(plugin, tool string, err error) string {
	return fmt.Sprintf("plugin %q returned a result that does not match the outputSchema of %s: %v", plugin, tool, err)
}
