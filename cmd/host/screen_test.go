package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// What screen refuses, with which code, and what it leaves to mcp-go.
func TestScreen(t *testing.T) {
	for _, c := range []struct {
		name, msg string
		code      int    // 0: not screened
		id        string // the id in the answer, as JSON
		want      string // in the message
	}{
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]`, codeInvalidRequest, "null", "batches are not part of MCP"},
		{"batch after space", " \n[]", codeInvalidRequest, "null", "one JSON-RPC message per request"},
		{"string arguments", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":"x"}}`, codeInvalidParams, "1", "must be a JSON object, got a string"},
		{"array arguments", `{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"t","arguments":[1]}}`, codeInvalidParams, `"a"`, "got an array"},
		{"null arguments", `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"t","arguments":null}}`, codeInvalidParams, "2", "got null"},
		{"number arguments", `{"jsonrpc":"2.0","id":2.5,"method":"tools/call","params":{"name":"t","arguments":3}}`, codeInvalidParams, "2.5", "got a number"},
		{"boolean arguments", `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"t","arguments":true}}`, codeInvalidParams, "3", "got a boolean"},
		// encoding/json matches keys regardless of case, as mcp-go reads them.
		{"arguments in capitals", `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"t","ARGUMENTS":"x"}}`, codeInvalidParams, "4", "got a string"},
		{"cursor", `{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{"cursor":"!!"}}`, codeInvalidParams, "5", "unknown cursor"},
		{"valid base64 cursor", `{"jsonrpc":"2.0","id":6,"method":"tools/list","params":{"cursor":"Z2V0X2dpdGh1Yl91c2Vy"}}`, codeInvalidParams, "6", "list again without one"},
		{"object arguments", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":{"a":1}}}`, 0, "", ""},
		{"no arguments", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"}}`, 0, "", ""},
		{"notification", `{"jsonrpc":"2.0","method":"tools/call","params":{"name":"t","arguments":"x"}}`, 0, "", ""},
		{"null id", `{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"arguments":"x"}}`, 0, "", ""},
		{"empty cursor", `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":""}}`, 0, "", ""},
		{"null cursor", `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":null}}`, 0, "", ""},
		{"cursor of another method", `{"jsonrpc":"2.0","id":1,"method":"resources/list","params":{"cursor":"x"}}`, 0, "", ""},
		{"params not an object", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"x"}`, 0, "", ""},
		{"not JSON", `{"jsonrpc":`, 0, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := screen([]byte(c.msg))
			if c.code == 0 {
				if s != nil {
					t.Fatalf("screened: %s", s.response())
				}
				return
			}
			if s == nil {
				t.Fatal("not screened")
			}
			var resp struct {
				JSONRPC string          `json:"jsonrpc"`
				ID      json.RawMessage `json:"id"`
				Error   struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			raw := s.response()
			if err := json.Unmarshal(raw, &resp); err != nil {
				t.Fatalf("response %s: %v", raw, err)
			}
			if resp.JSONRPC != "2.0" || string(resp.ID) != c.id || resp.Error.Code != c.code || !strings.Contains(resp.Error.Message, c.want) {
				t.Errorf("response %s; want id %s, code %d, a message with %q", raw, c.id, c.code, c.want)
			}
			if s.batch != (c.code == codeInvalidRequest) {
				t.Errorf("batch = %v", s.batch)
			}
		})
	}
}
