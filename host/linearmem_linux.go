package host

import (
	"context"
	"fmt"
	"sync/atomic"
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
// A memory can also be snapshotted and reset (see reset.go): snapshot moves
// its pages into a sealed memfd and maps that privately over them,
// copy-on-write, and maps it once more, read-only, as the view that resets
// copy from. reset finds the pages that are no longer the memfd's own (the
// guest wrote them; see pagescan_linux.go) and copies the snapshot's bytes
// back into them, or zeros above the snapshot. Those pages stay the
// instance's, so its next call writes them without a page fault. When they
// are many, or the kernel cannot list them, reset drops every private page
// with MADV_DONTNEED instead, which brings back the same bytes through page
// faults. See RATIONALE.md, "Why reset instances instead of keeping one per
// user?" and "Why copy pages back instead of dropping them?".
type linearMemory struct {
	buf  []byte // the whole reservation, len = cap = max
	size uint64 // the memory's current length
	snap uint64 // the length at the snapshot; 0 before one
	// grows says the memory may be longer than at its snapshot: the guest's,
	// whose size the guest sees is virtual (see vmem.go) and which is grown
	// to its cap right after the snapshot.
	grows bool
	// file is the snapshot: this memory's own, or the plugin's shared one
	// (see template.go); view maps it read-only, the bytes reset copies.
	file *snapFile
	view []byte
	// vec and regions are scanPages' buffers, kept from reset to reset.
	vec, regions []pageRegion
	// kept is how many pages the last reset kept private (copied back).
	kept int
}

// maxKeptPages bounds the pages a reset copies back and keeps; past it, a
// reset drops them all. Copying a page back costs less than the page fault
// that brings it back after a drop, but kept pages stay resident.
const maxKeptPages = 1024

const linearMemoryProt = unix.PROT_READ | unix.PROT_WRITE

func newLinearMemory(max uint64) (*linearMemory, error) {
	if max == 0 {
		max = 1 << 16 // wazero asks for at least the minimum; keep one page reserved
	}
	buf, err := unix.Mmap(-1, 0, int(max), linearMemoryProt, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("reserving %d bytes of guest memory: %w", max, err)
	}
	// Pages of 4 KiB: a huge page would make a reset copy 2 MiB where the
	// guest wrote a byte, and pin 2 MiB where it touched one page.
	_ = unix.Madvise(buf, unix.MADV_NOHUGEPAGE)
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
	if m.file != nil {
		m.file.unref()
		m.file, m.view = nil, nil
	}
}

// snapFile is a sealed memfd holding a memory's bytes at a snapshot, and
// its read-only view. Every memory mapped from it holds a reference, and
// so does a template (template.go); the last one to go unmaps the view and
// closes the memfd.
type snapFile struct {
	fd   int
	n    uint64 // its length, the memory's at the snapshot
	view []byte
	refs atomic.Int32
}

func (f *snapFile) ref() *snapFile {
	f.refs.Add(1)
	return f
}

func (f *snapFile) unref() {
	if f.refs.Add(-1) == 0 {
		if f.view != nil {
			_ = unix.Munmap(f.view)
		}
		_ = unix.Close(f.fd)
	}
}

// snapshot makes the memory's current bytes its reset point.
func (m *linearMemory) snapshot() error {
	n := m.size
	if n == 0 {
		return fmt.Errorf("%w: an empty memory", errNoReset)
	}
	fd, err := unix.MemfdCreate("wasmcp-snapshot", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return fmt.Errorf("memfd_create: %w", err)
	}
	f := &snapFile{fd: fd, n: n}
	f.refs.Store(1)
	defer f.unref() // the memory's own reference is taken below
	for off := uint64(0); off < n; {
		w, err := unix.Pwrite(fd, m.buf[off:n], int64(off))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("writing the snapshot: %w", err)
		}
		off += uint64(w)
	}
	if err := m.mapPrivately(f); err != nil {
		return err
	}
	// Nothing may change the snapshot from now on: a reset trusts every
	// page that still reads through the memfd. The seal comes after the
	// private mapping (older kernels refuse a writable mapping of a sealed
	// memfd, even a private one) and before the shared view (newer ones
	// refuse the seal while a shared mapping could be made writable).
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_WRITE|unix.F_SEAL_GROW|unix.F_SEAL_SHRINK|unix.F_SEAL_SEAL); err != nil {
		return fmt.Errorf("sealing the snapshot: %w", err)
	}
	if view, err := unix.Mmap(fd, 0, int(n), unix.PROT_READ, unix.MAP_SHARED); err == nil {
		f.view = view
	}
	m.hold(f)
	return nil
}

