package host

import (
	"fmt"
	"sort"
	"sync"
)

// registry indexes the loaded plugins by file, by name and by tool, and
// refuses collisions: two plugins may not share a name or a tool name. It
// also keeps tools/list within maxToolsListBytes, all plugins together.
type registry struct {
	mu     sync.RWMutex
	byFile map[string]*Plugin
	byName map[string]*Plugin
	tools  map[string]*Plugin
	// listBytes is each plugin's share of tools/list (Plugin.listed), by
	// file, and listTotal their sum.
	listBytes map[string]int
	listTotal int
}

func newRegistry() *registry {
	return &registry{byFile: map[string]*Plugin{}, byName: map[string]*Plugin{}, tools: map[string]*Plugin{}, listBytes: map[string]int{}}
}

// put adds pl, replacing the plugin previously loaded from the same file, if
// any (returned as old). A collision with another file's plugin is an error
// naming both files, and leaves the registry as it was.
func (r *registry) put(pl *Plugin) (old *Plugin, err error) {
	size := pl.listed.bytes
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
	if total := r.listTotal - r.listBytes[pl.File] + size; total > maxToolsListBytes {
		return nil, fmt.Errorf("plugin %q's tools would take tools/list to %d bytes, above the host's limit of %d for all plugins together: shorten its tools' descriptions and schemas, or unload another plugin",
			pl.Name(), total, maxToolsListBytes)
	}
	if old != nil {
		r.dropLocked(old)
	}
	r.listBytes[pl.File] = size
	r.listTotal += size
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
	r.listTotal -= r.listBytes[pl.File]
	delete(r.listBytes, pl.File)
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
