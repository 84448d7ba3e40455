package meter

// Opcodes the walker and the instrumentation refer to by name.
const (
	opUnreachable = 0x00
	opBlock       = 0x02
	opLoop        = 0x03
	opIf          = 0x04
	opEnd         = 0x0b
	opCall        = 0x10
	opLocalGet    = 0x20
	opGlobalGet   = 0x23
	opGlobalSet   = 0x24
	opMemorySize  = 0x3f
	opMemoryGrow  = 0x40
	opI32Const    = 0x41
	opI32LeS      = 0x4c
	opI32Sub      = 0x6b
	opRefFunc     = 0xd2
	blockEmpty    = 0x40
)

// unsupportedOps names the opcodes of proposals the walker refuses.
var unsupportedOps = map[byte]string{
	0x06: "try (exception handling)",
	0x07: "catch (exception handling)",
	0x08: "throw (exception handling)",
	0x09: "rethrow (exception handling)",
	0x0a: "throw_ref (exception handling)",
	0x12: "return_call (tail calls)",
	0x13: "return_call_indirect (tail calls)",
	0x14: "call_ref (typed function references)",
	0x15: "return_call_ref (typed function references)",
	0x18: "delegate (exception handling)",
	0x19: "catch_all (exception handling)",
	0x1f: "try_table (exception handling)",
	0xd3: "ref.as_non_null (typed function references)",
	0xd4: "br_on_null (typed function references)",
	0xd5: "ref.eq (GC)",
	0xd6: "br_on_non_null (typed function references)",
	0xfb: "GC prefix 0xFB",
	0xfd: "SIMD prefix 0xFD",
	0xfe: "threads prefix 0xFE",
}

// walker decodes one expression (a function body or a constant expression),
// validating every function, global and type index against the index spaces
// it was given, and reports the positions the instrumentation cares about.
//
// All positions are indices into the reader's byte slice.
type walker struct {
	nTypes, nFuncs, nGlobals uint32

	// onFunc, if set, is called for the index immediate of call and ref.func,
	// which spans [start, end).
	onFunc func(start, end int, idx uint32) error
	// onGlobal, if set, is called for global.get and global.set; at is the
	// position of the opcode.
	onGlobal func(op byte, idx uint32, at int) error
	// onLoop, if set, is called with the position right after the block type
	// of every loop. It returns how many bytes to skip there.
	onLoop func(pos int) (skip int, err error)
	// onMemOp, if set, is called for memory.size and memory.grow, whose
	// opcode and memory index byte span [at, at+2).
	onMemOp func(op byte, at int) error
	// onStateOp, if set, is called with the name of every instruction that
	// changes state outside memories and globals: a table's entries or
	// size, or a segment's dropped flag (memory.init reads a segment that
	// data.drop may have dropped, so it depends on that state).
	onStateOp func(name string) error
}

// stateOp reports a state-changing instruction to onStateOp.
func (w *walker) stateOp(name string) error {
	if w.onStateOp == nil {
		return nil
	}
	return w.onStateOp(name)
}

// valType reads a value type, refusing those of unsupported proposals.
func valType(r *reader) (byte, error) {
	c, err := r.readByte()
	if err != nil {
		return 0, err
	}
	switch c {
	case 0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f:
		return c, nil
	case 0x7b:
		return 0, unsupported("v128 value type (SIMD) at offset %d", r.offset()-1)
	}
	return 0, unsupported("value type 0x%02x at offset %d", c, r.offset()-1)
}

// blockType reads a block type: empty, a single value type, or a type index.
func (w *walker) blockType(r *reader) error {
	at := r.offset()
	v, err := r.sleb(33)
	if err != nil {
		return err
	}
	switch v {
	case -64, -1, -2, -3, -4, -16, -17: // empty, i32, i64, f32, f64, funcref, externref
		return nil
	case -5:
		return unsupported("v128 block type (SIMD) at offset %d", at)
	}
	if v < 0 {
		return unsupported("block type %d at offset %d", v, at)
	}
	if v >= int64(w.nTypes) {
		return r.errorf("block type index %d out of range (%d types)", v, w.nTypes)
	}
	return nil
}

// zeroByte reads the single reserved zero byte that stands for memory 0.
func zeroByte(r *reader, what string) error {
	c, err := r.readByte()
	if err != nil {
		return err
	}
	if c != 0 {
		return unsupported("%s with memory index byte 0x%02x (multiple memories) at offset %d", what, c, r.offset()-1)
	}
	return nil
}

// u32s reads n unsigned LEB128 immediates whose values do not matter.
func u32s(r *reader, n int) error {
	for i := 0; i < n; i++ {
		if _, err := r.u32(); err != nil {
			return err
		}
	}
	return nil
}

// funcIdx reads and validates a function index immediate.
func (w *walker) funcIdx(r *reader) error {
	start := r.pos
	idx, err := r.u32()
	if err != nil {
		return err
	}
	if idx >= w.nFuncs {
		return r.errorf("function index %d out of range (%d functions)", idx, w.nFuncs)
	}
	if w.onFunc != nil {
		return w.onFunc(start, r.pos, idx)
	}
	return nil
}

