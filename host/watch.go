package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchQuiet is how long a plugin file must go without a change before the
// watcher loads it: a file being copied in is not loaded half-way.
const WatchQuiet = 250 * time.Millisecond

// Watcher keeps a Host's plugins in step with the *.wasm files of a folder:
// a file added or replaced is loaded (replacing the version loaded from it),
// a file removed is unloaded. Dotfiles and other names are ignored, so the
// safe way to install a plugin is to write ".name.wasm.tmp" and rename it to
// "name.wasm".
//
// Each file is handled once it has been quiet for WatchQuiet and its size
// and modification time match those seen at its last event. A file that
// still fails to load (incomplete, not Wasm, refused) is logged and retried
// on its next event; a replacement that fails leaves the previous version
// serving. A file refused because another file's plugin holds its name or a
// tool name is retried whenever a plugin is unloaded or replaced.
type Watcher struct {
	dir    string
	quiet  time.Duration
	logger *slog.Logger
	fsw    *fsnotify.Watcher
	// settle acts on a file that has been quiet: load, reload or unload it.
	settle func(ctx context.Context, path string)
	// known lists the files acted on before, to find removals on a rescan.
	known func() []string
	// afterFunc starts a quiet period: time.AfterFunc, but for the tests,
	// which end quiet periods with a clock of their own.
	afterFunc func(time.Duration, func()) stopper

	fired chan firing
	done  chan struct{}
	// pending is owned by Run's goroutine.
	pending map[string]*pendingFile
}

type pendingFile struct {
	gen   uint64
	timer stopper
	stat  fileStat // at the last event
}

// stopper is a quiet period's timer.
type stopper interface{ Stop() bool }

func timeAfterFunc(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }

// firing is a pending file's quiet period ending; gen tells a stale timer.
type firing struct {
	path string
	gen  uint64
}

// fileStat is what "has not changed" is judged by.
type fileStat struct {
	exists, dir bool
	size        int64
	mtime       time.Time
}

func statFile(path string) fileStat {
	st, err := os.Stat(path)
	if err != nil {
		return fileStat{}
	}
	return fileStat{exists: true, dir: st.IsDir(), size: st.Size(), mtime: st.ModTime()}
}

// NewWatcher starts watching dir for the host. Changes are queued from now
// on, so a Watcher made before LoadDir misses nothing; they are acted on by
// Run.
func (h *Host) NewWatcher(dir string) (*Watcher, error) {
	return newWatcher(dir, WatchQuiet, h.logger, h.settle, h.files)
}

func newWatcher(dir string, quiet time.Duration, logger *slog.Logger, settle func(context.Context, string), known func() []string) (*Watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watching %s: %w", dir, err)
	}
	dir = filepath.Clean(dir)
	if err := fsw.Add(dir); err != nil {
		fsw.Close()
		return nil, fmt.Errorf("watching %s: %w", dir, err)
	}
	return &Watcher{
		dir: dir, quiet: quiet, logger: logger, fsw: fsw, settle: settle, known: known, afterFunc: timeAfterFunc,
		fired: make(chan firing), done: make(chan struct{}), pending: map[string]*pendingFile{},
	}, nil
}

// errFolderGone ends Run when the watched folder itself is removed or renamed.
var errFolderGone = errors.New("the plugin folder was removed or renamed; no longer watching it")

// Run acts on the folder's changes until ctx ends (it then returns nil) or
// the folder goes away. It closes the Watcher when it returns; call it once.
func (w *Watcher) Run(ctx context.Context) error {
	defer w.close()
	w.logger.Info("watching the plugin folder", "dir", w.dir)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return nil
			}
			if err := w.event(ev); err != nil {
				w.logger.Error("plugin folder watch stopped", "dir", w.dir, "err", err)
				return err
			}
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				w.logger.Warn("plugin folder events were lost; rescanning", "dir", w.dir)
				w.rescan()
				continue
			}
			w.logger.Warn("plugin folder watch error", "dir", w.dir, "err", err)
		case f := <-w.fired:
			w.fire(ctx, f)
		}
	}
}