// adopt makes f, another instance's snapshot of a memory like this one,
// this memory's bytes and reset point: f is mapped privately over the
// memory's first f.n bytes, and the pages above are dropped, so that they
// read as zeros, as they do in the instance f was taken of. The memory
// must have grown to f.n bytes at least.
func (m *linearMemory) adopt(f *snapFile) error {
	if m.buf == nil || m.size < f.n || f.view == nil {
		return fmt.Errorf("%w: a memory of %d bytes cannot take a snapshot of %d", errNoReset, m.size, f.n)
	}
	if err := m.mapPrivately(f); err != nil {
		return err
	}
	if f.n < uint64(len(m.buf)) {
		if err := unix.Madvise(m.buf[f.n:], unix.MADV_DONTNEED); err != nil {
			return fmt.Errorf("clearing above the snapshot: %w", err)
		}
	}
	m.hold(f)
	return nil
}

// mapPrivately maps f over the memory's first f.n bytes, copy-on-write.
func (m *linearMemory) mapPrivately(f *snapFile) error {
	if _, err := unix.MmapPtr(f.fd, 0, unsafe.Pointer(unsafe.SliceData(m.buf)), uintptr(f.n), linearMemoryProt, unix.MAP_PRIVATE|unix.MAP_FIXED); err != nil {
		return fmt.Errorf("mapping the snapshot: %w", err)
	}
	return nil
}

// hold makes f the memory's reset point.
func (m *linearMemory) hold(f *snapFile) {
	if m.file != nil {
		m.file.unref()
	}
	m.file = f.ref()
	m.view = f.view
	if m.view != nil && m.vec == nil {
		m.vec = make([]pageRegion, 256)
	}
	m.snap = f.n
}

// reset brings the memory back to its snapshot; false when it cannot (no
// snapshot, or the memory grew since: its length is guest-visible state).
func (m *linearMemory) reset() bool {
	if m.buf == nil || m.snap == 0 || m.size < m.snap || (m.size != m.snap && !m.grows) {
		return false
	}
	if m.copyBack() {
		return true
	}
	m.kept = 0
	return unix.Madvise(m.buf[:m.size], unix.MADV_DONTNEED) == nil
}

// copyBack restores every page that is not the snapshot file's own: the
// snapshot's bytes into a private copy below the snapshot's length, zeros
// above it; it drops the pages it cannot copy into (swapped out, or the
// shared zero page below the snapshot). False when it cannot tell which
// pages those are, or when they are more than maxKeptPages: reset then
// drops them all.
func (m *linearMemory) copyBack() bool {
	if m.view == nil {
		return false
	}
	b := m.buf[:m.size]
	regions, err := scanPages(b, m.vec, m.regions[:0])
	m.regions = regions
	if err != nil {
		return false
	}
	pages := 0
	for _, r := range regions {
		pages += int(r.end-r.start) / unix.Getpagesize()
	}
	if pages > maxKeptPages {
		return false
	}
	for _, r := range regions {
		switch {
		case r.categories&pageIsPresent == 0 || (r.categories&pageIsPFNZero != 0 && r.start < m.snap):
			if unix.Madvise(b[r.start:r.end], unix.MADV_DONTNEED) != nil {
				return false
			}
		case r.categories&pageIsPFNZero != 0:
			// The zero page above the snapshot: zeros already.
		default:
			lo, hi := r.start, r.end
			if lo < m.snap {
				top := min(hi, m.snap)
				copy(b[lo:top], m.view[lo:top])
				lo = top
			}
			if lo < hi {
				clear(b[lo:hi])
			}
		}
	}
	m.kept = pages
	return true
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
