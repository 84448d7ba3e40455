package host

import (
	"fmt"
	"sort"
	"sync"
)

// registry indexes the loaded plugins by file, by name and by tool, and
// refuses collisions: two plugins may not share a name or a tool name.
type registry struct {
	mu     sync.RWMutex
	byFile map[string]*Plugin
	byName map[string]*Plugin
	tools  map[string]*Plugin
}

func newRegistry() *registry {
	return &registry{byFile: map[string]*Plugin{}, byName: map[string]*Plugin{}, tools: map[string]*Plugin{}}
}

// put adds pl, replacing the plugin previously loaded from the same file, if
// any (returned as old). A collision with another file's plugin is an error
// naming both files, and leaves the registry as it was.
func (r *registry) put(pl *Plugin) (old *Plugin, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old = r.byFile[pl.File]
	if other, ok := r.byName[pl.Name()]; ok && other != old {
		return nil, fmt.Errorf("plugin name %q is declared by both %s and %s; the second is not loaded", pl.Name(), other.File, pl.File)
	}
	for _, t := range pl.Desc.Tools {
		if other, ok := r.tools[t.Name]; ok && other != old {
			return nil, fmt.Errorf("tool %q is declared by both %s and %s; the second is not loaded", t.Name, other.File, pl.File)
		}
	}
	if old != nil {
		r.dropLocked(old)
	}
	r.byFile[pl.File] = pl
	r.byName[pl.Name()] = pl
	for _, t := range pl.Desc.Tools {
		r.tools[t.Name] = pl
	}
	return old, nil
}

// remove drops the plugin loaded from file and returns it (nil if none).
func (r *registry) remove(file string) *Plugin {
	r.mu.Lock()
	defer r.mu.Unlock()
	pl := r.byFile[file]
	if pl != nil {
		r.dropLocked(pl)
	}
	return pl
}

func (r *registry) dropLocked(pl *Plugin) {
	delete(r.byFile, pl.File)
	delete(r.byName, pl.Name())
	for _, t := range pl.Desc.Tools {
		if r.tools[t.Name] == pl {
			delete(r.tools, t.Name)
		}
	}
}

// list returns the plugins sorted by name.
func (r *registry) list() []*Plugin {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Plugin, 0, len(r.byName))
	for _, pl := range r.byName {
		out = append(out, pl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// byFileName returns the plugin loaded from file.
func (r *registry) get(file string) *Plugin {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byFile[file]
}
