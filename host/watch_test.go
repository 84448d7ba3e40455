package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmcp/wasmcp/host/auth"
)

// The watcher's tests run on a clock of their own (quietClock): a quiet
// period ends only when the test advances it, and a test moves on only once
// the watcher has seen what it did (sync), so none depends on how fast the
// machine runs.

// quietClock is the watcher's afterFunc in the tests.
type quietClock struct {
	mu     sync.Mutex
	now    time.Duration // since the test started
	timers []*quietTimer
}

type quietTimer struct {
	c    *quietClock
	at   time.Duration
	f    func()
	done bool // stopped or fired; guarded by c.mu
}

func (c *quietClock) afterFunc(d time.Duration, f func()) stopper {
	c.mu.Lock()
	defer c.mu.Unlock()
	tm := &quietTimer{c: c, at: c.now + d, f: f}
	c.timers = append(c.timers, tm)
	return tm
}

func (tm *quietTimer) Stop() bool {
	tm.c.mu.Lock()
	defer tm.c.mu.Unlock()
	was := !tm.done
	tm.done = true
	return was
}

func (c *quietClock) time() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// next moves the clock to the earliest timer due by until, and returns it,
// stopped; or, when none is, moves the clock to until and returns nil.
func (c *quietClock) next(until time.Duration) *quietTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first *quietTimer
	for _, tm := range c.timers {
		if !tm.done && tm.at <= until && (first == nil || tm.at < first.at) {
			first = tm
		}
	}
	c.timers = slices.DeleteFunc(c.timers, func(tm *quietTimer) bool { return tm.done || tm == first })
	if first == nil {
		c.now = until
		return nil
	}
	c.now, first.done = first.at, true
	return first
}

// eventLog is the watcher's logger in the tests: it passes on the file of
// each "plugin file event" line, the watcher's first act on an event.
type eventLog struct{ files chan string }

func (h eventLog) Enabled(context.Context, slog.Level) bool { return true }
func (h eventLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "plugin file event" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "file" {
				h.files <- a.Value.String()
			}
			return true
		})
	}
	return nil
}
func (h eventLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h eventLog) WithGroup(string) slog.Handler      { return h }

// watchWait bounds the waits for the watcher, which only a failure reaches.
const watchWait = time.Minute

// syncPrefix names the barrier files of watchRecorder.sync, whose settles
// the recorder leaves out.
const syncPrefix = "zz-sync-"

// watchSettle is one call of the watcher's settle function.
type watchSettle struct {
	path string
	at   time.Duration // on the quiet clock
	size int64         // -1: the file did not exist
}

// watchRecorder runs a Watcher on a fresh folder and records what it settles.
type watchRecorder struct {
	dir    string
	w      *Watcher
	clock  *quietClock
	events chan string
	syncs  int
	mu     sync.Mutex
	got    []watchSettle
	run    chan error
}

func startWatchRecorder(t *testing.T, setup func(dir string)) *watchRecorder {
	t.Helper()
	r := &watchRecorder{dir: t.TempDir(), clock: &quietClock{}, events: make(chan string, 4096), run: make(chan error, 1)}
	if setup != nil {
		setup(r.dir)
	}
	w, err := newWatcher(r.dir, WatchQuiet, slog.New(eventLog{r.events}), r.settle, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.afterFunc = r.clock.afterFunc
	r.w = w
	ctx, cancel := context.WithCancel(context.Background())
	go func() { r.run <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-r.run
	})
	return r
}

func (r *watchRecorder) settle(_ context.Context, path string) {
	if strings.HasPrefix(filepath.Base(path), syncPrefix) {
		return
	}
	s := watchSettle{path: path, at: r.clock.time(), size: -1}
	if st, err := os.Stat(path); err == nil {
		s.size = st.Size()
	}
	r.mu.Lock()
	r.got = append(r.got, s)
	r.mu.Unlock()
}

