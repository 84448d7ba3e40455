package host

import (
	"strings"
	"testing"
)

// TestUnresolvedImportNamed: a module importing what the host does not
// provide (an AssemblyScript module built without "--use abort=" imports
// env.abort) is refused with the import named and what would fix it, not
// with wazero's "module[env] not instantiated".
func TestUnresolvedImportNamed(t *testing.T) {
	wasm := []byte{
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
		0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // types: () -> ()
		0x02, 0x0d, 0x01, 0x03, 'e', 'n', 'v', 0x05, 'a', 'b', 'o', 'r', 't', 0x00, 0x00, // import env.abort
	}
	_, byFile := loadDir(t, writeFiles(t, map[string][]byte{"as.wasm": wasm}), Config{}, nil)
	got := byFile["as.wasm"]
	for _, want := range []string{"env.abort", "does not provide", "--use abort="} {
		if !strings.Contains(got, want) {
			t.Errorf("refused with %q, which lacks %q", got, want)
		}
	}
	if strings.Contains(got, "not instantiated") {
		t.Errorf("the refusal still quotes wazero: %q", got)
	}
}
