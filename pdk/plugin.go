package pdk

import (
	"errors"
	"fmt"
	"slices"

	"github.com/wasmcp/wasmcp/abi"
)

// Plugin describes a plugin: who it is, whose token its tools use, where they
// may send requests, and the tools themselves. See abi.Descriptor for the
// meaning of each field.
type Plugin struct {
	// Name identifies the plugin; unique within a host.
	Name string
	// Version is the plugin's own version, for operators.
	Version string
	// Provider is the OAuth provider whose token the tools use ("github").
	// A plugin with no Provider and no Hosts is local: its tools compute
	// from their arguments alone, and the host runs them with no _meta and
	// no token exchange.
	Provider string
	// Hosts are the base URLs ("https://api.github.com") the tools may
	// reach. The host refuses requests anywhere else.
	Hosts []string
	// Tools are the MCP tools the plugin serves.
	Tools []Tool
}

// Tool is one MCP tool: what the model sees of it, and the code that runs it.
// NewTool makes one from a typed function, its schemas derived from the
// function's types; a Tool written out sets each field itself.
type Tool struct {
	Name        string
	Description string
	// InputSchema is the JSON Schema of the tool's arguments, an object
	// schema ("type": "object"). nil means the tool takes no arguments:
	// {"type": "object", "properties": {}, "additionalProperties": false}.
	// The host validates arguments against it before the plugin runs.
	InputSchema map[string]any
	// OutputSchema is the JSON Schema of the tool's result, an object
	// schema; nil declares none. The host validates every result that is
	// not an error against it before answering.
	OutputSchema map[string]any
	// Annotations are hints for MCP clients; the zero value states none.
	Annotations Annotations
	// Handler runs the tool.
	Handler Handler
}

// Handler runs one call of a tool. Its result is the tool's content; see the
// package documentation for how results and errors are encoded.
type Handler func(c *Call) (any, error)

// registered is the Plugin given to Register; the exports serve it.
var registered *Plugin

// Register makes p the plugin this module serves. Call it once, from init.
//
// Register panics if p is invalid (no name, hosts without a provider, a tool without a
// name or handler, two tools of one name, a schema that is not an object
// schema) or if a plugin is already registered. In a Wasm build the
// panic traps _initialize, so the host's first call into the plugin fails;
// in a native test binary it stops the tests before they start.
func Register(p Plugin) {
	if registered != nil {
		panic(fmt.Sprintf("pdk: Register called twice (plugins %q and %q)", registered.Name, p.Name))
	}
	if err := p.validate(); err != nil {
		panic("pdk: " + err.Error())
	}
	p.Hosts = slices.Clone(p.Hosts)
	p.Tools = slices.Clone(p.Tools)
	registered = &p
}

// Descriptor returns what the describe export reports for p: its fields, the
// ABI version of this kit, and each tool's schemas (a nil input schema
// filled in) and annotations.
func (p Plugin) Descriptor() abi.Descriptor {
	d := abi.Descriptor{
		ABIVersion: abi.Version,
		Name:       p.Name,
		Version:    p.Version,
		Provider:   p.Provider,
		Hosts:      slices.Clone(p.Hosts),
		Tools:      make([]abi.Tool, 0, len(p.Tools)),
	}
	if d.Hosts == nil {
		d.Hosts = []string{}
	}
	for _, t := range p.Tools {
		d.Tools = append(d.Tools, abi.Tool{
			Name:         t.Name,
			Description:  t.Description,
			InputSchema:  t.schema(),
			OutputSchema: t.OutputSchema,
			Annotations:  t.Annotations.wire(),
		})
	}
	return d
}

// schema returns the tool's input schema, or the no-arguments schema.
func (t Tool) schema() map[string]any {
	if t.InputSchema != nil {
		return t.InputSchema
	}
	return map[string]any{
		"type":                 "object",
		"properties":           map[string]any{},
		"additionalProperties": false,
	}
}

// tool returns the tool named name.
func (p Plugin) tool(name string) (Tool, bool) {
	i := slices.IndexFunc(p.Tools, func(t Tool) bool { return t.Name == name })
	if i < 0 {
		return Tool{}, false
	}
	return p.Tools[i], true
}

// validate reports the first reason p cannot be served.
func (p Plugin) validate() error {
	if p.Name == "" {
		return errors.New("plugin has no Name")
	}
	if p.Provider == "" && len(p.Hosts) > 0 {
		return fmt.Errorf("plugin %q has Hosts and no Provider: name the provider whose token they take", p.Name)
	}
	seen := make(map[string]bool, len(p.Tools))
	for i, t := range p.Tools {
		switch {
		case t.Name == "":
			return fmt.Errorf("plugin %q: tool %d has no Name", p.Name, i)
		case seen[t.Name]:
			return fmt.Errorf("plugin %q: two tools are named %q", p.Name, t.Name)
		case t.Handler == nil:
			return fmt.Errorf("plugin %q: tool %q has no Handler", p.Name, t.Name)
		case t.InputSchema != nil && t.InputSchema["type"] != "object":
			return fmt.Errorf("plugin %q: tool %q: InputSchema must have \"type\": \"object\"", p.Name, t.Name)
		case t.OutputSchema != nil && t.OutputSchema["type"] != "object":
			return fmt.Errorf("plugin %q: tool %q: OutputSchema must have \"type\": \"object\"", p.Name, t.Name)
		}
		seen[t.Name] = true
	}
	return nil
}