// sync returns once the watcher has acted on every change made to the
// folder so far. It makes one more, a barrier file, and waits for the
// watcher's event about it: inotify reports a folder's events in order, and
// Run takes them one at a time.
func (r *watchRecorder) sync(t *testing.T) {
	t.Helper()
	r.syncs++
	barrier := filepath.Join(r.dir, fmt.Sprintf("%s%d.wasm", syncPrefix, r.syncs))
	if err := os.WriteFile(barrier, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(watchWait)
	for seen := false; !seen; {
		select {
		case f := <-r.events:
			seen = f == barrier
		case <-deadline:
			t.Fatalf("the watcher reported no event for %s", barrier)
		}
	}
	r.idle()
}

// idle returns once Run has finished what it was doing: it takes a firing
// for no file only when it is done with the one before.
func (r *watchRecorder) idle() {
	select {
	case r.w.fired <- firing{}:
	case <-r.w.done:
	}
}

// advance moves the quiet clock on by d, a timer at a time as time would,
// and returns once the watcher has acted on every quiet period that ended.
func (r *watchRecorder) advance(d time.Duration) {
	until := r.clock.time() + d
	for tm := r.clock.next(until); tm != nil; tm = r.clock.next(until) {
		tm.f() // hands the firing to Run, or gives up once Run has returned
		r.idle()
	}
}

// quiesce lets the watcher see every change made so far and a whole quiet
// period pass, twice over (a file re-armed at the end of the first period
// gets its second), and returns every file settled.
func (r *watchRecorder) quiesce(t *testing.T) []watchSettle {
	t.Helper()
	for range 2 {
		r.sync(t)
		r.advance(WatchQuiet)
	}
	return r.settled()
}

func (r *watchRecorder) settled() []watchSettle {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]watchSettle(nil), r.got...)
}

// A file written in pieces is settled once, a quiet period after the last
// piece, whole: every piece restarts the quiet period.
func TestWatcherDebouncesWrites(t *testing.T) {
	r := startWatchRecorder(t, nil)
	path := filepath.Join(r.dir, "slow.wasm")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r.sync(t)
	chunk := bytes.Repeat([]byte{0xAB}, 4096)
	var last time.Duration
	for i := range 12 {
		r.advance(WatchQuiet / 2) // a pause in the copy, shorter than a quiet period
		if got := r.settled(); len(got) > 0 {
			t.Fatalf("settled %+v before piece %d was written", got, i+1)
		}
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
		r.sync(t)
		last = r.clock.time()
	}
	f.Close()
	r.advance(WatchQuiet / 2)
	if got := r.settled(); len(got) > 0 {
		t.Fatalf("settled %+v half a quiet period after the last write", got)
	}
	got := r.quiesce(t)
	if len(got) != 1 {
		t.Fatalf("settled %+v, want %s once", got, path)
	}
	if got[0].path != path || got[0].size != int64(12*len(chunk)) {
		t.Errorf("settled %+v, want %s with %d bytes", got[0], path, 12*len(chunk))
	}
	if d := got[0].at - last; d != WatchQuiet {
		t.Errorf("settled %v after the last write, want one quiet period, %v", d, WatchQuiet)
	}
}

