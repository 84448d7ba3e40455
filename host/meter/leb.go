package meter

import (
	"errors"
	"fmt"
)

// ErrUnsupported wraps every refusal caused by a WebAssembly feature the
// instrumenter does not handle. Callers test it with errors.Is and fall back to
// running the module without instrumentation.
var ErrUnsupported = errors.New("meter: unsupported WebAssembly feature")

// unsupported returns an error wrapping ErrUnsupported.
func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

// reader is a bounds-checked cursor over b. base is the absolute offset of b[0]
// in the module binary and is only used in error messages. No method panics or
// allocates more than the remaining input.
type reader struct {
	b    []byte
	pos  int
	base int
}

// sub returns a reader over the next n bytes and advances r past them.
func (r *reader) sub(n uint32) (*reader, error) {
	b, err := r.bytes(n)
	if err != nil {
		return nil, err
	}
	return &reader{b: b, base: r.base + r.pos - len(b)}, nil
}

// offset returns the absolute offset of the cursor.
func (r *reader) offset() int { return r.base + r.pos }

// eof reports whether all bytes have been consumed.
func (r *reader) eof() bool { return r.pos >= len(r.b) }

func (r *reader) remaining() int { return len(r.b) - r.pos }

// errorf returns a plain error annotated with the current offset.
func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("meter: offset %d: %s", r.offset(), fmt.Sprintf(format, args...))
}

func (r *reader) readByte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, r.errorf("unexpected end of input")
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

// bytes returns the next n bytes, without copying.
func (r *reader) bytes(n uint32) ([]byte, error) {
	if uint64(n) > uint64(r.remaining()) {
		return nil, r.errorf("length %d exceeds the %d remaining bytes", n, r.remaining())
	}
	b := r.b[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, nil
}

// u32 reads an unsigned LEB128 value of at most 32 bits.
func (r *reader) u32() (uint32, error) {
	var v uint32
	for i := 0; i < 5; i++ {
		c, err := r.readByte()
		if err != nil {
			return 0, err
		}
		v |= uint32(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if i == 4 && c&0x70 != 0 {
				return 0, r.errorf("u32 overflows 32 bits")
			}
			return v, nil
		}
	}
	return 0, r.errorf("u32 longer than 5 bytes")
}

// count reads a vector length and checks that at least minSize bytes per
// element remain, so that callers can preallocate without risk.
func (r *reader) count(minSize int) (uint32, error) {
	n, err := r.u32()
	if err != nil {
		return 0, err
	}
	if uint64(n)*uint64(minSize) > uint64(r.remaining()) {
		return 0, r.errorf("vector length %d exceeds the remaining input", n)
	}
	return n, nil
}

// sleb reads a signed LEB128 value of at most bits bits (32, 33 or 64).
func (r *reader) sleb(bits int) (int64, error) {
	maxBytes := (bits + 6) / 7
	var v int64
	shift := 0
	for i := 0; i < maxBytes; i++ {
		c, err := r.readByte()
		if err != nil {
			return 0, err
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 != 0 {
			continue
		}
		if i == maxBytes-1 {
			// The last byte carries k significant bits including the sign; the
			// unused bits above them must be a sign extension.
			k := bits - 7*(maxBytes-1)
			ext := (c & 0x7f) >> (k - 1)
			if ext != 0 && ext != 0x7f>>(k-1) {
				return 0, r.errorf("s%d overflows", bits)
			}
		}
		if shift < 64 && c&0x40 != 0 {
			v |= -1 << shift
		}
		return v, nil
	}
	return 0, r.errorf("s%d longer than %d bytes", bits, maxBytes)
}

// name reads a length-prefixed byte string.
func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(n)
	return string(b), err
}

// appendU32 appends v as unsigned LEB128.
func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendS32 appends v as signed LEB128.
func appendS32(b []byte, v int32) []byte {
	x := int64(v)
	for {
		c := byte(x & 0x7f)
		x >>= 7
		if (x == 0 && c&0x40 == 0) || (x == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// appendName appends a length-prefixed byte string.
func appendName(b []byte, s string) []byte {
	return append(appendU32(b, uint32(len(s))), s...)
}
