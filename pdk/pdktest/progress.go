package pdktest

// Progress reports and content blocks, as the host takes them.

import (
	"fmt"
	"slices"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/blockrules"
)

// Progress implements pdk.ProgressHost: it records rec, as the real host
// would send it to a client that asked for progress.
func (h *Host) Progress(rec abi.ProgressRecord) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.progress = append(h.progress, rec)
}

// ProgressReports returns the progress reports of the calls so far, in
// order: those pdk.Call.Progress let through (each above the last).
func (h *Host) ProgressReports() []abi.ProgressRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.progress)
}

// checkBlocks refuses, as the host does, a successful result with a block
// the host would not send (internal/blockrules, the host's own rule).
func checkBlocks(plugin string, res abi.CallResult) *abi.CallResult {
	if res.IsError || len(res.Blocks) == 0 {
		return nil
	}
	if err := blockrules.CheckAll(res.Blocks); err != nil {
		return &abi.CallResult{IsError: true, Message: fmt.Sprintf("plugin %q returned a result the host cannot send: %s", plugin, err.Error())}
	}
	return nil
}
