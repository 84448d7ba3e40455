package meter

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// oneFunc returns a module with a single ()->() function with body instrs
// (final end included) and one defined i32 global.
func oneFunc(instrs ...byte) []byte {
	return wasmModule(
		sec(secType, tVoid),
		sec(secFunction, u32(0)),
		sec(secGlobal, cat([]byte{i32, 1}, []byte{opI32Const, 0, opEnd})),
		sec(secCode, code(nil, instrs...)),
	)
}

func TestRefusals(t *testing.T) {
	for _, c := range []struct {
		name        string
		wasm        []byte
		unsupported bool
	}{
		{"global index = count", oneFunc(opGlobalGet, 1, 0x1a, opEnd), false},
		{"global.set index = count", oneFunc(opI32Const, 1, opGlobalSet, 1, opEnd), false},
		{"call index = count", oneFunc(opCall, 1, opEnd), false},
		{"ref.func index = count", oneFunc(opRefFunc, 1, 0x1a, opEnd), false},
		{"call_indirect type = count", oneFunc(opI32Const, 0, callInd, 1, 0, opEnd), false},
		{"block type index = count", oneFunc(opBlock, 1, opEnd, opEnd), false},
		{"global init global index", wasmModule(sec(secGlobal, cat([]byte{i32, 0}, []byte{opGlobalGet, 1, opEnd}))), false},
		{"truncated", oneFunc(opI32Const), false},
		{"trailing bytes after end", oneFunc(opEnd, 0x01), false},
		{"bad magic", []byte("\x00asn\x01\x00\x00\x00"), false},
		{"overlong u32", oneFunc(opBlock, blockEmpty, br, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, opEnd, opEnd), false},
		{"name map count beyond input", wasmModule(customSec("name", nameSubsection(1, u32(0xffffffff)))), false},
		{"name subsection overrun", wasmModule(customSec("name", cat([]byte{1, 1}, vec(cat(u32(0), str("f")))))), false},
		{"too many locals", wasmModule(sec(secType, tVoid), sec(secFunction, u32(0)),
			sec(secCode, cat(u32(8), u32(2), u32(maxLocals), []byte{i32, 1, i32, opEnd}))), false},
		{"simd", oneFunc(0xfd, 0x0c, opEnd), true},
		{"atomics", oneFunc(0xfe, 0x03, 0x00, opEnd), true},
		{"gc prefix", oneFunc(0xfb, 0x00, opEnd), true},
		{"return_call", oneFunc(0x12, 0, opEnd), true},
		{"return_call_indirect", oneFunc(opI32Const, 0, 0x13, 0, 0, opEnd), true},
		{"call_ref", oneFunc(0x14, 0, opEnd), true},
		{"try", oneFunc(0x06, blockEmpty, opEnd, opEnd), true},
		{"try_table", oneFunc(0x1f, blockEmpty, 0, opEnd, opEnd), true},
		{"throw", oneFunc(0x08, 0, opEnd), true},
		{"br_on_null", oneFunc(0xd4, 0, opEnd), true},
		{"unknown opcode", oneFunc(0x27, opEnd), true},
		{"misc sub-opcode 18", oneFunc(0xfc, 18, opEnd), true},
		{"multi-memory memarg", oneFunc(opI32Const, 0, 0x28, 0x40, 1, 0, 0x1a, opEnd), true},
		{"unknown section", wasmModule(cat([]byte{14, 0})), true},
		{"tag section", wasmModule(cat([]byte{13, 0})), true},
		{"memory64", wasmModule(sec(secMemory, []byte{0x04, 1})), true},
		{"shared memory", wasmModule(sec(secMemory, []byte{0x03, 1, 1})), true},
		{"v128 local", wasmModule(sec(secType, tVoid), sec(secFunction, u32(0)), sec(secCode, code([]byte{1, 0x7b}, opEnd))), true},
	} {
		for _, o := range []Options{{Fuel: 10}, yieldOpts(10)} {
			_, err := Instrument(c.wasm, o)
			if err == nil {
				t.Errorf("%s: Instrument succeeded", c.name)
				continue
			}
			if c.name == "too many locals" && !strings.Contains(err.Error(), "locals") {
				t.Errorf("%s: %v", c.name, err)
			}
			if errors.Is(err, ErrUnsupported) != c.unsupported {
				t.Errorf("%s: errors.Is(%v, ErrUnsupported) = %v", c.name, err, !c.unsupported)
			}
		}
	}
}