// Writing a dotfile and renaming it into place settles the final name only.
func TestWatcherRenameIntoPlace(t *testing.T) {
	r := startWatchRecorder(t, nil)
	tmp := filepath.Join(r.dir, ".x.wasm.tmp")
	final := filepath.Join(r.dir, "x.wasm")
	if err := os.WriteFile(tmp, []byte("\x00asm\x01\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, final); err != nil {
		t.Fatal(err)
	}
	got := r.quiesce(t)
	if len(got) != 1 || got[0].path != final || got[0].size != 8 {
		t.Errorf("settled %+v, want %s once, with 8 bytes", got, final)
	}
}

// Dotfiles, other extensions and folders are not plugins.
func TestWatcherIgnoresOtherFiles(t *testing.T) {
	r := startWatchRecorder(t, nil)
	for _, name := range []string{"notes.txt", ".hidden.wasm", "x.wasm.tmp", "x.wasm~"} {
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(r.dir, "sub.wasm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := r.quiesce(t); len(got) > 0 {
		t.Errorf("settled %+v, want nothing", got)
	}
}

// Removing a plugin file settles it, gone; so does renaming it away.
func TestWatcherRemoveAndRenameAway(t *testing.T) {
	r := startWatchRecorder(t, func(dir string) {
		os.WriteFile(filepath.Join(dir, "a.wasm"), []byte("a"), 0o644)
		os.WriteFile(filepath.Join(dir, "b.wasm"), []byte("b"), 0o644)
	})
	if err := os.Remove(filepath.Join(r.dir, "a.wasm")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(r.dir, "b.wasm"), filepath.Join(r.dir, ".b.wasm.off")); err != nil {
		t.Fatal(err)
	}
	got := r.quiesce(t)
	names := map[string]int64{}
	for _, s := range got {
		names[filepath.Base(s.path)] = s.size
	}
	if len(got) != 2 || len(names) != 2 || names["a.wasm"] != -1 || names["b.wasm"] != -1 {
		t.Errorf("settled %+v, want a.wasm and b.wasm once each, both gone", got)
	}
}

// A file whose size or time changes without an event (here: a touch, which
// reports only chmod) waits another quiet period.
func TestWatcherWaitsForStableStat(t *testing.T) {
	r := startWatchRecorder(t, nil)
	path := filepath.Join(r.dir, "p.wasm")
	if err := os.WriteFile(path, []byte("v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.sync(t)
	r.advance(WatchQuiet / 2)
	now := time.Now()
	if err := os.Chtimes(path, now, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	r.sync(t)
	touched := r.clock.time()
	r.advance(WatchQuiet / 2) // the quiet period ends, but the file is not as its last event left it
	if got := r.settled(); len(got) > 0 {
		t.Fatalf("settled %+v at the end of a quiet period during which the file changed", got)
	}
	got := r.quiesce(t)
	if len(got) != 1 || got[0].path != path {
		t.Fatalf("settled %+v, want %s once", got, path)
	}
	// Half a period before the change, then a whole one after the first.
	if d := got[0].at - touched; d != WatchQuiet+WatchQuiet/2 {
		t.Errorf("settled %v after the silent change, want %v: a whole quiet period after the one it spoiled", d, WatchQuiet+WatchQuiet/2)
	}
}

// Run ends with an error when the folder itself goes away.
func TestWatcherFolderRemoved(t *testing.T) {
	r := startWatchRecorder(t, nil)
	if err := os.Remove(r.dir); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-r.run:
		if !errors.Is(err, errFolderGone) {
			t.Fatalf("Run returned %v, want errFolderGone", err)
		}
		r.run <- err // for the cleanup
	case <-time.After(watchWait):
		t.Fatal("Run did not return after the folder was removed")
	}
}

// settle with real plugins: a file refused for a collision is loaded once
// the file it collided with is removed; an unchanged file is not reloaded.
func TestSettleRetriesCollisions(t *testing.T) {
	src := filepath.Join("..", "dist", "plugins", "reddit.wasm")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("%v: run `make build` (`make test` does)", err)
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.wasm"), filepath.Join(dir, "b.wasm")
	for _, f := range []string{a, b} {
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var logs syncBuffer
	h, err := New(Options{
		// The compilation cache outlives the run, as the other host tests' does.
		Config:    Config{CacheDir: filepath.Join(os.TempDir(), "wasmcp-host-test-wazero-cache"), Pool: PoolConfig{Warm: -1}},
		Exchanger: auth.NewMock(),
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	ctx := t.Context()

	errs := h.LoadDir(ctx, dir)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), a) || !strings.Contains(errs[0].Error(), b) {
		t.Fatalf("LoadDir errors = %v, want one collision naming both files", errs)
	}
	if got := h.collidedFiles(); len(got) != 1 || got[0] != b {
		t.Fatalf("collided = %v, want [%s]", got, b)
	}

	before := strings.Count(logs.String(), "plugin loaded")
	h.settle(ctx, a) // unchanged
	if n := strings.Count(logs.String(), "plugin loaded"); n != before {
		t.Errorf("an unchanged file was reloaded")
	}

	if err := os.Remove(a); err != nil {
		t.Fatal(err)
	}
	h.settle(ctx, a)
	if h.Plugin(a) != nil || h.Plugin(b) == nil {
		t.Fatalf("after removing a.wasm: a loaded=%v, b loaded=%v; want b only", h.Plugin(a) != nil, h.Plugin(b) != nil)
	}
	if got := h.collidedFiles(); len(got) != 0 {
		t.Errorf("collided = %v, want none", got)
	}
}
