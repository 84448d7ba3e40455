package host

import (
	"sync"
	"unsafe"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"
)

// go-sdk looks its functions up by name on every call: the guest's export
// and half a dozen of the Extism kernel's (reset, alloc, input_set,
// output_offset, output_length, error_get, length). wazero makes a new
// api.Function for each lookup, with a call engine and a stack of its own:
// about 110 KB of garbage per tool call, which the garbage collector then
// pays for. cacheFunctions puts a module that remembers its lookups in
// place of each of an instance's two modules. An api.Function may be called
// any number of times, one call at a time, and an instance serves one call
// at a time (see pool).
//
// It writes the same two fields of go-sdk's Plugin that guestmem.go reads;
// without them it does nothing, and calls only cost more.
func cacheFunctions(p *extism.Plugin) {
	for _, f := range []struct {
		offset uintptr
		err    error
	}{{mainModuleOffset, mainModuleErr}, {kernelModuleOffset, kernelModuleErr}} {
		if f.err != nil || p == nil {
			continue
		}
		field := (*api.Module)(unsafe.Add(unsafe.Pointer(p), f.offset))
		if m := *field; m != nil {
			if _, done := m.(*cachingModule); !done {
				*field = &cachingModule{Module: m, funcs: map[string]api.Function{}}
			}
		}
	}
}

// cachingModule is an api.Module whose ExportedFunction answers each name
// with the same api.Function.
type cachingModule struct {
	api.Module
	mu    sync.Mutex
	funcs map[string]api.Function
}

func (m *cachingModule) ExportedFunction(name string) api.Function {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.funcs[name]
	if !ok {
		f = m.Module.ExportedFunction(name)
		m.funcs[name] = f
	}
	return f
}
