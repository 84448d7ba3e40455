package meter

import "fmt"

// Info is what Inspect found out about a module.
type Info struct {
	// Resettable says that all of an instance's mutable state lives in its
	// own linear memory and globals: it imports no memory, table or global,
	// and no instruction changes a table or a segment's dropped flag (nor
	// reads a segment that could be dropped). Restoring its memory and
	// globals then restores the whole instance.
	Resettable bool
	// Why says why it is not, for logs.
	Why string
}

// Inspect decodes wasm, validating it as Instrument does, and tells what the
// host needs to know about its state.
func Inspect(wasm []byte) (Info, error) {
	m, err := parseModule(wasm)
	if err != nil {
		return Info{}, err
	}
	for _, im := range m.imports {
		switch im.kind {
		case 1, 2, 3:
			what := [...]string{1: "a table", 2: "a memory", 3: "a global"}[im.kind]
			return Info{Why: fmt.Sprintf("it imports %s (%s.%s)", what, im.module, im.name)}, nil
		}
	}
	why := ""
	w := &walker{
		nTypes: uint32(len(m.types)), nFuncs: m.nFuncs(), nGlobals: m.nGlobals(),
		onStateOp: func(name string) error {
			if why == "" {
				why = "it uses " + name
			}
			return nil
		},
	}
	for _, b := range m.bodies {
		r := &reader{b: b.raw, base: b.off, pos: b.exprAt}
		if err := w.expr(r); err != nil {
			return Info{}, err
		}
	}
	if why != "" {
		return Info{Why: why}, nil
	}
	return Info{Resettable: true}, nil
}

// Imports returns the imports of wasm as "module.name", in order; the
// names are the module's own bytes, unchecked.
func Imports(wasm []byte) ([]string, error) {
	m, err := parseModule(wasm)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(m.imports))
	for _, im := range m.imports {
		out = append(out, im.module+"."+im.name)
	}
	return out, nil
}
