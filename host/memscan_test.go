package host

import (
	"bytes"
	"fmt"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"
)

// instanceMemories returns the guest's linear memory and the Extism
// kernel's memory (where inputs, outputs and host-function documents
// travel), by name.
func instanceMemories(p *extism.Plugin) map[string]api.Memory {
	mems := map[string]api.Memory{}
	if m := guestModule(p); m != nil {
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

// visibleSize is how much of an instance's memory a scan reads: all of it,
// but for a guest memory with a virtual size (see vmem.go), that size. Its
// real memory above is its reservation, untouched or zeroed by its reset
// (which TestResetRestoresState checks byte for byte), and reading 64 MiB
// per call would make the suite slow for nothing.
func visibleSize(p *extism.Plugin, name string, mem api.Memory) uint32 {
	if name == "guest" {
		if v, ok := liveInstances.Load(p); ok {
			inst := v.(*instance)
			if inst.guestMem != nil && inst.guestMem.grows {
				inst.vmem.mu.Lock()
				defer inst.vmem.mu.Unlock()
				return min(inst.vmem.pages*pageSize, mem.Size())
			}
		}
	}
	return mem.Size()
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
		buf, ok := mem.Read(0, visibleSize(p, name, mem))
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
	return guestModule(p).IsClosed()
}
