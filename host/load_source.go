package host

import (
	"fmt"
	"path/filepath"
)

// A plugin configured with a source (plugins.<name>.source) is served
// only from the file pulled from it: no file of the plugin folder may take
// its name, neither by its file name nor by the name it declares, and the
// pulled file must declare the name it is configured under, so that it
// gets that entry's upstreams, limits and pins and no other's. If the pull
// failed, the name is served by nobody.

// checkPulledFile refuses, before any of its code runs, a file named like
// a plugin that comes from a registry, unless it is the pulled file.
func (l *loader) checkPulledFile(path string) error {
	stem := fileStem(path)
	if pc := l.cfg.Plugins[stem]; pc.Source != "" && !samePath(path, pc.PulledFile) {
		return fmt.Errorf("plugin %q comes from %s (plugins.%s.source), not from this file: remove it from the plugin folder", stem, clipValue(pc.Source), stem)
	}
	return nil
}

// checkPulledName checks the name a plugin declares against the sources
// of the config: see above.
func (l *loader) checkPulledName(path, name string) error {
	stem := fileStem(path)
	if pc := l.cfg.Plugins[stem]; pc.Source != "" && samePath(path, pc.PulledFile) && name != stem {
		return fmt.Errorf("the plugin pulled from %s (plugins.%s.source) declares the name %q: an artefact must declare the name it is configured under", clipValue(pc.Source), stem, name)
	}
	if pc := l.cfg.Plugins[name]; pc.Source != "" && !samePath(path, pc.PulledFile) {
		return fmt.Errorf("plugin %q comes from %s (plugins.%s.source); this file declares the same name: remove it from the plugin folder", name, clipValue(pc.Source), name)
	}
	return nil
}

func samePath(a, b string) bool {
	return a != "" && b != "" && filepath.Clean(a) == filepath.Clean(b)
}