// expr decodes instructions until the end that closes the expression, leaving
// r just after it.
func (w *walker) expr(r *reader) error {
	depth := 0
	for {
		at := r.pos
		op, err := r.readByte()
		if err != nil {
			return err
		}
		switch {
		case op == 0x00, op == 0x01, op == 0x05, op == 0x0f, op == 0x1a, op == 0x1b,
			op >= 0x45 && op <= 0xc4, op == 0xd1:
			// unreachable, nop, else, return, drop, select, numeric, ref.is_null.
		case op == opBlock, op == opIf:
			if err := w.blockType(r); err != nil {
				return err
			}
			depth++
		case op == opLoop:
			if err := w.blockType(r); err != nil {
				return err
			}
			depth++
			if w.onLoop != nil {
				skip, err := w.onLoop(r.pos)
				if err != nil {
					return err
				}
				r.pos += skip
			}
		case op == opEnd:
			if depth == 0 {
				return nil
			}
			depth--
		case op == 0x0c, op == 0x0d, op == 0x20, op == 0x21, op == 0x22, op == 0x25, op == 0x26:
			// br, br_if, local.get/set/tee, table.get/set.
			if _, err := r.u32(); err != nil {
				return err
			}
			if op == 0x26 {
				if err := w.stateOp("table.set"); err != nil {
					return err
				}
			}
		case op == 0x0e: // br_table
			n, err := r.count(1)
			if err != nil {
				return err
			}
			if err := u32s(r, int(n)+1); err != nil {
				return err
			}
		case op == opCall, op == opRefFunc:
			if err := w.funcIdx(r); err != nil {
				return err
			}
		case op == 0x11: // call_indirect
			t, err := r.u32()
			if err != nil {
				return err
			}
			if t >= w.nTypes {
				return r.errorf("call_indirect type index %d out of range (%d types)", t, w.nTypes)
			}
			if _, err := r.u32(); err != nil {
				return err
			}
		case op == 0x1c: // select t*
			n, err := r.readByte()
			if err != nil {
				return err
			}
			if n != 1 {
				return unsupported("typed select with %d types at offset %d", n, r.offset()-1)
			}
			if _, err := valType(r); err != nil {
				return err
			}
		case op == opGlobalGet, op == opGlobalSet:
			idx, err := r.u32()
			if err != nil {
				return err
			}
			if idx >= w.nGlobals {
				return r.errorf("global index %d out of range (%d globals)", idx, w.nGlobals)
			}
			if w.onGlobal != nil {
				if err := w.onGlobal(op, idx, at); err != nil {
					return err
				}
			}
		case op >= 0x28 && op <= 0x3e: // loads and stores
			align, err := r.u32()
			if err != nil {
				return err
			}
			if align >= 0x40 {
				return unsupported("memarg alignment flags 0x%x (multiple memories) at offset %d", align, r.offset())
			}
			if _, err := r.u32(); err != nil {
				return err
			}
		case op == opMemorySize, op == opMemoryGrow:
			if err := zeroByte(r, "memory.size/grow"); err != nil {
				return err
			}
			if w.onMemOp != nil {
				if err := w.onMemOp(op, at); err != nil {
					return err
				}
			}
		case op == opI32Const:
			if _, err := r.sleb(32); err != nil {
				return err
			}
		case op == 0x42:
			if _, err := r.sleb(64); err != nil {
				return err
			}
		case op == 0x43:
			if _, err := r.bytes(4); err != nil {
				return err
			}
		case op == 0x44:
			if _, err := r.bytes(8); err != nil {
				return err
			}
		case op == 0xd0: // ref.null
			c, err := r.readByte()
			if err != nil {
				return err
			}
			if c != 0x70 && c != 0x6f {
				return unsupported("ref.null heap type 0x%02x at offset %d", c, r.offset()-1)
			}
		case op == 0xfc:
			if err := w.misc(r); err != nil {
				return err
			}
		default:
			if name, ok := unsupportedOps[op]; ok {
				return unsupported("%s at offset %d", name, r.base+at)
			}
			return unsupported("unknown opcode 0x%02x at offset %d", op, r.base+at)
		}
	}
}

// misc decodes the immediates of a 0xFC-prefixed instruction.
// stateMisc names the 0xFC instructions that change or read state outside
// memories and globals (see walker.onStateOp).
var stateMisc = map[uint32]string{
	8: "memory.init", 9: "data.drop", 12: "table.init", 13: "elem.drop",
	14: "table.copy", 15: "table.grow", 17: "table.fill",
}

func (w *walker) misc(r *reader) error {
	at := r.offset()
	sub, err := r.u32()
	if err != nil {
		return err
	}
	if name, ok := stateMisc[sub]; ok {
		if err := w.stateOp(name); err != nil {
			return err
		}
	}
	switch {
	case sub <= 7: // saturating truncation
		return nil
	case sub == 8: // memory.init data memory
		if _, err := r.u32(); err != nil {
			return err
		}
		return zeroByte(r, "memory.init")
	case sub == 9, sub == 13, sub == 15, sub == 16, sub == 17:
		// data.drop, elem.drop, table.grow, table.size, table.fill
		_, err := r.u32()
		return err
	case sub == 10: // memory.copy
		if err := zeroByte(r, "memory.copy"); err != nil {
			return err
		}
		return zeroByte(r, "memory.copy")
	case sub == 11: // memory.fill
		return zeroByte(r, "memory.fill")
	case sub == 12, sub == 14: // table.init, table.copy
		return u32s(r, 2)
	}
	return unsupported("0xFC sub-opcode %d at offset %d", sub, at)
}
