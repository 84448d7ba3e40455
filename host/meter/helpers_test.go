package meter

import "bytes"

// A tiny WebAssembly encoder for hand-built test modules.

func u32(v uint32) []byte { return appendU32(nil, v) }

func str(s string) []byte { return appendName(nil, s) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// vec encodes a vector of already encoded items.
func vec(items ...[]byte) []byte { return cat(u32(uint32(len(items))), cat(items...)) }

func sec(id byte, items ...[]byte) []byte {
	p := vec(items...)
	return cat([]byte{id}, u32(uint32(len(p))), p)
}

func customSec(name string, data []byte) []byte {
	p := cat(str(name), data)
	return cat([]byte{0}, u32(uint32(len(p))), p)
}

func wasmModule(sections ...[]byte) []byte { return cat(wasmHeader, cat(sections...)) }

func fnType(params, results []byte) []byte {
	return cat([]byte{0x60}, u32(uint32(len(params))), params, u32(uint32(len(results))), results)
}

// code encodes a code entry with the given local declarations (pairs of count
// and type) and instructions, which must include the final end.
func code(locals []byte, instrs ...byte) []byte {
	b := cat(u32(uint32(len(locals)/2)), locals, instrs)
	return cat(u32(uint32(len(b))), b)
}

func funcImport(mod, name string, typeIdx uint32) []byte {
	return cat(str(mod), str(name), []byte{kindFunc}, u32(typeIdx))
}

func exp(name string, kind byte, idx uint32) []byte { return cat(str(name), []byte{kind}, u32(idx)) }

const (
	i32      = 0x7f
	funcref  = 0x70
	i32Eqz   = 0x45
	i32GeS   = 0x4e
	i32Add   = 0x6a
	localSet = 0x21
	br       = 0x0c
	brIf     = 0x0d
	tableSet = 0x26
	callInd  = 0x11
	opElse   = 0x05
)

var (
	tVoid    = fnType(nil, nil)                 // () -> ()
	tI32I32  = fnType([]byte{i32}, []byte{i32}) // (i32) -> i32
	tVoidI32 = fnType(nil, []byte{i32})         // () -> i32
)

// spinModule exports "spin", an infinite loop.
func spinModule() []byte {
	return wasmModule(
		sec(secType, tVoid),
		sec(secFunction, u32(0)),
		sec(secExport, exp("spin", kindFunc, 0)),
		sec(secCode, code(nil, opLoop, blockEmpty, br, 0, opEnd, opEnd)),
	)
}

// squareBody computes n*n with two nested loops; local 0 is n.
var squareBody = code([]byte{3, i32},
	opBlock, blockEmpty, opLoop, blockEmpty,
	opLocalGet, 1, opLocalGet, 0, i32GeS, brIf, 1,
	opI32Const, 0, localSet, 2,
	opBlock, blockEmpty, opLoop, blockEmpty,
	opLocalGet, 2, opLocalGet, 0, i32GeS, brIf, 1,
	opLocalGet, 3, opI32Const, 1, i32Add, localSet, 3,
	opLocalGet, 2, opI32Const, 1, i32Add, localSet, 2,
	br, 0,
	opEnd, opEnd,
	opLocalGet, 1, opI32Const, 1, i32Add, localSet, 1,
	br, 0,
	opEnd, opEnd,
	opLocalGet, 3, opEnd)

// squareModule exports "square" (nested loops) and "twice", which calls
// square(n) twice and adds the results, and a mutable global.
func squareModule() []byte {
	return wasmModule(
		sec(secType, tI32I32),
		sec(secFunction, u32(0), u32(0)),
		sec(secGlobal, cat([]byte{i32, 1}, []byte{opI32Const, 7, opEnd})),
		sec(secExport, exp("square", kindFunc, 0), exp("twice", kindFunc, 1)),
		sec(secCode, squareBody, code(nil,
			opLocalGet, 0, opCall, 0, opLocalGet, 0, opCall, 0, i32Add, opEnd)),
		customSec("name", nameSubsection(1, vec(cat(u32(0), str("square")), cat(u32(1), str("twice"))))),
		customSec("producers", []byte{0}),
	)
}

// recModule exports "rec": rec(d) = d == 0 ? 0 : rec(d-1)+1, with no loop.
// It imports env.nop first so that the recursion's call index shifts.
func recModule() []byte {
	return wasmModule(
		sec(secType, tI32I32, tVoid),
		sec(secImport, funcImport("env", "nop", 1)),
		sec(secFunction, u32(0)),
		sec(secExport, exp("rec", kindFunc, 1)),
		sec(secCode, code(nil,
			opLocalGet, 0, i32Eqz, opIf, i32,
			opI32Const, 0,
			opElse,
			opLocalGet, 0, opI32Const, 1, opI32Sub, opCall, 1, opI32Const, 1, i32Add,
			opEnd, opEnd)),
	)
}

// tableModule imports env.add1 and has a table filled by an index element
// segment [ten, twenty], and an expression element segment at offset 2 with
// [ref.func twenty]; a funcref global is initialised with ref.func ten.
// Exports: dispatch(i) = table[i](); viaGlobal() stores the global at table
// slot 4 and calls it; plus1(x) = add1(x). A start function sets global 1 to
// 42, exported by get42.
func tableModule() []byte {
	const ten, twenty, dispatch, viaGlobal, plus1, start, get42 = 1, 2, 3, 4, 5, 6, 7
	return wasmModule(
		sec(secType, tI32I32, tVoidI32, tVoid),
		sec(secImport, funcImport("env", "add1", 0)),
		sec(secFunction, u32(1), u32(1), u32(0), u32(1), u32(0), u32(2), u32(1)),
		sec(secTable, []byte{funcref, 0, 5}),
		sec(secGlobal,
			cat([]byte{funcref, 0}, []byte{opRefFunc, ten, opEnd}),
			cat([]byte{i32, 1}, []byte{opI32Const, 0, opEnd})),
		sec(secExport, exp("dispatch", kindFunc, dispatch), exp("viaGlobal", kindFunc, viaGlobal),
			exp("plus1", kindFunc, plus1), exp("get42", kindFunc, get42), exp("table", kindTable, 0)),
		cat([]byte{secStart}, u32(1), u32(start)),
		sec(secElement,
			cat(u32(0), []byte{opI32Const, 0, opEnd}, vec(u32(ten), u32(twenty))),
			cat(u32(4), []byte{opI32Const, 2, opEnd}, vec([]byte{opRefFunc, twenty, opEnd}))),
		sec(secCode,
			code(nil, opI32Const, 10, opEnd),
			code(nil, opI32Const, 20, opEnd),
			code(nil, opLocalGet, 0, callInd, 1, 0, opEnd),
			code(nil, opI32Const, 4, opGlobalGet, 0, tableSet, 0, opI32Const, 4, callInd, 1, 0, opEnd),
			code(nil, opLocalGet, 0, opCall, 0, opEnd),
			code(nil, opI32Const, 42, opGlobalSet, 1, opEnd),
			code(nil, opGlobalGet, 1, opEnd)),
	)
}

// nameSubsection encodes a subsection of the name custom section.
func nameSubsection(id byte, payload []byte) []byte {
	return cat([]byte{id}, u32(uint32(len(payload))), payload)
}

// featureModule exercises the instruction set the walker supports: memory
// and data segments (active with an imported-global offset, passive with a
// data count), bulk memory, sign extension, saturating truncation, 64-bit and
// float constants, typed select, br_table, multi-value blocks with a type
// index, and declarative and passive element segments. Its export "mix"
// returns 0x2a.
func featureModule() []byte {
	i64 := byte(0x7e)
	return wasmModule(
		sec(secType, tVoidI32, fnType(nil, []byte{i32, i32}), fnType([]byte{i32}, []byte{i32, i32})),
		sec(secImport, cat(str("genv"), str("base"), []byte{kindGlobal, i32, 0})),
		sec(secFunction, u32(0)),
		sec(secTable, []byte{funcref, 0, 1}),
		sec(secMemory, []byte{0x01, 1, 2}),
		sec(secExport, exp("mix", kindFunc, 0), exp("mem", kindMemory, 0)),
		sec(secElement,
			cat(u32(3), []byte{0x00}, vec(u32(0))),                          // declarative
			cat(u32(5), []byte{funcref}, vec([]byte{0xd0, funcref, opEnd})), // passive exprs
			cat(u32(1), []byte{0x00}, vec(u32(0)))),                         // passive indices
		cat([]byte{secDataCount}, u32(1), u32(2)),
		sec(secCode, code([]byte{1, i64},
			// memory.init 1 at 16 (2 bytes), then data.drop 1
			opI32Const, 16, opI32Const, 0, opI32Const, 2, 0xfc, 8, 1, 0, 0xfc, 9, 1,
			// memory.fill 32, 0x7f, 4 and memory.copy 40 <- 16, 2
			opI32Const, 32, opI32Const, 0x7f, opI32Const, 4, 0xfc, 11, 0,
			opI32Const, 40, opI32Const, 16, opI32Const, 2, 0xfc, 10, 0, 0,
			// i64.const large, wrap, extend8_s
			0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, localSet, 0,
			0x43, 0, 0, 0x80, 0x3f, 0xfc, 0, 0x1a, // f32.const 1.0; i32.trunc_sat_f32_s; drop
			0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0xfc, 6, 0x1a, // f64.const 1.0; i64.trunc_sat_f64_s; drop
			opI32Const, 0xaa, 0x01, 0xc0, 0x1a, // i32.extend8_s; drop
			0xd2, 0, 0xd1, 0x1a, // ref.func 0; ref.is_null; drop
			0xfc, 16, 0, 0x1a, // table.size 0; drop
			// multi-value block: type 2 (i32) -> (i32, i32)
			opI32Const, 1, opBlock, 2, opI32Const, 2, opEnd, opI32Const, 1, 0x1c, 1, i32, // select (typed) -> 1
			opBlock, blockEmpty, opBlock, blockEmpty, opI32Const, 1, 0x0e, 2, 0, 1, 0, opEnd, opEnd,
			opGlobalGet, 0, 0x1a,
			opI32Const, 0, 0x2d, 0, 16, i32Add, // i32.load8_u offset 16
			opI32Const, 0, 0x2c, 0, 41, i32Add, // i32.load8_s offset 41 (second copied byte)
			opEnd)),
		sec(secData,
			cat(u32(0), []byte{opGlobalGet, 0, opEnd}, vec([]byte{0})),
			cat(u32(1), u32(2), []byte{0x28, 0x01})),
	)
}

// testModules returns the hand-built modules by name.
func testModules() map[string][]byte {
	return map[string][]byte{
		"feature": featureModule(),
		"memory":  memModule(),
		"spin":    spinModule(),
		"square":  squareModule(),
		"rec":     recModule(),
		"table":   tableModule(),
	}
}
