package host

// The checks of a plugin's descriptor, at load: everything a plugin says of
// itself is bounded (limits.go) and its strings obey safetext's rule before
// the host registers, logs or prints any of it. A refusal names each field
// at fault and the limit it broke, quoting at most a short, escaped prefix
// of what the plugin wrote.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/hostfuncs"
	"github.com/wasmcp/wasmcp/internal/safetext"
	"github.com/wasmcp/wasmcp/internal/toolschema"
)

var (
	pluginNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	toolNameRE   = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)
)

// decodeDescriptor decodes a describe output, once the bounds that need no
// decoding hold: its size, its depth and its ABI version.
func decodeDescriptor(out []byte) (abi.Descriptor, error) {
	if len(out) > maxDescriptorBytes {
		return abi.Descriptor{}, fmt.Errorf("%s returned %d bytes, above the host's limit of %d for a descriptor: shorten the tools' descriptions and schemas, or split the plugin",
			abi.ExportDescribe, len(out), maxDescriptorBytes)
	}
	if !utf8.Valid(out) {
		// encoding/json would turn each bad byte into U+FFFD, silently.
		return abi.Descriptor{}, fmt.Errorf("%s returned text that is not UTF-8 (at byte %d): JSON must be UTF-8", abi.ExportDescribe, invalidUTF8At(out))
	}
	if jsonDeeperThan(out, maxJSONDepth) {
		return abi.Descriptor{}, fmt.Errorf("%s returned JSON nested deeper than %d levels, the host's limit for JSON from a plugin: flatten the input schemas",
			abi.ExportDescribe, maxJSONDepth)
	}
	var v struct {
		ABIVersion int `json:"abi_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return abi.Descriptor{}, fmt.Errorf("%s returned invalid JSON: %w", abi.ExportDescribe, err)
	}
	if v.ABIVersion != abi.Version {
		return abi.Descriptor{}, fmt.Errorf("plugin is built for ABI version %d; this host supports ABI version %d", v.ABIVersion, abi.Version)
	}
	var d abi.Descriptor
	if err := json.Unmarshal(out, &d); err != nil {
		return abi.Descriptor{}, fmt.Errorf("%s returned an invalid descriptor: %w", abi.ExportDescribe, err)
	}
	return d, nil
}

// invalidUTF8At is the offset of the first byte of b that is not UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// check validates the descriptor and builds the plugin's policy and
// schemas (schema.go). Compiling the schemas is bounded by schemaTimeout
// and by ctx.
func (l *loader) check(ctx context.Context, pl *Plugin, pc PluginConfig) error {
	d := pl.Desc
	listed, err := checkListing(d)
	if err != nil {
		return err
	}
	pl.listed = listed
	if d.Provider != "" { // else a local plugin, with no hosts (local.go)
		if err := checkProviderHosts(d.Provider, d.Hosts, l.cfg.Providers); err != nil {
			return fmt.Errorf("plugin %q: %w", d.Name, err)
		}
	}
	policy, err := hostfuncs.NewPolicy(d.Hosts, pc.Upstreams)
	if err != nil {
		return fmt.Errorf("plugin %q: %w", d.Name, err)
	}
	pl.Policy = policy
	if pl.schemasLater {
		return nil // compiled with the code, in the background (load.go)
	}
	schemas, err := compileSchemas(ctx, d.Tools)
	if err != nil {
		return fmt.Errorf("plugin %q: %w", d.Name, err)
	}
	pl.schemas = schemas
	return nil
}

// checkDescriptor checks every field of d against its limit and its
// character rule, and the schemas' shape, size and strings; it reports up
// to maxProblems of what it finds at once.
func checkDescriptor(d abi.Descriptor) error {
	_, err := checkListing(d)
	return err
}

// checkListing is checkDescriptor, and returns d's tools as tools/list
// lists them, encoded once for both the check of their size and the list.
func checkListing(d abi.Descriptor) (listing, error) {
	var p problems
	prefix := ""
	if pluginNameRE.MatchString(d.Name) {
		prefix = fmt.Sprintf("plugin %q: ", d.Name)
	} else {
		p.add("plugin name %s is invalid: use 1-64 of a-z, 0-9, '_' and '-', starting with a letter or digit", quote(d.Name))
	}
	switch {
	case d.Provider == "" && len(d.Hosts) > 0:
		p.add("no provider, with hosts: a plugin that reaches hosts names the provider whose token they take")
	case d.Provider == "": // a local plugin (local.go)
	case !pluginNameRE.MatchString(d.Provider):
		p.add("provider %s is invalid: use 1-64 of a-z, 0-9, '_' and '-'", quote(d.Provider))
	}
	p.field("version", d.Version, maxVersionBytes, false)
	if len(d.Hosts) > maxHosts {
		p.add("%d hosts, above the limit of %d", len(d.Hosts), maxHosts)
	} else {
		for i, h := range d.Hosts {
			p.field(fmt.Sprintf("hosts[%d]", i), h, maxHostBytes, false)
		}
	}
	switch {
	case len(d.Tools) == 0:
		p.add("no tools declared")
	case len(d.Tools) > maxTools:
		p.add("%d tools, above the limit of %d", len(d.Tools), maxTools)
	default:
		seen := make(map[string]bool, len(d.Tools))
		for i, t := range d.Tools {
			checkTool(&p, i, t, seen)
		}
	}
	var l listing
	if p.n == 0 {
		if l = listTools(d); l.bytes > maxToolsListBytes {
			p.add("its tools take %d bytes of tools/list, above the host's limit of %d for all plugins together", l.bytes, maxToolsListBytes)
		}
	}
	return l, p.err(prefix)
}

// checkTool checks the i-th tool; seen holds the names before it.
func checkTool(p *problems, i int, t abi.Tool, seen map[string]bool) {
	name := fmt.Sprintf("tool %q", t.Name)
	switch {
	case !toolNameRE.MatchString(t.Name):
		name = fmt.Sprintf("tools[%d]", i)
		p.add("%s: name %s is invalid: use 1-128 of A-Z, a-z, 0-9, '_', '.' and '-'", name, quote(t.Name))
	case seen[t.Name]:
		p.add("%s is declared twice", name)
	}
	seen[t.Name] = true
	p.field(name+": description", t.Description, maxDescriptionBytes, true)
	if t.Annotations != nil {
		p.field(name+": annotations.title", t.Annotations.Title, maxTitleBytes, false)
	}
	if t.InputSchema == nil {
		p.add("%s has no inputSchema", name)
	} else {
		checkSchema(p, name, "inputSchema", t.InputSchema)
	}
	if t.OutputSchema != nil {
		checkSchema(p, name, "outputSchema", t.OutputSchema)
	}
}

// checkSchema checks one of a tool's schemas, named field: an object
// schema, within maxSchemaBytes, and its keys and strings.
func checkSchema(p *problems, name, field string, schema map[string]any) {
	if !toolschema.IsObject(schema) {
		p.add(`%s: %s must have "type": "object"`, name, field)
	}
	raw, err := json.Marshal(schema)
	if err != nil {
		p.add("%s: %s cannot be encoded: %v", name, field, err)
		return
	}
	if len(raw) > maxSchemaBytes {
		p.add("%s: %s is %d bytes, above the limit of %d", name, field, len(raw), maxSchemaBytes)
		return
	}
	if !schemaValueOK(schema) { // else there is nothing to report, nor to name
		checkSchemaValue(p, name+": "+field+" ", schema)
	}
}

// schemaValueOK reports whether checkSchemaValue would find nothing in v,
// walking it once with none of the names and sorting a report needs.
func schemaValueOK(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if !fieldOK(k, maxSchemaKeyBytes, false) || !schemaValueOK(e) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !schemaValueOK(e) {
				return false
			}
		}
	case string:
		return fieldOK(x, maxSchemaStringBytes, true)
	}
	return true
}

// checkSchemaValue checks the keys and strings of a schema value: keys as
// one-line fields, strings as multi-line ones. where names the value, by
// its JSON pointer. The descriptor's depth bounds the recursion.
func checkSchemaValue(p *problems, where string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) { // the same report every time
			at := where + "/" + safetext.Clip(k, 32)
			p.field(at+" (key)", k, maxSchemaKeyBytes, false)
			checkSchemaValue(p, at, x[k])
		}
	case []any:
		for i, e := range x {
			checkSchemaValue(p, where+"/"+strconv.Itoa(i), e)
		}
	case string:
		p.field(where, x, maxSchemaStringBytes, true)
	}
}

// listing is a plugin's tools as tools/list lists them, and the bytes
// they take there.
type listing struct {
	tools []mcp.Tool
	bytes int
}

// listTools returns d's tools as the host lists them, and their size in
// tools/list as the MCP server encodes them.
func listTools(d abi.Descriptor) listing {
	l := listing{tools: make([]mcp.Tool, 0, len(d.Tools))}
	for _, t := range d.Tools {
		mt := mcpTool(t)
		b, err := json.Marshal(mt)
		if err != nil {
			l.bytes = maxToolsListBytes + 1 // what cannot be listed does not fit
		} else if l.bytes <= maxToolsListBytes {
			l.bytes += len(b) + 1
		}
		l.tools = append(l.tools, mt)
	}
	return l
}

// mcpTool is t as the host lists it: its schemas as the plugin wrote them,
// and its annotations.
func mcpTool(t abi.Tool) mcp.Tool {
	in, _ := json.Marshal(t.InputSchema)
	mt := mcp.Tool{Name: t.Name, Description: t.Description, RawInputSchema: in}
	if t.OutputSchema != nil {
		mt.RawOutputSchema, _ = json.Marshal(t.OutputSchema)
	}
	if a := t.Annotations; a != nil {
		mt.Annotations = mcp.ToolAnnotation{
			Title:           a.Title,
			ReadOnlyHint:    a.ReadOnlyHint,
			DestructiveHint: a.DestructiveHint,
			IdempotentHint:  a.IdempotentHint,
			OpenWorldHint:   a.OpenWorldHint,
		}
	}
	return mt
}

// problems collects what is wrong with a descriptor.
type problems struct {
	list []string
	n    int
}

func (p *problems) add(format string, args ...any) {
	p.n++
	if len(p.list) < maxProblems {
		p.list = append(p.list, fmt.Sprintf(format, args...))
	}
}

// field checks s, the field named field: at most max bytes, and the
// characters of a one-line or multi-line field.
func (p *problems) field(field, s string, max int, multiline bool) {
	if fieldOK(s, max, multiline) {
		return
	}
	field = safetext.Escape(field)
	if len(s) > max {
		p.add("%s is %d bytes, above the limit of %d", field, len(s), max)
		return
	}
	if bad, found := safetext.Check(s, multiline); found {
		rule := "a one-line field holds no control characters, bidi controls or line breaks"
		if multiline {
			rule = "a description holds no control characters but newlines and tabs, and no bidi controls"
		}
		p.add("%s holds %s: %s", field, bad, rule)
	}
}

// fieldOK reports whether field would find nothing wrong with s.
func fieldOK(s string, max int, multiline bool) bool {
	if len(s) > max {
		return false
	}
	_, found := safetext.Check(s, multiline)
	return !found
}

// err is the refusal listing the problems; nil when there are none.
func (p *problems) err(prefix string) error {
	switch p.n {
	case 0:
		return nil
	case 1:
		return errors.New(prefix + p.list[0])
	}
	msg := fmt.Sprintf("%s%d problems: %s", prefix, p.n, strings.Join(p.list, "; "))
	if p.n > len(p.list) {
		msg += fmt.Sprintf("; and %d more", p.n-len(p.list))
	}
	return errors.New(msg)
}

// quote is s for an error message: at most 64 bytes of it, quoted, every
// character that is not printable escaped.
func quote(s string) string {
	return strconv.Quote(safetext.Clip(s, 64))
}
