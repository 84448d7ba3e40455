package hostfuncs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcp/wasmcp/abi"
)

// guestMemory returns a one-page linear memory of a real module.
func guestMemory(t *testing.T) api.Memory {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	t.Cleanup(func() { r.Close(ctx) })
	// A module with one memory of one page, and nothing else.
	m, err := r.Instantiate(ctx, []byte("\x00asm\x01\x00\x00\x00\x05\x03\x01\x00\x01"))
	if err != nil {
		t.Fatal(err)
	}
	return m.Memory()
}

// TestDirectFunctions: wasmcp_http_send reads the request from guest memory
// and holds the answer, wasmcp_http_recv writes its head and raw body where
// the guest says (once), wasmcp_output copies the result; every range is
// bounds-checked, an output past the limit is refused before it is copied,
// and outside a call the functions do nothing.
func TestDirectFunctions(t *testing.T) {
	fx := newGithubFixture(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"login":"octocat","auth":"` + r.Header.Get("Authorization") + `"}`))
	})
	mem := guestMemory(t)
	fx.call.Memory = mem
	fx.call.Limits.MaxOutputBytes = 64
	ctx := callCtx(fx.call)

	req := []byte(`{"method":"GET","url":"https://api.github.com/user"}`)
	mem.Write(100, req)
	stack := []uint64{100, uint64(len(req))}
	fx.funcs.httpSend(ctx, nil, stack)
	headLen, bodyLen := uint32(stack[0]>>32), uint32(stack[0])
	if headLen == 0 || bodyLen == 0 {
		t.Fatalf("lens = %#x", stack[0])
	}
	stack = []uint64{1000, 2000}
	fx.funcs.httpRecv(ctx, nil, stack)
	if stack[0] != 1 {
		t.Fatal("recv failed")
	}
	head, _ := mem.Read(1000, headLen)
	body, _ := mem.Read(2000, bodyLen)
	var h abi.HTTPResponse
	if err := json.Unmarshal(head, &h); err != nil || h.Status != 200 || h.Body != "" {
		t.Errorf("head %s: %v", head, err)
	}
	if string(body) != `{"login":"octocat","auth":"Bearer [REDACTED]"}` {
		t.Errorf("body %s", body)
	}
	// The response is handed over once.
	stack = []uint64{1000, 2000}
	if fx.funcs.httpRecv(ctx, nil, stack); stack[0] != 0 {
		t.Error("a second recv succeeded")
	}

	// A request outside memory is answered with bad_request, held as usual.
	stack = []uint64{65530, 100}
	fx.funcs.httpSend(ctx, nil, stack)
	headLen, bodyLen = uint32(stack[0]>>32), uint32(stack[0])
	stack = []uint64{0, 4000}
	fx.funcs.httpRecv(ctx, nil, stack)
	head, _ = mem.Read(0, headLen)
	if err := json.Unmarshal(head, &h); err != nil || h.Error != abi.ErrBadRequest || bodyLen != 0 {
		t.Errorf("out-of-range request: head %s", head)
	}
	// A recv whose ranges lie outside memory writes nothing and fails.
	fx.funcs.httpSend(ctx, nil, []uint64{100, uint64(len(req))})
	stack = []uint64{65535, 0}
	if fx.funcs.httpRecv(ctx, nil, stack); stack[0] != 0 {
		t.Error("recv past the end of memory succeeded")
	}

	// Output: copied, bounded by the limit before any copy, bounds-checked.
	mem.Write(3000, []byte(`{"content":{"a":1}}`))
	stack = []uint64{3000, 19}
	if fx.funcs.output(ctx, nil, stack); stack[0] != 1 {
		t.Fatal("output not taken")
	}
	if out, set, err := fx.call.Output(); !set || err != nil || string(out) != `{"content":{"a":1}}` {
		t.Errorf("output %s %v %v", out, set, err)
	}
	var tooLarge *OutputTooLargeError
	fx.funcs.output(ctx, nil, []uint64{3000, 65})
	if _, _, err := fx.call.Output(); !errors.As(err, &tooLarge) || tooLarge.Size != 65 || tooLarge.Limit != 64 {
		t.Errorf("output past the limit: %v", err)
	}
	fx.funcs.output(ctx, nil, []uint64{65530, 20})
	if _, _, err := fx.call.Output(); err == nil {
		t.Error("output outside memory accepted")
	}

	// Outside a call nothing is done, and the guest is told.
	stack = []uint64{100, uint64(len(req))}
	if fx.funcs.httpSend(context.Background(), nil, stack); stack[0] != 0 {
		t.Error("send outside a call answered")
	}
	stack = []uint64{3000, 19}
	if fx.funcs.output(context.Background(), nil, stack); stack[0] != 0 {
		t.Error("output outside a call taken")
	}
}
