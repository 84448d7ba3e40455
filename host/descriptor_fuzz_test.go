package host

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/wasmcp/wasmcp/internal/safetext"
)

// FuzzDescriptor feeds describe outputs to every check the loader runs on
// one: decoding with its bounds, the descriptor's rules, the schemas'
// compilation. It must never panic or hang; a refusal is short, printable
// text; and what it accepts obeys every rule, so that what the host
// registers, logs and lists is bounded and clean.
func FuzzDescriptor(f *testing.F) {
	for _, seed := range []string{
		goodDescriptor,
		`{"abi_version":1,"name":"github","version":"0.1.0","provider":"github","hosts":["https://api.github.com"],"tools":[` +
			`{"name":"get_github_user","description":"Returns the authenticated GitHub user's profile.","inputSchema":{"type":"object","properties":{},"additionalProperties":false}},` +
			`{"name":"list_github_repos","description":"Lists repositories.","inputSchema":{"type":"object","properties":{"per_page":{"type":"integer","minimum":1,"maximum":100},"sort":{"enum":["created","updated","pushed","full_name"]}}}}]}`,
		`{"abi_version":1,"name":"x","version":"1.0\n\u001b[2K\u202e","provider":"github","hosts":["https://api.github.com"],"tools":[{"name":"t","inputSchema":{"type":"object"}}]}`,
		`{"abi_version":1,"name":"x","provider":"github","hosts":[],"tools":[{"name":"t","description":"a\u2066b","inputSchema":{"type":"object","properties":{"\u001b":{"pattern":"^(a|b)*$"}}}}]}`,
		`{"abi_version":1,"name":"x","provider":"github","tools":[{"name":"t","inputSchema":{"type":"object","$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}}}},"$ref":"#/$defs/n"}}]}`,
		`{"abi_version":1,"name":"x","provider":"github","tools":[{"name":"t","inputSchema":{"type":"object","allOf":[{"anyOf":[{"oneOf":[{"not":{"type":"null"}}]}]}],"if":{"required":["a"]},"then":{"minProperties":1}}}]}`,
		`{"abi_version":1,"name":"x","provider":"github","tools":[{"name":"t","inputSchema":` + chain(30) + `}]}`,
		`{"abi_version":1,"name":"x","provider":"github","tools":[{"name":"t","inputSchema":` + chain(31) + `}]}`,
		`{"abi_version":1,"name":"x","provider":"github","tools":[{"name":"t","inputSchema":{"type":"object","$ref":"https://evil.example/s.json"}}]}`,
		`{"abi_version":1,"name":"x","provider":"github","tools":[{"name":"t","inputSchema":{"type":"object"},"outputSchema":{"type":"object","properties":{"n":{"type":["integer","null"]}},"required":["n"]},` +
			`"annotations":{"title":"T\u202e","readOnlyHint":true,"openWorldHint":false}}]}`,
		`{"abi_version":1,"name":"x","provider":"github","tools":[{"name":"t","inputSchema":{"type":"object"},"outputSchema":{"type":"array"},"annotations":{"readOnlyHint":"yes"}}]}`,
		`{"abi_version":2}`, `{}`, `null`, `[]`, "\xff", `{"abi_version":1,"tools":[{"name":"a"},{"name":"a"}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		d, err := decodeDescriptor(out)
		for _, tool := range d.Tools {
			for _, schema := range []map[string]any{tool.InputSchema, tool.OutputSchema} {
				// The fast path agrees with the report it stands in for.
				var p problems
				checkSchemaValue(&p, "s ", schema)
				if ok := schemaValueOK(schema); ok != (p.n == 0) {
					t.Fatalf("schemaValueOK %v, but checkSchemaValue found %d problems (%v)", ok, p.n, p.list)
				}
			}
		}
		if err == nil {
			pl := &Plugin{Desc: d}
			if err = (&loader{}).check(context.Background(), pl, PluginConfig{}); err == nil {
				wantAccepted(t, pl)
				return
			}
		}
		msg := err.Error()
		if len(msg) > maxLoadErrorBytes {
			t.Fatalf("the refusal is %d bytes: %q", len(msg), safetext.Clip(msg, 1000))
		}
		if safetext.Escape(msg) != msg {
			t.Fatalf("the refusal holds characters that are not printable: %q", msg)
		}
	})
}

// wantAccepted fails unless the checked plugin pl obeys every rule.
func wantAccepted(t *testing.T, pl *Plugin) {
	t.Helper()
	d := pl.Desc
	oneLine := map[string]int{"name": 64, "provider": 64, "version": maxVersionBytes}
	for field, s := range map[string]string{"name": d.Name, "provider": d.Provider, "version": d.Version} {
		if _, bad := safetext.Check(s, false); bad || len(s) > oneLine[field] {
			t.Fatalf("accepted %s %q", field, s)
		}
	}
	for _, h := range d.Hosts {
		if _, bad := safetext.Check(h, false); bad || len(h) > maxHostBytes {
			t.Fatalf("accepted host %q", h)
		}
	}
	if len(d.Tools) == 0 || len(d.Tools) > maxTools || len(d.Hosts) > maxHosts {
		t.Fatalf("accepted %d tools and %d hosts", len(d.Tools), len(d.Hosts))
	}
	for _, tool := range d.Tools {
		if _, bad := safetext.Check(tool.Description, true); bad || len(tool.Description) > maxDescriptionBytes {
			t.Fatalf("accepted the description %q", safetext.Clip(tool.Description, 200))
		}
		for _, schema := range []map[string]any{tool.InputSchema, tool.OutputSchema} {
			raw, err := json.Marshal(schema)
			if err != nil || len(raw) > maxSchemaBytes || jsonDeeperThan(raw, maxJSONDepth) {
				t.Fatalf("accepted a schema of %d bytes (err %v)", len(raw), err)
			}
		}
		s := pl.schemas[tool.Name]
		if s.In == nil || (s.Out == nil) != (tool.OutputSchema == nil) {
			t.Fatalf("tool %q lacks a compiled schema", tool.Name)
		}
		_ = s.In.Validate(map[string]any{"a": "b"}) // must not panic
		if s.Out != nil {
			_ = s.Out.ValidateJSON([]byte(`{"a":[1,null,"\u001b"]}`))
		}
		if a := tool.Annotations; a != nil {
			if _, bad := safetext.Check(a.Title, false); bad || len(a.Title) > maxTitleBytes {
				t.Fatalf("accepted the title %q", safetext.Clip(a.Title, 200))
			}
		}
	}
	if n := listTools(d).bytes; n > maxToolsListBytes {
		t.Fatalf("one plugin's tools take %d bytes of tools/list", n)
	}
}
