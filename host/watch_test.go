package host

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmcp/wasmcp/host/auth"
)

// watchQuietForTest keeps the tests quick; the writers below pause far less.
const watchQuietForTest = 150 * time.Millisecond

// watchSettle is one call of the watcher's settle function.
type watchSettle struct {
	path string
	at   time.Time
	size int64 // -1: the file did not exist
}

// watchRecorder runs a Watcher on a fresh folder and records what it settles.
type watchRecorder struct {
	dir  string
	w    *Watcher
	mu   sync.Mutex
	got  []watchSettle
	note chan struct{}
	run  chan error
}

func startWatchRecorder(t *testing.T, setup func(dir string)) *watchRecorder {
	t.Helper()
	r := &watchRecorder{dir: t.TempDir(), note: make(chan struct{}, 100), run: make(chan error, 1)}
	if setup != nil {
		setup(r.dir)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	w, err := newWatcher(r.dir, watchQuietForTest, logger, r.settle, nil)
	if err != nil {
		t.Fatal(err)
	}
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
	s := watchSettle{path: path, at: time.Now(), size: -1}
	if st, err := os.Stat(path); err == nil {
		s.size = st.Size()
	}
	r.mu.Lock()
	r.got = append(r.got, s)
	r.mu.Unlock()
	r.note <- struct{}{}
}

// wait returns the settles seen once n have arrived and then nothing more
// for a few quiet periods.
func (r *watchRecorder) wait(t *testing.T, n int) []watchSettle {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for seen := 0; seen < n; seen++ {
		select {
		case <-r.note:
		case <-deadline:
			t.Fatalf("got %d settles, want %d: %+v", seen, n, r.snapshot())
		}
	}
	select {
	case <-r.note:
		t.Fatalf("more than %d settles: %+v", n, r.snapshot())
	case <-time.After(4 * watchQuietForTest):
	}
	return r.snapshot()
}

func (r *watchRecorder) snapshot() []watchSettle {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]watchSettle(nil), r.got...)
}

// A file written in pieces is settled once, after the last piece, whole.
func TestWatcherDebouncesWrites(t *testing.T) {
	r := startWatchRecorder(t, nil)
	path := filepath.Join(r.dir, "slow.wasm")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte{0xAB}, 4096)
	for range 12 {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
		time.Sleep(watchQuietForTest / 8)
	}
	last := time.Now()
	f.Close()
	got := r.wait(t, 1)
	if got[0].path != path || got[0].size != int64(12*len(chunk)) {
		t.Errorf("settled %+v, want %s with %d bytes", got[0], path, 12*len(chunk))
	}
	if early := last.Sub(got[0].at); early > 0 {
		t.Errorf("settled %v before the last write", early)
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
	got := r.wait(t, 1)
	if got[0].path != final || got[0].size != 8 {
		t.Errorf("settled %+v, want %s with 8 bytes", got[0], final)
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
	r.wait(t, 0)
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
	got := r.wait(t, 2)
	names := map[string]int64{}
	for _, s := range got {
		names[filepath.Base(s.path)] = s.size
	}
	if len(names) != 2 || names["a.wasm"] != -1 || names["b.wasm"] != -1 {
		t.Errorf("settled %+v, want a.wasm and b.wasm, both gone", got)
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
	time.Sleep(watchQuietForTest / 2)
	touched := time.Now()
	if err := os.Chtimes(path, touched, touched.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	got := r.wait(t, 1)
	if d := got[0].at.Sub(touched); d < watchQuietForTest {
		t.Errorf("settled %v after the silent change, want at least %v", d, watchQuietForTest)
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
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the folder was removed")
	}
}

// settle with real plugins: a file refused for a collision is loaded once
// the file it collided with is removed; an unchanged file is not reloaded.
func TestSettleRetriesCollisions(t *testing.T) {
	src := filepath.Join("..", "dist", "plugins", "reddit.wasm")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skipf("%s is missing: run make build", src)
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
