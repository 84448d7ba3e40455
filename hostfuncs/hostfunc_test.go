package hostfuncs

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	extism "github.com/extism/go-sdk"

	"github.com/wasmcp/wasmcp/abi"
)

// guestModule is a hand-assembled Wasm guest. Each export passes an offset to
// a host function and makes the answer (if any) its output:
//
//	request    wasmcp_http_request(input_offset())   output: the response JSON
//	raw_<n>    wasmcp_http_request(n)                output: the response JSON
//	log        wasmcp_log(input_offset())
func guestModule(rawOffsets map[string]int64) []byte {
	const i32, i64 = 0x7f, 0x7e
	types := [][]byte{
		functype(nil, []byte{i64}),         // 0: () -> i64
		functype([]byte{i64}, []byte{i64}), // 1: (i64) -> i64
		functype([]byte{i64, i64}, nil),    // 2: (i64, i64) -> ()
		functype(nil, []byte{i32}),         // 3: () -> i32
		functype([]byte{i64}, nil),         // 4: (i64) -> ()
	}
	imports := [][]byte{
		importFunc("extism:host/env", "input_offset", 0),   // func 0
		importFunc(abi.HostModule, abi.FuncHTTPRequest, 1), // func 1
		importFunc("extism:host/env", "length", 1),         // func 2
		importFunc("extism:host/env", "output_set", 2),     // func 3
		importFunc(abi.HostModule, abi.FuncLog, 4),         // func 4
	}
	// respond: local 0 = resp; output_set(resp, length(resp)); return 0
	respond := []byte{0x22, 0, 0x20, 0, 0x10, 2, 0x10, 3, 0x41, 0, 0x0b}
	names := []string{"request", "log"}
	bodies := [][]byte{
		append([]byte{0x10, 0, 0x10, 1}, respond...),
		{0x10, 0, 0x10, 4, 0x41, 0, 0x0b},
	}
	for name, off := range rawOffsets {
		names = append(names, name)
		bodies = append(bodies, append(append(append([]byte{0x42}, sleb(off)...), 0x10, 1), respond...))
	}
	var funcs, exports, code [][]byte
	for i, name := range names {
		funcs = append(funcs, uleb(3))
		exports = append(exports, append(append(str(name), 0x00), uleb(uint64(5+i))...))
		body := append([]byte{1, 1, i64}, bodies[i]...) // one i64 local
		code = append(code, append(uleb(uint64(len(body))), body...))
	}
	m := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	m = append(m, section(1, types)...)
	m = append(m, section(2, imports)...)
	m = append(m, section(3, funcs)...)
	m = append(m, section(7, exports)...)
	m = append(m, section(10, code)...)
	return m
}

func uleb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

func sleb(v int64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func str(s string) []byte { return append(uleb(uint64(len(s))), s...) }

func vec(items [][]byte) []byte {
	out := uleb(uint64(len(items)))
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}

func section(id byte, items [][]byte) []byte {
	body := vec(items)
	return append(append([]byte{id}, uleb(uint64(len(body)))...), body...)
}

func functype(params, results []byte) []byte {
	return append(append([]byte{0x60}, vec(split(params))...), vec(split(results))...)
}

func split(b []byte) [][]byte {
	var out [][]byte
	for _, x := range b {
		out = append(out, []byte{x})
	}
	return out
}

func importFunc(module, name string, typeIdx uint64) []byte {
	return append(append(append(str(module), str(name)...), 0x00), uleb(typeIdx)...)
}

func newGuest(t *testing.T, f *Funcs, raw map[string]int64) *extism.Plugin {
	t.Helper()
	ctx := context.Background()
	manifest := extism.Manifest{Wasm: []extism.Wasm{extism.WasmData{Data: guestModule(raw), Name: "main"}}}
	p, err := extism.NewPlugin(ctx, manifest, extism.PluginConfig{}, f.HostFunctions())
	if err != nil {
		t.Fatalf("NewPlugin: %v", err)
	}
	t.Cleanup(func() { p.Close(ctx) })
	return p
}

func callGuest(t *testing.T, p *extism.Plugin, ctx context.Context, fn string, in []byte) abi.HTTPResponse {
	t.Helper()
	rc, out, err := p.CallWithContext(ctx, fn, in)
	if err != nil || rc != 0 {
		t.Fatalf("%s: rc=%d err=%v", fn, rc, err)
	}
	var resp abi.HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("%s: output %q is not an HTTPResponse: %v", fn, out, err)
	}
	return resp
}

