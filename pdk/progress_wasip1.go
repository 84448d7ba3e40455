//go:build wasip1

package pdk

import (
	"encoding/json"

	"github.com/wasmcp/wasmcp/abi"
)

// The directive's literal names are checked against abi's constants by
// TestDirectivesMatchABI.

//go:wasmimport extism:host/user wasmcp_progress
func hostProgress(rec uint64)

// Progress calls abi.FuncProgress.
func (wasmHost) Progress(rec abi.ProgressRecord) {
	b, err := json.Marshal(rec)
	if err != nil {
		return
	}
	in := storeBlock(b)
	hostProgress(in)
	kernelFree(in)
}
