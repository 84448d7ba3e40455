package host

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/unix"
)

// TestLinearMemoryReset: after any mix of writes and reads below and above
// the snapshot, a reset brings every byte back, whether it copies pages back
// (PAGEMAP_SCAN), drops them all (too many pages, or no PAGEMAP_SCAN), or
// mixes both; and a page the guest only read stays the snapshot file's own.
func TestLinearMemoryReset(t *testing.T) {
	const (
		snapLen = 64 << 12  // 64 pages snapshotted
		capLen  = 256 << 12 // grown to 256
	)
	page := unix.Getpagesize()
	for _, tc := range []struct {
		name   string
		writes int // pages written per round
		noScan bool
		copied bool // the reset copies pages back
	}{
		{"copy back", 40, false, true},
		{"too many pages", maxKeptPages + 1, false, false},
		{"no PAGEMAP_SCAN", 40, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			capBytes := capLen
			if tc.writes > capLen/page {
				capBytes = (tc.writes + 64) * page
			}
			m, err := newLinearMemory(uint64(capBytes))
			if err != nil {
				t.Fatal(err)
			}
			defer m.unmap()
			b := m.Reallocate(snapLen)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			want := bytes.Clone(b)
			if err := m.snapshot(); err != nil {
				t.Fatal(err)
			}
			m.grows = true
			b = m.Reallocate(uint64(capBytes))
			want = append(want, make([]byte, capBytes-snapLen)...)
			if tc.noScan {
				m.view = nil // as when the kernel cannot scan
			} else if _, err := scanPages(b, m.vec, nil); err != nil {
				t.Skipf("this kernel has no PAGEMAP_SCAN: %v", err)
			}

			for round := range 3 {
				var sink byte
				for i := range capBytes / page / 2 {
					sink ^= b[(2*i+1)*page] // reads map file pages, and the zero page above
				}
				_ = sink
				for _, p := range rng.Perm(capBytes / page)[:tc.writes] {
					b[p*page+rng.IntN(page)] ^= 0xff // distinct pages, both sides of the snapshot
				}
				if !m.reset() {
					t.Fatalf("round %d: reset failed", round)
				}
				if !bytes.Equal(b, want) {
					t.Fatalf("round %d: the memory differs from its snapshot after a reset", round)
				}
				if copied := m.kept > 0; copied != tc.copied {
					t.Fatalf("round %d: reset kept %d pages; want copied back: %v", round, m.kept, tc.copied)
				}
			}
			if tc.copied {
				// The pages read but never written are still the file's:
				// the scan lists only written ones (and the zero page).
				regions, err := scanPages(b[:snapLen], m.vec, nil)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, r := range regions {
					n += int(r.end-r.start) / page
				}
				if n > tc.writes*3 {
					t.Errorf("%d pages below the snapshot are private after %d writes", n, tc.writes*3)
				}
			}
		})
	}
}

// TestSnapshotSealed: nothing can write the snapshot's memfd, which resets
// trust.
func TestSnapshotSealed(t *testing.T) {
	m, err := newLinearMemory(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer m.unmap()
	m.Reallocate(1 << 16)
	if err := m.snapshot(); err != nil {
		t.Fatal(err)
	}
	if m.view == nil {
		t.Fatal("no view of the snapshot")
	}
	if err := unix.Mprotect(m.view, unix.PROT_READ|unix.PROT_WRITE); err == nil {
		t.Error("the snapshot's view could be made writable")
	}
}
