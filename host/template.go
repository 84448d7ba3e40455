package host

import (
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero/api"
)

// A plugin's instances share one reset point: the snapshot of the first
// instance made, initialised and warmed up for the code now loaded (see
// newResettable). Every later instance takes that snapshot as its state
// instead of running the guest's runtime initialisation and warm-up again,
// which for a stock-Go guest is some 60 ms of CPU and 3 MB of garbage:
//
//   - both linear memories are the snapshot's sealed memfds, mapped
//     privately over the instance's memory (so the pages no call wrote are
//     one copy, the page cache's, for every instance), with the pages above
//     the snapshot dropped;
//   - every mutable global of both modules (the meter exports them all, see
//     reset.go) takes the snapshot's value; immutable ones, and tables, are
//     the module's own in every instance;
//   - the guest's virtual memory size is the snapshot's, its real memory
//     grown to its cap as at a snapshot, and go-sdk is told that the guest's
//     runtime has initialised (it would otherwise run _initialize again over
//     an initialised heap; see guestmem.go).
//
// That is byte for byte the state a reset brings an instance back to, which
// is what every instance returns to after every call anyway: adopting the
// template shares nothing between users that a reset does not. The
// snapshot is taken under a rehearsal, before any user's call (see
// newResettable), and is never written again: it is sealed, and every
// instance writes only its own private copy of a page. See RATIONALE.md,
// "Why do a plugin's instances start from one snapshot?".
type template struct {
	files   []*snapFile // one per linear memory, in the instance's order
	globals []uint64    // the values of the snapshot's globals, in its order
	pages   uint32      // the guest's virtual memory size
}

// templateOf returns the reset point of inst, a resettable instance just
// snapshotted, as a template holding its own references to the snapshot
// files; nil if inst has none.
func templateOf(inst *instance) *template {
	st := inst.reset
	if st == nil {
		return nil
	}
	t := &template{pages: st.pages}
	for _, m := range st.mems {
		if m.file == nil {
			t.release()
			return nil
		}
		t.files = append(t.files, m.file.ref())
	}
	for _, g := range st.globals {
		t.globals = append(t.globals, g.v)
	}
	return t
}

// release drops the template's references to its snapshot files; the
// instances that adopted them keep theirs.
func (t *template) release() {
	for _, f := range t.files {
		f.unref()
	}
	t.files = nil
}

// adoptTemplate gives inst, an instance just instantiated whose runtime has
// not run, the template's state and reset point. An error leaves inst
// unusable; the caller closes it.
func adoptTemplate(inst *instance, t *template) error {
	rec, gm := inst.mems, inst.guestMem
	if rec == nil || rec.err != nil || len(rec.mems) != len(t.files) || gm == nil || inst.memory == nil {
		return fmt.Errorf("%w: the instance's memories are not like the template's", errNoReset)
	}
	if !markRuntimeInitialized(inst.Plugin) {
		return fmt.Errorf("%w: go-sdk's runtime state cannot be set", errNoReset)
	}
	kernel := kernelModule(inst.Plugin)
	if kernel == nil || kernel.Memory() == nil {
		return fmt.Errorf("%w: go-sdk's modules cannot be read", errNoReset)
	}
	st := &resetState{mems: rec.mems, pages: t.pages}
	for _, mem := range []api.Memory{kernel.Memory(), inst.memory} {
		m := rec.find(mem)
		f := t.fileFor(rec, m)
		if f == nil {
			return fmt.Errorf("%w: a memory of the instance has no snapshot in the template", errNoReset)
		}
		want := f.n // the kernel's memory: the snapshot's length exactly
		if m == gm {
			want = uint64(len(gm.buf)) // the guest's: its cap, as after a snapshot
		}
		if err := growTo(mem, want); err != nil {
			return err
		}
		if err := m.adopt(f); err != nil {
			return err
		}
	}
	gm.grows = true
	globals, err := instanceGlobals(inst.Plugin)
	if err != nil {
		return err
	}
	st.globals = globals
	if len(st.globals) != len(t.globals) {
		return fmt.Errorf("%w: %d globals, the template has %d", errNoReset, len(st.globals), len(t.globals))
	}
	for i := range st.globals {
		st.globals[i].v = t.globals[i]
		st.globals[i].g.Set(t.globals[i])
	}
	inst.vmem.mu.Lock()
	inst.vmem.pages = t.pages
	inst.vmem.mu.Unlock()
	inst.reset = st
	return nil
}

// fileFor returns the template's file for m, the memory at the same place in
// the instance's order.
func (t *template) fileFor(rec *memoryRecorder, m *linearMemory) *snapFile {
	for i, rm := range rec.mems {
		if rm == m && m != nil {
			return t.files[i]
		}
	}
	return nil
}

// templates holds the template of one load of a plugin's code: the first
// resettable instance offered sets it, and it lasts until the code is
// unloaded.
type templates struct {
	mu sync.Mutex
	t  *template
}

// get returns the template with references of its own to the files, which
// its release drops: a drop meanwhile cannot close a memfd under an
// adoption that maps it. Nil when there is none.
func (ts *templates) get() *template {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.t == nil {
		return nil
	}
	t := &template{globals: ts.t.globals, pages: ts.t.pages}
	for _, f := range ts.t.files {
		t.files = append(t.files, f.ref())
	}
	return t
}

// offer makes inst's reset point the template, if there is none yet and
// instances can take one (go-sdk's runtime flag is found, see guestmem.go):
// otherwise each new instance would be made, fail to adopt it, and be made
// again the long way.
func (ts *templates) offer(inst *instance) {
	if runtimeInitErr != nil {
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.t == nil {
		ts.t = templateOf(inst)
	}
}

// drop releases the template; instances made after it start afresh.
func (ts *templates) drop() {
	ts.mu.Lock()
	t := ts.t
	ts.t = nil
	ts.mu.Unlock()
	if t != nil {
		t.release()
	}
}

// fromTemplate makes an instance of r's code with newInst and gives it the
// template's state, or returns nil when there is no template or it cannot
// be adopted (the caller then makes one the long way, unless the module's
// data is given up).
func (pl *Plugin) fromTemplate(r *resident, newInst func() (*instance, error)) *instance {
	t := r.templates.get()
	if t == nil {
		return nil
	}
	defer t.release()
	i, err := newInst()
	if err != nil {
		return nil
	}
	if err := adoptTemplate(i, t); err != nil {
		closeInstance(i)
		pl.logger.Debug("instance made afresh: the plugin's snapshot could not be taken on", "plugin", pl.Name(), "why", err)
		return nil
	}
	pl.cloned.Add(1)
	r.stripData() // no instance of this code needs the module's data now (datasegs.go)
	return i
}
