package host

import (
	"errors"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A reset needs to know which pages of a memory the guest changed since the
// snapshot. After a snapshot, a page of the snapshotted part reads through
// the memfd's own page (the kernel maps it read-only on a read) until the
// guest writes it, which gives the mapping a private anonymous copy; a page
// above it is anonymous from its first write. So the pages that can differ
// from the snapshot are exactly those that are not the file's: private
// copies, the zero page, and anything swapped out. PAGEMAP_SCAN (an ioctl
// of /proc/self/pagemap, Linux 6.7) lists them, as ranges, in one call whose
// cost grows with the pages mapped, not with the reservation.
//
// Kernels without it (ENOTTY, EINVAL) make scanPages fail once and for all;
// resets then drop every page instead (see linearMemory.reset).

// Page categories of struct pm_scan_arg (include/uapi/linux/fs.h).
const (
	pageIsFile    = 1 << 2
	pageIsPresent = 1 << 3
	pageIsSwapped = 1 << 4
	pageIsPFNZero = 1 << 5
)

// pagemapScan is PAGEMAP_SCAN, _IOWR('f', 16, struct pm_scan_arg).
const pagemapScan = 3<<30 | uint(unsafe.Sizeof(pmScanArg{}))<<16 | 'f'<<8 | 16

// pmScanArg is struct pm_scan_arg.
type pmScanArg struct {
	size, flags, start, end, walkEnd, vec, vecLen, maxPages       uint64
	categoryInverted, categoryMask, categoryAnyofMask, returnMask uint64
}

// pageRegion is struct page_region: [start, end) with the categories asked
// for in returnMask.
type pageRegion struct {
	start, end, categories uint64
}

var (
	pagemapFile  = sync.OnceValues(func() (*os.File, error) { return os.Open("/proc/self/pagemap") })
	pageScanDead atomic.Bool
	errNoScan    = errors.New("PAGEMAP_SCAN is not available")
)

// scanPages appends to out the regions of b (page aligned) that do not read
// through a file's page: present and anonymous (the zero page among them,
// marked pageIsPFNZero), or swapped out. It uses vec for the kernel's answers.
func scanPages(b []byte, vec, out []pageRegion) ([]pageRegion, error) {
	if pageScanDead.Load() || len(vec) == 0 {
		return out, errNoScan
	}
	f, err := pagemapFile()
	if err != nil {
		pageScanDead.Store(true)
		return out, errNoScan
	}
	base := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	start, end := base, base+uint64(len(b))
	for start < end {
		arg := pmScanArg{
			size:              uint64(unsafe.Sizeof(pmScanArg{})),
			start:             start,
			end:               end,
			vec:               uint64(uintptr(unsafe.Pointer(unsafe.SliceData(vec)))),
			vecLen:            uint64(len(vec)),
			categoryInverted:  pageIsFile,
			categoryMask:      pageIsFile, // not a file's page ...
			categoryAnyofMask: pageIsPresent | pageIsSwapped,
			returnMask:        pageIsPresent | pageIsSwapped | pageIsPFNZero,
		}
		n, _, errno := unix.Syscall(unix.SYS_IOCTL, f.Fd(), uintptr(pagemapScan), uintptr(unsafe.Pointer(&arg)))
		runtime.KeepAlive(vec)
		if errno != 0 {
			if errno == unix.ENOTTY || errno == unix.EINVAL || errno == unix.EOPNOTSUPP {
				pageScanDead.Store(true)
				return out, errNoScan
			}
			return out, errno
		}
		for _, r := range vec[:n] {
			out = append(out, pageRegion{r.start - base, r.end - base, r.categories})
		}
		if arg.walkEnd <= start {
			return out, errors.New("PAGEMAP_SCAN made no progress")
		}
		start = arg.walkEnd
	}
	return out, nil
}
