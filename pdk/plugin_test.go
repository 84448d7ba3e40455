package pdk

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

func nop(*Call) (any, error) { return nil, nil }

func TestValidate(t *testing.T) {
	ok := Plugin{Name: "p", Provider: "github", Tools: []Tool{{Name: "a", Handler: nop}}}
	tests := []struct {
		name string
		edit func(p *Plugin)
		want string // "" for valid
	}{
		{"valid", func(*Plugin) {}, ""},
		{"no tools", func(p *Plugin) { p.Tools = nil }, ""},
		{"no name", func(p *Plugin) { p.Name = "" }, "plugin has no Name"},
		{"no provider, no hosts: local", func(p *Plugin) { p.Provider = "" }, ""},
		{"no provider, with hosts", func(p *Plugin) { p.Provider = ""; p.Hosts = []string{"https://api.github.com"} },
			`plugin "p" has Hosts and no Provider: name the provider whose token they take`},
		{"tool without name", func(p *Plugin) { p.Tools[0].Name = "" }, `plugin "p": tool 0 has no Name`},
		{"duplicate tool", func(p *Plugin) { p.Tools = append(p.Tools, p.Tools[0]) }, `plugin "p": two tools are named "a"`},
		{"no handler", func(p *Plugin) { p.Tools[0].Handler = nil }, `plugin "p": tool "a" has no Handler`},
		{"schema not object", func(p *Plugin) { p.Tools[0].InputSchema = map[string]any{"type": "string"} },
			`plugin "p": tool "a": InputSchema must have "type": "object"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			p.Tools = append([]Tool(nil), ok.Tools...)
			tt.edit(&p)
			err := p.validate()
			if got := errString(err); got != tt.want {
				t.Errorf("validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRegister(t *testing.T) {
	t.Cleanup(func() { registered = nil })
	hosts := []string{"https://api.github.com"}
	Register(Plugin{Name: "p", Provider: "github", Hosts: hosts})
	hosts[0] = "https://evil.example"
	if registered == nil || registered.Hosts[0] != "https://api.github.com" {
		t.Fatalf("Register kept %+v; want a copy of the plugin", registered)
	}
	if msg := panicMessage(func() { Register(Plugin{Name: "q", Provider: "github"}) }); msg != `pdk: Register called twice (plugins "p" and "q")` {
		t.Errorf("second Register panicked with %q", msg)
	}
}

func TestRegisterInvalidPanics(t *testing.T) {
	t.Cleanup(func() { registered = nil })
	msg := panicMessage(func() { Register(Plugin{Name: "p", Hosts: []string{"https://api.github.com"}}) })
	if msg != `pdk: plugin "p" has Hosts and no Provider: name the provider whose token they take` {
		t.Errorf("Register panicked with %q", msg)
	}
	if registered != nil {
		t.Error("an invalid plugin was registered")
	}
}

func panicMessage(f func()) (msg string) {
	defer func() { msg, _ = recover().(string) }()
	f()
	return ""
}

func TestDescriptor(t *testing.T) {
	schema := map[string]any{"type": "object", "properties": map[string]any{"x": map[string]any{"type": "integer"}}}
	p := Plugin{Name: "p", Version: "1.2.3", Provider: "github", Tools: []Tool{
		{Name: "a", Description: "A.", InputSchema: schema, Handler: nop},
		{Name: "b", Description: "B.", Handler: nop},
	}}
	want := abi.Descriptor{
		ABIVersion: abi.Version, Name: "p", Version: "1.2.3", Provider: "github", Hosts: []string{},
		Tools: []abi.Tool{
			{Name: "a", Description: "A.", InputSchema: schema},
			{Name: "b", Description: "B.", InputSchema: map[string]any{
				"type": "object", "properties": map[string]any{}, "additionalProperties": false,
			}},
		},
	}
	if got := p.Descriptor(); !reflect.DeepEqual(got, want) {
		t.Errorf("Descriptor() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestEncodeContent(t *testing.T) {
	type point struct {
		X int `json:"x"`
	}
	tests := []struct {
		name string
		in   any
		want map[string]any
		err  string
	}{
		{"nil", nil, nil, ""},
		{"nil map", map[string]any(nil), nil, ""},
		{"struct", point{X: 1}, map[string]any{"x": 1.0}, ""},
		{"pointer", &point{X: 2}, map[string]any{"x": 2.0}, ""},
		{"map", map[string]int{"n": 3}, map[string]any{"n": 3.0}, ""},
		{"slice", []int{1, 2}, map[string]any{"result": []any{1.0, 2.0}}, ""},
		{"string", "hi", map[string]any{"result": "hi"}, ""},
		{"number", 4, map[string]any{"result": 4.0}, ""},
		{"unencodable", make(chan int), nil, "json: unsupported type: chan int"},
		{"raw object", json.RawMessage(` {"a":[1]} `), map[string]any{"a": []any{1.0}}, ""},
		{"raw array", json.RawMessage(`[1]`), map[string]any{"result": []any{1.0}}, ""},
		{"raw null", json.RawMessage(`null`), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := encodeContent(tt.in)
			if !strings.Contains(errString(err), tt.err) || (tt.err == "") != (err == nil) {
				t.Fatalf("error = %v, want %q", err, tt.err)
			}
			var got map[string]any
			if raw != nil {
				if err := json.Unmarshal(raw, &got); err != nil {
					t.Fatalf("content %s: %v", raw, err)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("content = %#v, want %#v", got, tt.want)
			}
		})
	}
}
