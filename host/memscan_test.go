package host

import (
	"bytes"
	"fmt"
	"reflect"
	"unsafe"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"
)

// mainModule returns the guest's own module of an instance. go-sdk keeps it
// in the unexported field mainModule and offers no accessor for its memory,
// so this test-only helper reads the field through reflect and unsafe. It
// panics if go-sdk renames the field or changes its type, so a go-sdk
// upgrade cannot silently turn the memory scans into no-ops.
func mainModule(p *extism.Plugin) api.Module {
	f := reflect.ValueOf(p).Elem().FieldByName("mainModule")
	if !f.IsValid() || f.Type() != reflect.TypeFor[api.Module]() {
		panic(fmt.Sprintf("extism.Plugin has no field mainModule of type api.Module (go-sdk changed?): %v", f))
	}
	return *(*api.Module)(unsafe.Pointer(f.UnsafeAddr()))
}

// instanceMemories returns the guest's linear memory and the Extism
// kernel's memory (where inputs, outputs and host-function documents
// travel), by name.
func instanceMemories(p *extism.Plugin) map[string]api.Memory {
	mems := map[string]api.Memory{}
	if m := mainModule(p); m != nil {
		if mem := m.Memory(); mem != nil {
			mems["guest"] = mem
		} else if mem := m.ExportedMemory("memory"); mem != nil {
			mems["guest"] = mem
		}
	}
	if mem := p.Memory(); mem != nil {
		mems["kernel"] = mem
	}
	return mems
}

// scanInstance reports every needle found in the instance's memories,
// naming the memory and the offset. A memory that cannot be read is
// reported too: a scan that sees nothing must not pass for a clean one.
func scanInstance(p *extism.Plugin, needles ...string) []string {
	mems := instanceMemories(p)
	var found []string
	for _, name := range []string{"guest", "kernel"} {
		mem, ok := mems[name]
		if !ok {
			found = append(found, name+" memory: not found")
			continue
		}
		buf, ok := mem.Read(0, mem.Size())
		if !ok {
			found = append(found, fmt.Sprintf("%s memory: unreadable (%d bytes)", name, mem.Size()))
			continue
		}
		for _, n := range needles {
			if i := bytes.Index(buf, []byte(n)); i >= 0 {
				found = append(found, fmt.Sprintf("%q in %s memory at offset %d", n, name, i))
			}
		}
	}
	return found
}

// moduleClosed reports whether the guest module of an instance is closed
// (after a deadline, a cancellation or an exit, or when the pool closed it).
func moduleClosed(p *extism.Plugin) bool {
	return mainModule(p).IsClosed()
}
