package host

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wasmcp/wasmcp/internal/ociplugin"
)

// VerifyConfig asks for a plugin's cosign signature: plugins.<name>.verify.
type VerifyConfig struct {
	// Key is a PEM public key file (cosign.pub); the manifest pulled from
	// the plugin's source must carry a cosign signature that verifies with
	// it, or the plugin is refused.
	Key string `yaml:"key"`
}

// RegistryConfig is the registry: key, for plugins pulled from a source.
type RegistryConfig struct {
	// Dir holds the pulled plugins, content-addressed, and the digests
	// their tags resolved to; "" is "oci" beside the compilation cache
	// (see RegistryDir).
	Dir string `yaml:"dir"`
}

// validateSource checks plugins.<name>.source and verify. A source names a
// registry reference the host can pull; with require_sha256, a tag alone
// is not a pin, so the source names its digest or the entry a sha256.
func (p PluginConfig) validateSource(name string, requireSHA256 bool) error {
	where := "plugins." + clipValue(name)
	if p.Source == "" {
		if p.Verify.Key != "" {
			return fmt.Errorf("%s.verify.key needs %s.source: a signature is checked on a pulled plugin; pin a plugin folder file with sha256", where, where)
		}
		return nil
	}
	if !pluginNameRE.MatchString(name) {
		return fmt.Errorf("%s.source: the plugin name %q is invalid: use 1-64 of a-z, 0-9, '_' and '-', starting with a letter or digit", where, clipValue(name))
	}
	src, err := ociplugin.ParseSource(p.Source)
	if err != nil {
		return fmt.Errorf("%s.source: %w", where, err)
	}
	if requireSHA256 && !src.Pinned() && p.SHA256 == "" {
		return fmt.Errorf("%s.source names a tag, and require_sha256 is on: pin it with @sha256:<digest> (\"host pull\" prints it) or %s.sha256", where, where)
	}
	if p.Verify.Key != "" && strings.TrimSpace(p.Verify.Key) != p.Verify.Key {
		return fmt.Errorf("%s.verify.key: want a file name, got %q", where, clipValue(p.Verify.Key))
	}
	return nil
}

// PluginSources returns the names of the plugins that come from a
// registry, sorted.
func (c Config) PluginSources() []string {
	var names []string
	for name, p := range c.Plugins {
		if p.Source != "" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// RegistryDir is the folder of pulled plugins: registry.dir, or "oci"
// beside the compilation cache (in cache_dir, or in the user cache dir's
// wasmcp folder). With cache_dir off and no registry.dir there is none.
func (c Config) RegistryDir() (string, error) {
	switch {
	case c.Registry.Dir != "":
		return c.Registry.Dir, nil
	case c.CacheDir == "off":
		return "", fmt.Errorf("plugins come from a registry, and cache_dir is off: set registry.dir to a folder for them")
	case c.CacheDir != "":
		return filepath.Join(c.CacheDir, "oci"), nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no folder for pulled plugins (%v): set registry.dir", err)
	}
	return filepath.Join(base, "wasmcp", "oci"), nil
}
