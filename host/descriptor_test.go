package host

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// goodDescriptor is a valid describe output, as the github plugin's.
const goodDescriptor = `{"abi_version":1,"name":"demo","version":"1.2.3","provider":"github",` +
	`"hosts":["https://api.github.com"],"tools":[{"name":"get_demo","description":"Gets a demo.\nSecond line,\ttabbed.",` +
	`"inputSchema":{"type":"object","properties":{"owner":{"type":"string","description":"who"}},"required":["owner"]}}]}`

// withField returns goodDescriptor with one of its top-level fields, or of
// its tool's, set to v (JSON).
func withField(t testing.TB, field string, v string) []byte {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal([]byte(goodDescriptor), &d); err != nil {
		t.Fatal(err)
	}
	var val any
	if err := json.Unmarshal([]byte(v), &val); err != nil {
		t.Fatalf("%s: %v", v, err)
	}
	if tf, ok := strings.CutPrefix(field, "tool."); ok {
		d["tools"].([]any)[0].(map[string]any)[tf] = val
	} else {
		d[field] = val
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkBytes runs every check the loader runs on a describe output.
func checkBytes(out []byte) error {
	d, err := decodeDescriptor(out)
	if err != nil {
		return err
	}
	l := &loader{}
	return l.check(context.Background(), &Plugin{Desc: d}, PluginConfig{})
}

// manyProperties is n distinct properties, each about size bytes.
func manyProperties(n, size int) string {
	props := make([]string, n)
	for i := range props {
		props[i] = fmt.Sprintf(`"p%06d%s":{}`, i, strings.Repeat("x", size))
	}
	return strings.Join(props, ",")
}

// chain is a schema of n nested "properties".
func chain(n int) string {
	return strings.Repeat(`{"type":"object","properties":{"a":`, n) + `{"type":"string"}` + strings.Repeat(`}}`, n)
}

// TestDescriptorLimits: each bound and character rule refuses what breaks
// it, naming the field and the limit, and accepts what is just within it.
func TestDescriptorLimits(t *testing.T) {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	tests := []struct {
		name string
		out  []byte
		want []string // all in the error; none: accepted
	}{
		{"good", []byte(goodDescriptor), nil},
		{"version at limit", withField(t, "version", q(strings.Repeat("v", maxVersionBytes))), nil},
		{"version too long", withField(t, "version", q(strings.Repeat("v", maxVersionBytes+1))),
			[]string{`plugin "demo": version is 65 bytes, above the limit of 64`}},
		{"version with newline", withField(t, "version", q("1.0\nlevel=ERROR msg=forged")),
			[]string{"version holds U+000A (a control character) at byte 3", "one-line field"}},
		{"version with ANSI", withField(t, "version", q("1.0\x1b[31m")), []string{"version holds U+001B (a control character)"}},
		{"version with C1 CSI", withField(t, "version", q("1.0\u009b31m")), []string{"version holds U+009B (a control character)"}},
		{"version with bidi", withField(t, "version", q("1.0\u202e")), []string{"version holds U+202E (a bidi control)"}},
		{"version with LRM", withField(t, "version", q("1.0\u200e")), []string{"U+200E (a bidi control)"}},
		{"version with ALM", withField(t, "version", q("1.0\u061c")), []string{"U+061C (a bidi control)"}},
		{"version with isolate", withField(t, "version", q("\u2067x")), []string{"U+2067 (a bidi control)"}},
		{"version with line separator", withField(t, "version", q("1\u20282")), []string{"U+2028 (a line separator)"}},
		{"not UTF-8", []byte(strings.Replace(goodDescriptor, `"1.2.3"`, "\"1.2\xff\"", 1)), []string{"returned text that is not UTF-8 (at byte 45)"}},
		{"description with newline and tab", withField(t, "tool.description", q("a\n\tb")), nil},
		{"description with CR", withField(t, "tool.description", q("a\rb")), []string{`tool "get_demo": description holds U+000D`, "a description holds no control characters but newlines and tabs"}},
		{"description with bidi", withField(t, "tool.description", q("a\u2066b")), []string{`tool "get_demo": description holds U+2066 (a bidi control)`}},
		{"description at limit", withField(t, "tool.description", q(strings.Repeat("d", maxDescriptionBytes))), nil},
		{"description too long", withField(t, "tool.description", q(strings.Repeat("d", maxDescriptionBytes+1))),
			[]string{fmt.Sprintf("description is %d bytes, above the limit of %d", maxDescriptionBytes+1, maxDescriptionBytes)}},
		{"host with newline", withField(t, "hosts", `["https://api.github.com\n"]`), []string{"hosts[0] holds U+000A"}},
		{"host too long", withField(t, "hosts", "["+q(strings.Repeat("h", maxHostBytes+1))+"]"),
			[]string{fmt.Sprintf("hosts[0] is %d bytes, above the limit of %d", maxHostBytes+1, maxHostBytes)}},
		{"too many hosts", withField(t, "hosts", "["+strings.Repeat(`"https://api.github.com",`, maxHosts)+`"https://api.github.com"]`),
			[]string{fmt.Sprintf("%d hosts, above the limit of %d", maxHosts+1, maxHosts)}},
		{"no tools", withField(t, "tools", `[]`), []string{"no tools declared"}},
		{"too many tools", withField(t, "tools", "["+strings.Repeat(`{"name":"t","inputSchema":{"type":"object"}},`, maxTools)+`{}]`),
			[]string{fmt.Sprintf("%d tools, above the limit of %d", maxTools+1, maxTools)}},
		{"bad name", withField(t, "name", q("Demo\x1b[2J")), []string{`plugin name "Demo\x1b[2J" is invalid`}},
		{"long name quoted short", withField(t, "name", q(strings.Repeat("N", 1<<16))), []string{`plugin name "NNNN`, `…" is invalid`}},
		{"bad tool name", withField(t, "tool.name", q("get demo")), []string{`tools[0]: name "get demo" is invalid`}},
		{"schema key with ANSI", withField(t, "tool.inputSchema", `{"type":"object","properties":{"\u001b[2J":{}}}`),
			[]string{`tool "get_demo": inputSchema /properties/\x1b[2J (key) holds U+001B`}},
		{"schema key too long", withField(t, "tool.inputSchema", `{"type":"object","properties":{`+q(strings.Repeat("k", maxSchemaKeyBytes+1))+`:{}}}`),
			[]string{fmt.Sprintf("(key) is %d bytes, above the limit of %d", maxSchemaKeyBytes+1, maxSchemaKeyBytes)}},
		{"schema string with bidi", withField(t, "tool.inputSchema", `{"type":"object","properties":{"a":{"enum":["x","\u202ey"]}}}`),
			[]string{`inputSchema /properties/a/enum/1 holds U+202E (a bidi control)`}},
		{"schema string too long", withField(t, "tool.inputSchema", `{"type":"object","description":`+q(strings.Repeat("s", maxSchemaStringBytes+1))+`}`),
			[]string{fmt.Sprintf("inputSchema /description is %d bytes, above the limit of %d", maxSchemaStringBytes+1, maxSchemaStringBytes)}},
		{"schema too large", withField(t, "tool.inputSchema", `{"type":"object","properties":{`+manyProperties(maxSchemaBytes/200, 200)+`}}`),
			[]string{"inputSchema is", fmt.Sprintf("above the limit of %d", maxSchemaBytes)}},
		{"schema not an object schema", withField(t, "tool.inputSchema", `{"type":"string"}`), []string{`inputSchema must have "type": "object"`}},
		{"no schema", withField(t, "tool.inputSchema", `null`), []string{`tool "get_demo" has no inputSchema`}},
		{"schema chain at the depth limit", withField(t, "tool.inputSchema", chain(30)), nil},
		{"schema chain past depth", withField(t, "tool.inputSchema", chain(31)), []string{"nested deeper than 64 levels"}},
		{"issue's 2,500-level chain", withField(t, "tool.inputSchema", chain(2500)), []string{"nested deeper than 64 levels"}},
		{"deep unknown field", withField(t, "x", strings.Repeat("[", 9997)+strings.Repeat("]", 9997)), []string{"nested deeper than 64 levels"}},
		{"descriptor too large", withField(t, "x", q(strings.Repeat("x", maxDescriptorBytes))),
			[]string{fmt.Sprintf("above the host's limit of %d for a descriptor", maxDescriptorBytes)}},
		{"schema external ref", withField(t, "tool.inputSchema", `{"type":"object","$ref":"https://evil.example/s.json"}`), []string{"is not allowed"}},
		{"output schema and annotations", withField(t, "tool.outputSchema", `{"type":"object","properties":{"login":{"type":"string"},"name":{"type":["string","null"]}},"required":["login"]}`), nil},
		{"annotations", withField(t, "tool.annotations", `{"title":"Demo","readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":true}`), nil},
		{"title at limit", withField(t, "tool.annotations", `{"title":`+q(strings.Repeat("t", maxTitleBytes))+`}`), nil},
		{"title too long", withField(t, "tool.annotations", `{"title":`+q(strings.Repeat("t", maxTitleBytes+1))+`}`),
			[]string{fmt.Sprintf(`tool "get_demo": annotations.title is %d bytes, above the limit of %d`, maxTitleBytes+1, maxTitleBytes)}},
		{"title with ANSI", withField(t, "tool.annotations", `{"title":"Demo\u001b[2J"}`), []string{`tool "get_demo": annotations.title holds U+001B`}},
		{"title with newline", withField(t, "tool.annotations", `{"title":"Demo\nlevel=ERROR"}`), []string{"annotations.title holds U+000A", "one-line field"}},
		{"hint not a boolean", withField(t, "tool.annotations", `{"readOnlyHint":"yes"}`), []string{"returned an invalid descriptor"}},
		{"output schema not an object schema", withField(t, "tool.outputSchema", `{"type":"array"}`), []string{`tool "get_demo": outputSchema must have "type": "object"`}},
		{"output schema key with ANSI", withField(t, "tool.outputSchema", `{"type":"object","properties":{"\u001b[2J":{}}}`),
			[]string{`tool "get_demo": outputSchema /properties/\x1b[2J (key) holds U+001B`}},
		{"output schema string too long", withField(t, "tool.outputSchema", `{"type":"object","description":`+q(strings.Repeat("s", maxSchemaStringBytes+1))+`}`),
			[]string{fmt.Sprintf("outputSchema /description is %d bytes, above the limit of %d", maxSchemaStringBytes+1, maxSchemaStringBytes)}},
		{"output schema too large", withField(t, "tool.outputSchema", `{"type":"object","properties":{`+manyProperties(maxSchemaBytes/200, 200)+`}}`),
			[]string{"outputSchema is", fmt.Sprintf("above the limit of %d", maxSchemaBytes)}},
		{"output schema past depth", withField(t, "tool.outputSchema", chain(31)), []string{"nested deeper than 64 levels"}},
		{"output schema external ref", withField(t, "tool.outputSchema", `{"type":"object","$ref":"https://evil.example/s.json"}`),
			[]string{`tool "get_demo": outputSchema:`, "is not allowed"}},
		// The findings of issue 11: each broken schema is refused at load.
		{"bad type", withField(t, "tool.inputSchema", `{"type":"object","properties":{"n":{"type":"integr"}}}`), []string{`tool "get_demo": inputSchema: not a valid JSON Schema: at /properties/n/type: value must be one of`}},
		{"minimum not a number", withField(t, "tool.inputSchema", `{"type":"object","properties":{"n":{"minimum":"one"}}}`), []string{`tool "get_demo": inputSchema:`, "minimum"}},
		{"bad regex", withField(t, "tool.outputSchema", `{"type":"object","properties":{"s":{"pattern":"^(a"}}}`), []string{`tool "get_demo": outputSchema:`, "pattern"}},
		{"several problems", withField(t, "tools", `[{"name":"a","description":"\u001b","inputSchema":{"type":"object"}},{"name":"a","inputSchema":{"type":"object"}}]`),
			[]string{`plugin "demo": 2 problems: tool "a": description holds U+001B`, `tool "a" is declared twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkBytes(tt.out)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want an error with %q", tt.want)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", safetext.Clip(msg, 2000), w)
				}
			}
			wantCleanError(t, msg)
		})
	}
}

// wantCleanError fails unless msg, a refusal, is short and holds only
// printable text: it quotes no more than a prefix of what the plugin
// wrote, escaped.
func wantCleanError(t testing.TB, msg string) {
	t.Helper()
	if len(msg) > maxLoadErrorBytes {
		t.Errorf("the error is %d bytes, above %d", len(msg), maxLoadErrorBytes)
	}
	if esc := safetext.Escape(msg); esc != msg {
		t.Errorf("the error holds characters that are not printable: %q", safetext.Clip(msg, 2000))
	}
}

// TestProblemsAreCapped: a descriptor with many faults lists the first
// maxProblems, in schema order, and counts the rest.
func TestProblemsAreCapped(t *testing.T) {
	props := make([]string, 20)
	for i := range props {
		props[i] = fmt.Sprintf(`"p%02d":{"description":"\u001b%d"}`, i, i)
	}
	out := withField(t, "tool.inputSchema", `{"type":"object","properties":{`+strings.Join(props, ",")+`}}`)
	err := checkBytes(out)
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, w := range []string{"20 problems", "/properties/p00/description holds U+001B", "/properties/p07/description", "and 12 more"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
	if strings.Contains(msg, "p08") {
		t.Errorf("error %q lists more than %d problems", msg, maxProblems)
	}
}

// TestToolsListCap: the registry refuses a plugin whose tools would take
// tools/list, all plugins together, past maxToolsListBytes, and counts a
// replaced or removed plugin's share out.
func TestToolsListCap(t *testing.T) {
	plugin := func(file, name string, descBytes int) *Plugin {
		var tools []abi.Tool
		for i := 0; descBytes > 0; i++ {
			n := min(descBytes, maxDescriptionBytes)
			descBytes -= n
			tools = append(tools, abi.Tool{Name: fmt.Sprintf("%s_%d", name, i), Description: strings.Repeat("d", n), InputSchema: map[string]any{"type": "object"}})
		}
		d := abi.Descriptor{Name: name, Tools: tools}
		return &Plugin{File: file, Desc: d, listed: listTools(d)} // as check lists them
	}
	r := newRegistry()
	third := maxToolsListBytes / 3
	for _, name := range []string{"a", "b"} {
		if _, err := r.put(plugin(name+".wasm", name, third)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	_, err := r.put(plugin("c.wasm", "c", third+1<<10))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("above the host's limit of %d for all plugins together", maxToolsListBytes)) {
		t.Fatalf("a third plugin past the cap: err %v", err)
	}
	if _, err := r.put(plugin("b.wasm", "b", third/2)); err != nil {
		t.Fatalf("replacing b by a smaller version: %v", err)
	}
	if _, err := r.put(plugin("c.wasm", "c", third+1<<10)); err != nil {
		t.Fatalf("c, once b shrank: %v", err)
	}
	r.remove("a.wasm")
	if r.listTotal != r.listBytes["b.wasm"]+r.listBytes["c.wasm"] || len(r.listBytes) != 2 {
		t.Errorf("after removing a: total %d, shares %v", r.listTotal, r.listBytes)
	}
}
