package host

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/host/meter"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// providedModules are the modules whose imports the host resolves: the
// Extism kernel, the host functions, WASI, and the meter's own.
var providedModules = []string{"extism:host/env", abi.HostModule, "wasi_snapshot_preview1", meterModule}

// maxNamedImports bounds the unresolved imports an error names.
const maxNamedImports = 8

// explainImports turns wazero's "module[env] not instantiated", which is all
// an instantiation says of an import nothing provides, into an error that
// names the imports and what would provide them. err is returned as it is
// when it is something else.
func explainImports(err error, wasm []byte) error {
	if err == nil || !strings.Contains(err.Error(), "not instantiated") {
		return err
	}
	imports, perr := meter.Imports(wasm)
	if perr != nil {
		return err
	}
	var missing []string
	for _, im := range imports {
		if i := strings.LastIndexByte(im, '.'); i < 0 || !slices.Contains(providedModules, im[:i]) {
			missing = append(missing, safetext.Bounded(im, 128))
		}
	}
	if len(missing) == 0 {
		return err
	}
	hint := ""
	if slices.Contains(missing, "env.abort") {
		hint = `; an AssemblyScript module imports env.abort unless it is built with "--use abort=" (none) or a handler of its own`
	}
	more := ""
	if len(missing) > maxNamedImports {
		more = fmt.Sprintf(" and %d more", len(missing)-maxNamedImports)
		missing = missing[:maxNamedImports]
	}
	return fmt.Errorf("the plugin imports %s%s, which the host does not provide: it provides only %s%s",
		strings.Join(missing, ", "), more, strings.Join(providedModules[:3], ", "), hint)
}
