package host

import (
	"context"
	"fmt"
	"os"
	"unsafe"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"golang.org/x/sys/unix"
)

// A linear memory of a guest instance lives outside the Go heap, in a
// mapping of its own: reserved at the memory's cap, committed by the kernel
// only where the guest touches it, and unmapped when the instance closes.
// The garbage collector neither scans it nor counts it toward its goal, so
// an instance costs the pages it touched and nothing more.
//
// A memory can also be snapshotted and reset (see resetter): snapshot moves
// its pages into a memfd and maps that privately over them, copy-on-write;
// reset drops the private pages with MADV_DONTNEED, which brings back the
// snapshot's bytes (and zeros above it) in time proportional to the pages
// the guest dirtied. See RATIONALE.md, "Why reset instances instead of
// keeping one per user?".
type linearMemory struct {
	buf  []byte // the whole reservation, len = cap = max
	size uint64 // the memory's current length
	snap uint64 // the length at the snapshot; 0 before one
	// grows says the memory may be longer than at its snapshot: the guest's,
	// whose size the guest sees is virtual (see vmem.go) and which is grown
	// to its cap right after the snapshot.
	grows bool
}

const linearMemoryProt = unix.PROT_READ | unix.PROT_WRITE

func newLinearMemory(max uint64) (*linearMemory, error) {
	if max == 0 {
		max = 1 << 16 // wazero asks for at least the minimum; keep one page reserved
	}
	buf, err := unix.Mmap(-1, 0, int(max), linearMemoryProt, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("reserving %d bytes of guest memory: %w", max, err)
	}
	return &linearMemory{buf: buf}, nil
}

// Reallocate implements experimental.LinearMemory: the memory grows in
// place, within its reservation.
func (m *linearMemory) Reallocate(size uint64) []byte {
	if size > uint64(len(m.buf)) {
		return nil
	}
	m.size = size
	return m.buf[:size:size]
}

// Free implements experimental.LinearMemory. wazero calls it when the
// module closes, which may be inside the guest's own call (a WASI exit) or
// while a test still holds the module: so it only gives the pages back, and
// the mapping stays, reading as zeros, until unmap.
func (m *linearMemory) Free() {
	if m.buf != nil {
		_ = unix.Madvise(m.buf, unix.MADV_DONTNEED)
		m.snap = 0 // a freed memory is never reset
	}
}

// unmap releases the mapping, once nothing can reach the memory any more:
// its instance is closed.
func (m *linearMemory) unmap() {
	if m.buf != nil {
		_ = unix.Munmap(m.buf)
		m.buf = nil
	}
}

// snapshot makes the memory's current bytes its reset point.
func (m *linearMemory) snapshot() error {
	n := m.size
	fd, err := unix.MemfdCreate("wasmcp-snapshot", unix.MFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "wasmcp-snapshot")
	defer f.Close() // the mapping keeps the memfd alive
	if n > 0 {
		if _, err := f.WriteAt(m.buf[:n], 0); err != nil {
			return fmt.Errorf("writing the snapshot: %w", err)
		}
		if _, err := unix.MmapPtr(fd, 0, unsafe.Pointer(unsafe.SliceData(m.buf)), uintptr(n), linearMemoryProt, unix.MAP_PRIVATE|unix.MAP_FIXED); err != nil {
			return fmt.Errorf("mapping the snapshot: %w", err)
		}
	}
	m.snap = n
	return nil
}

// reset brings the memory back to its snapshot; false when it cannot (no
// snapshot, or the memory grew since: its length is guest-visible state).
func (m *linearMemory) reset() bool {
	if m.buf == nil || m.snap == 0 || m.size < m.snap || (m.size != m.snap && !m.grows) {
		return false
	}
	return unix.Madvise(m.buf[:m.size], unix.MADV_DONTNEED) == nil
}

// memoryRecorder is the experimental.MemoryAllocator of one instance: it
// backs each memory the instance creates with a linearMemory, and keeps
// them in order of creation (go-sdk instantiates the Extism kernel before
// the guest).
type memoryRecorder struct {
	mems []*linearMemory
	err  error
}

func (r *memoryRecorder) Allocate(_, max uint64) experimental.LinearMemory {
	m, err := newLinearMemory(max)
	if err != nil {
		r.err = err
		return failedMemory{}
	}
	r.mems = append(r.mems, m)
	return m
}

// recordMemories returns ctx with a memoryRecorder as wazero's memory
// allocator, for instantiating one instance.
func recordMemories(ctx context.Context) (context.Context, *memoryRecorder) {
	r := &memoryRecorder{}
	return experimental.WithMemoryAllocator(ctx, r), r
}

// find returns the memory whose bytes mem reads, or nil.
func (r *memoryRecorder) find(mem api.Memory) *linearMemory {
	b, ok := mem.Read(0, 1)
	if r == nil || !ok {
		return nil
	}
	for _, m := range r.mems {
		if m.buf != nil && unsafe.SliceData(m.buf) == unsafe.SliceData(b) {
			return m
		}
	}
	return nil
}

// unmap releases every memory of the instance; see linearMemory.unmap.
func (r *memoryRecorder) unmap() {
	for _, m := range r.mems {
		m.unmap()
	}
}

// failedMemory is handed to wazero when the reservation failed: wazero's
// bounds check on the minimum then fails the instantiation.
type failedMemory struct{}

func (failedMemory) Reallocate(uint64) []byte { return nil }
func (failedMemory) Free()                    {}