func (w *Watcher) close() {
	close(w.done)
	for _, p := range w.pending {
		p.timer.Stop()
	}
	w.fsw.Close()
}

// event arms the quiet period of the plugin file an event is about.
func (w *Watcher) event(ev fsnotify.Event) error {
	if filepath.Clean(ev.Name) == w.dir {
		if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			return errFolderGone
		}
		return nil
	}
	if !isPluginName(filepath.Base(ev.Name)) || ev.Op == fsnotify.Chmod {
		return nil
	}
	w.logger.Debug("plugin file event", "file", ev.Name, "op", ev.Op.String())
	w.arm(ev.Name)
	return nil
}

// isPluginName reports whether a file name is a plugin's: *.wasm, not hidden.
func isPluginName(name string) bool {
	return strings.HasSuffix(name, ".wasm") && !strings.HasPrefix(name, ".")
}

// arm (re)starts path's quiet period.
func (w *Watcher) arm(path string) {
	p := w.pending[path]
	if p == nil {
		p = &pendingFile{}
		w.pending[path] = p
	} else {
		p.timer.Stop()
	}
	p.gen++
	p.stat = statFile(path)
	f := firing{path: path, gen: p.gen}
	p.timer = w.afterFunc(w.quiet, func() {
		select {
		case w.fired <- f:
		case <-w.done:
		}
	})
}

// fire settles a file whose quiet period ended, unless it changed without
// an event saying so (then it waits another period).
func (w *Watcher) fire(ctx context.Context, f firing) {
	p := w.pending[f.path]
	if p == nil || p.gen != f.gen {
		return // a later event re-armed it
	}
	if now := statFile(f.path); now != p.stat {
		w.arm(f.path)
		return
	}
	delete(w.pending, f.path)
	if p.stat.dir {
		return // a folder named *.wasm is no plugin
	}
	w.settle(ctx, f.path)
}

// rescan arms every plugin file of the folder and every known one, after
// events were lost.
func (w *Watcher) rescan() {
	files, err := PluginFiles(w.dir)
	if err != nil {
		w.logger.Warn("rescanning the plugin folder", "dir", w.dir, "err", err)
	}
	if w.known != nil {
		for _, f := range w.known() {
			if filepath.Dir(f) == w.dir {
				files = append(files, f)
			}
		}
	}
	for _, f := range files {
		w.arm(f)
	}
}

// files returns the files of the loaded plugins and of those refused for a
// collision.
func (h *Host) files() []string {
	var files []string
	for _, pl := range h.reg.list() {
		files = append(files, pl.File)
	}
	return append(files, h.collidedFiles()...)
}

// settle brings the host in step with one plugin file: unload it if it is
// gone, load it if it is new or its bytes changed. When a plugin goes away
// or is replaced, the files refused for a collision are tried again.
func (h *Host) settle(ctx context.Context, path string) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		h.setCollided(path, false)
		if h.Unload(path) {
			h.retryCollided(ctx)
		}
		return
	}
	old := h.reg.get(path)
	if d, err := h.loader.digestOf(path); old != nil && err == nil && d == old.SHA256 {
		h.logger.Debug("plugin file unchanged", "file", path)
		return
	}
	if err := h.Load(ctx, path); err != nil {
		if old != nil {
			h.logger.Warn("the previous version of the plugin is still served", "file", path,
				"plugin", old.Name(), "sha256", old.SHA256[:12])
		}
		return
	}
	if old != nil {
		h.retryCollided(ctx)
	}
}

// retryCollided loads again the files refused for a collision.
func (h *Host) retryCollided(ctx context.Context) {
	for _, f := range h.collidedFiles() {
		h.logger.Info("retrying a plugin refused for a collision", "file", f)
		h.Load(ctx, f)
	}
}
