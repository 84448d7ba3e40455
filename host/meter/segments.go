package meter

// walkElements decodes an element section payload held by r, in all eight
// segment encodings. Function indices, whether in index vectors or in
// expressions, are validated and reported through w.onFunc; offsets and
// element expressions are walked with w.
func walkElements(r *reader, w *walker) error {
	n, err := r.count(1)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		flags, err := r.u32()
		if err != nil {
			return err
		}
		if flags > 7 {
			return r.errorf("element segment %d: invalid flags %d", i, flags)
		}
		if flags&1 == 0 { // active: optional table index, then the offset
			if flags&2 != 0 {
				if _, err := r.u32(); err != nil {
					return err
				}
			}
			if err := w.expr(r); err != nil {
				return err
			}
		}
		if flags&3 != 0 { // element kind or reference type
			c, err := r.readByte()
			if err != nil {
				return err
			}
			if flags&4 == 0 && c != 0x00 {
				return r.errorf("element segment %d: invalid element kind 0x%02x", i, c)
			}
			if flags&4 != 0 && c != 0x70 && c != 0x6f {
				return unsupported("element segment %d: reference type 0x%02x", i, c)
			}
		}
		k, err := r.count(1)
		if err != nil {
			return err
		}
		for j := uint32(0); j < k; j++ {
			if flags&4 == 0 {
				err = w.funcIdx(r)
			} else {
				err = w.expr(r)
			}
			if err != nil {
				return err
			}
		}
	}
	return trailing(r)
}

// trailing refuses bytes after the last entry of a section.
func trailing(r *reader) error {
	if !r.eof() {
		return r.errorf("%d trailing bytes at the end of the section", r.remaining())
	}
	return nil
}

// walkData decodes a data section payload held by r, walking offsets with w.
func walkData(r *reader, w *walker) error {
	n, err := r.count(1)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		flags, err := r.u32()
		if err != nil {
			return err
		}
		switch flags {
		case 0:
		case 1:
		case 2:
			if _, err := r.u32(); err != nil {
				return err
			}
		default:
			return r.errorf("data segment %d: invalid flags %d", i, flags)
		}
		if flags != 1 {
			if err := w.expr(r); err != nil {
				return err
			}
		}
		size, err := r.u32()
		if err != nil {
			return err
		}
		if _, err := r.bytes(size); err != nil {
			return err
		}
	}
	return trailing(r)
}
