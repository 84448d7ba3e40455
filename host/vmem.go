package host

import (
	"context"
	"sync"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcp/wasmcp/host/meter"
)

// A metered guest's memory.size and memory.grow are calls to the host
// (meter.Options.VirtualMemory), which answers with the instance's virtual
// size: the size the guest has asked for. That lets a resettable instance
// keep its real memory at its whole reservation (grown once, at its
// snapshot, committed by the kernel only where touched) while the guest sees
// the size it grew to; a reset then sets the virtual size back with the
// bytes, and the instance is byte for byte, and size for size, what it was.
// Every instance of a plugin has the same real size, so nothing about a
// previous call can be told from it either.

const pageSize = 1 << 16

// vmem is an instance's virtual memory size, in pages.
type vmem struct {
	mu    sync.Mutex
	pages uint32
}

// liveInstances finds the instance of the go-sdk plugin a host function is
// called for.
var liveInstances sync.Map // *extism.Plugin → *instance

// callerInstance returns the instance whose guest is calling, and its guest
// memory.
func callerInstance(ctx context.Context) (*instance, api.Memory) {
	p, _ := ctx.Value(extism.PluginCtxKey("plugin")).(*extism.Plugin)
	if p == nil {
		return nil, nil
	}
	if v, ok := liveInstances.Load(p); ok {
		inst := v.(*instance)
		return inst, inst.memory
	}
	return nil, guestMemory(p)
}

// memorySizeFunction is the host function meter.MemorySizeName: () -> i32.
func memorySizeFunction() extism.HostFunction {
	f := extism.NewHostFunctionWithStack(meter.MemorySizeName, func(ctx context.Context, _ *extism.CurrentPlugin, stack []uint64) {
		inst, mem := callerInstance(ctx)
		switch {
		case inst != nil:
			inst.vmem.mu.Lock()
			stack[0] = api.EncodeU32(inst.vmem.pages)
			inst.vmem.mu.Unlock()
		case mem != nil:
			stack[0] = api.EncodeU32(mem.Size() / pageSize)
		default:
			panic("memory_size called outside a guest call")
		}
	}, nil, []extism.ValueType{api.ValueTypeI32})
	f.SetNamespace(meterModule)
	return f
}

// memoryGrowFunction is the host function meter.MemoryGrowName:
// (delta i32) -> (old i32), with memory.grow's meaning: the old size in
// pages, or -1 when the memory cannot grow by delta pages.
func memoryGrowFunction() extism.HostFunction {
	f := extism.NewHostFunctionWithStack(meter.MemoryGrowName, func(ctx context.Context, _ *extism.CurrentPlugin, stack []uint64) {
		delta := api.DecodeU32(stack[0])
		inst, mem := callerInstance(ctx)
		if mem == nil {
			panic("memory_grow called outside a guest call")
		}
		if inst == nil {
			old, ok := mem.Grow(delta)
			stack[0] = growResult(old, ok)
			return
		}
		inst.vmem.mu.Lock()
		defer inst.vmem.mu.Unlock()
		old := inst.vmem.pages
		want := uint64(old) + uint64(delta)
		if inst.guestMem != nil && want > uint64(len(inst.guestMem.buf)/pageSize) {
			stack[0] = growResult(0, false) // past the memory's cap
			return
		}
		if real := uint64(mem.Size() / pageSize); want > real {
			// Past the real size (before the snapshot grew it to its cap,
			// or with no memory of ours): grow it for real.
			if _, ok := mem.Grow(uint32(want - real)); !ok {
				stack[0] = growResult(0, false)
				return
			}
		}
		inst.vmem.pages = uint32(want)
		stack[0] = growResult(old, true)
	}, []extism.ValueType{api.ValueTypeI32}, []extism.ValueType{api.ValueTypeI32})
	f.SetNamespace(meterModule)
	return f
}

func growResult(old uint32, ok bool) uint64 {
	if !ok {
		return api.EncodeI32(-1)
	}
	return api.EncodeU32(old)
}