func TestHostFunctionsThroughWasm(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "echo "+r.Header.Get("Authorization"))
	})
	logger, buf := captureLogger()
	fx.call.Logger = logger
	guest := newGuest(t, fx.funcs, map[string]int64{"raw_huge": 1 << 40, "raw_nowhere": 0xfff0, "raw_zero": 0})
	ctx := callCtx(fx.call)

	in, _ := json.Marshal(abi.HTTPRequest{Method: "GET", URL: "https://api.github.com/user"})
	resp := callGuest(t, guest, ctx, "request", in)
	wantOK(t, resp, 200)
	if resp.Body != "echo Bearer "+Redacted {
		t.Errorf("body = %q", resp.Body)
	}
	if reqs := fx.api.requests(); len(reqs) != 1 || reqs[0].Auth != "Bearer "+testToken {
		t.Errorf("api saw %+v", reqs)
	}

	in, _ = json.Marshal(abi.HTTPRequest{URL: "https://evil.example.com/"})
	wantErr(t, callGuest(t, guest, ctx, "request", in), abi.ErrHostNotAllowed)

	// Malformed input never traps.
	for _, bad := range []string{`{"url":`, `[]`, `{"headers":{"a":1}}`, "\xff"} {
		wantErr(t, callGuest(t, guest, ctx, "request", []byte(bad)), abi.ErrBadRequest)
	}
	for _, fn := range []string{"raw_huge", "raw_nowhere", "raw_zero"} {
		wantErr(t, callGuest(t, guest, ctx, fn, nil), abi.ErrBadRequest)
	}
	// Outside a tool call there is no HTTP.
	in, _ = json.Marshal(abi.HTTPRequest{URL: "https://api.github.com/user"})
	wantErr(t, callGuest(t, guest, context.Background(), "request", in), abi.ErrHostNotAllowed)

	rec, _ := json.Marshal(abi.LogRecord{Level: "warn", Message: "from the guest " + testToken})
	for _, r := range [][]byte{rec, []byte("not json"), nil} {
		if rc, _, err := guest.CallWithContext(ctx, "log", r); err != nil || rc != 0 {
			t.Fatalf("log: rc=%d err=%v", rc, err)
		}
	}
	if rc, _, err := guest.CallWithContext(context.Background(), "log", rec); err != nil || rc != 0 {
		t.Fatalf("log without a call: rc=%d err=%v", rc, err)
	}
	var guestLines []map[string]any
	for _, l := range decodeLines(t, buf) {
		if strings.HasPrefix(l["msg"].(string), "from the guest") {
			guestLines = append(guestLines, l)
		}
	}
	if len(guestLines) != 1 || guestLines[0]["msg"] != "from the guest "+Redacted || guestLines[0]["level"] != "WARN" || guestLines[0]["plugin"] != "test" {
		t.Errorf("guest log lines: %v", guestLines)
	}
	if strings.Contains(buf.String(), testToken) {
		t.Error("the token reached the log")
	}
}

func TestHostFunctionLimitsThroughWasm(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 2<<20))
	})
	guest := newGuest(t, fx.funcs, nil)
	ctx := callCtx(fx.call)

	// A request document above the cap is refused without being read.
	big, _ := json.Marshal(abi.HTTPRequest{URL: "https://api.github.com/", Body: strings.Repeat("b", maxRequestDocument)})
	resp := callGuest(t, guest, ctx, "request", big)
	wantErr(t, resp, abi.ErrBadRequest)
	if !strings.Contains(resp.ErrorMessage, "above the limit") {
		t.Errorf("message = %q", resp.ErrorMessage)
	}

	// A response that does not fit in the guest's memory becomes an error.
	ctxb := context.Background()
	manifest := extism.Manifest{
		Wasm:   []extism.Wasm{extism.WasmData{Data: guestModule(nil), Name: "main"}},
		Memory: &extism.ManifestMemory{MaxPages: 20}, // 1.25 MiB; the kernel needs 1 MiB
	}
	small, err := extism.NewPlugin(ctxb, manifest, extism.PluginConfig{}, fx.funcs.HostFunctions())
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close(ctxb)
	in, _ := json.Marshal(abi.HTTPRequest{URL: "https://api.github.com/big"})
	resp = callGuest(t, small, ctx, "request", in)
	wantErr(t, resp, abi.ErrResponseTooLarge)
	if !strings.Contains(resp.ErrorMessage, "memory") {
		t.Errorf("message = %q", resp.ErrorMessage)
	}
}