func TestBadOptions(t *testing.T) {
	if _, err := Instrument(spinModule(), Options{}); err == nil {
		t.Fatal("zero fuel accepted")
	}
	if err := Verify(spinModule(), Options{Fuel: -1}); err == nil {
		t.Fatal("negative fuel accepted")
	}
}

func TestVerifyRejects(t *testing.T) {
	o := Options{Fuel: 100}
	if err := Verify(squareModule(), o); err == nil {
		t.Fatal("Verify accepted an uninstrumented module")
	}
	out := instrument(t, squareModule(), o)
	check := checkSequence(1, -1)
	// Remove the check after the inner loop: the second occurrence of
	// "loop 0x40 check" in the first body.
	loopCheck := cat([]byte{opLoop, blockEmpty}, check)
	i := bytes.Index(out, loopCheck)
	j := bytes.Index(out[i+1:], loopCheck) + i + 1
	if i < 0 || j <= i {
		t.Fatal("loop checks not found")
	}
	tampered := cat(out[:j+2], bytes.Repeat([]byte{0x01}, len(check)), out[j+2+len(check):]) // nops
	if err := Verify(tampered, o); err == nil || !strings.Contains(err.Error(), "function 0") ||
		!strings.Contains(err.Error(), "loop header") {
		t.Fatalf("Verify(tampered) = %v", err)
	}
	// Yield-mode output does not verify in trap mode and vice versa.
	yout := instrument(t, squareModule(), yieldOpts(100))
	if err := Verify(yout, o); err == nil {
		t.Fatal("yield output verified in trap mode")
	}
	if err := Verify(out, yieldOpts(100)); err == nil {
		t.Fatal("trap output verified in yield mode")
	}
	if err := Verify(out, Options{Fuel: 101}); err == nil {
		t.Fatal("verified with the wrong fuel")
	}
}

func TestVerifyRejectsFuelWrite(t *testing.T) {
	// A module that already looks instrumented but whose body also writes the
	// fuel global (index 0) outside a check.
	check := checkSequence(0, -1)
	body := cat(check, []byte{opI32Const, 5, opGlobalSet, 0, opEnd})
	wasm := wasmModule(
		sec(secType, tVoid),
		sec(secFunction, u32(0)),
		sec(secGlobal, cat([]byte{i32, 1}, fuelInit(10))),
		sec(secCode, code(nil, body...)),
	)
	if err := Verify(wasm, Options{Fuel: 10}); err == nil || !strings.Contains(err.Error(), "global.set of the fuel") {
		t.Fatalf("Verify = %v", err)
	}
}

func TestVerifyRejectsWrapperReference(t *testing.T) {
	// In trap mode, a table entry pointing at a wrapper would let a loop
	// refill its fuel through call_indirect.
	out := instrument(t, tableModule(), Options{Fuel: 100})
	m, err := parseModule(out)
	if err != nil {
		t.Fatal(err)
	}
	// Point the first element of the first segment (function 1) at the
	// wrapper of "dispatch" by rebuilding the element section.
	var wrapper uint32
	for _, e := range m.exports {
		if e.name == "dispatch" {
			wrapper = e.idx
		}
	}
	var rebuilt []byte
	rebuilt = append(rebuilt, wasmHeader...)
	for _, s := range m.sections {
		p := s.payload
		if s.id == secElement {
			p = bytes.Replace(p, vec(u32(1), u32(2)), vec(u32(wrapper), u32(2)), 1)
		}
		rebuilt = appendSection(rebuilt, s.id, p)
	}
	if err := Verify(rebuilt, Options{Fuel: 100}); err == nil || !strings.Contains(err.Error(), "wrapper") {
		t.Fatalf("Verify = %v", err)
	}
}
