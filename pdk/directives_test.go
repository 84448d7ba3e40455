package pdk

import (
	"os"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// TestDirectivesMatchABI checks the literal names in the wasip1 files'
// directives against abi's constants, which directives cannot reference.
func TestDirectivesMatchABI(t *testing.T) {
	src, err := os.ReadFile("guest_wasip1.go")
	if err != nil {
		t.Fatal(err)
	}
	more, err := os.ReadFile("progress_wasip1.go")
	if err != nil {
		t.Fatal(err)
	}
	src = append(src, more...)
	for _, d := range []string{
		"//go:wasmimport " + abi.HostModule + " " + abi.FuncProgress + "\n",
		"//go:wasmimport " + abi.HostModule + " " + abi.FuncLog + "\n",
		"//go:wasmimport " + abi.HostModule + " " + abi.FuncHTTPSend + "\n",
		"//go:wasmimport " + abi.HostModule + " " + abi.FuncHTTPRecv + "\n",
		"//go:wasmimport " + abi.HostModule + " " + abi.FuncOutput + "\n",
		"//go:wasmexport " + abi.ExportDescribe + "\n",
		"//go:wasmexport " + abi.ExportCall + "\n",
	} {
		if !strings.Contains(string(src), d) {
			t.Errorf("guest_wasip1.go lacks the directive %q", strings.TrimSpace(d))
		}
	}
}
