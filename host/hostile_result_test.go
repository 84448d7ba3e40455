package host

import (
	"fmt"
	"strings"
	"testing"
)

// TestHostileResults: results an MCP client cannot read — nested 9,998
// levels, or one level past the limit of 64, or taking more than
// maxResultBytes as sent (a string of '<', which the answer writes six bytes
// each), as content or as a tool error's message — are tool errors naming
// the limit, never JSON-RPC errors; a result at the depth limit, or small,
// is served; and the host serves on.
func TestHostileResults(t *testing.T) {
	hh := newHarness(t, harnessOptions{
		guests: []string{"deepresult"},
		// Past the output cap the guest's result would be refused for its
		// size before the host looks at what it would send.
		limits: map[string]Limits{"hostile-deepresult": {MaxOutputBytes: 16 << 20}},
	})
	depth := fmt.Sprintf("nested deeper than %d levels, the host's limit", maxJSONDepth)
	size := fmt.Sprintf("above the host's limit of %d for one result", maxResultBytes)
	for _, tt := range []struct {
		mode  string
		bytes int
		want  string // in the tool error; "" for a result
	}{
		{"deep", 0, depth},
		{"over", 0, depth},
		{"edge", 0, ""},
		{"wide", 1 << 20, size},
		{"wide", 1000, ""},
		{"wideerror", 1 << 20, size},
	} {
		t.Run(fmt.Sprintf("%s %d", tt.mode, tt.bytes), func(t *testing.T) {
			res := hh.call(t, "alice", "hostile_deepresult", map[string]any{"mode": tt.mode, "bytes": tt.bytes})
			if tt.want == "" {
				if got := res.wantOK(t); got == nil {
					t.Errorf("no structured content: %s", clipText(res.raw, 500))
				}
				if tt.mode == "edge" && !jsonDeeperThan([]byte(res.raw), maxJSONDepth) {
					t.Errorf("the answer to edge does not hold the result at the depth limit: %s", clipText(res.raw, 500))
				}
			} else {
				res.wantToolError(t, `plugin "hostile-deepresult"`, tt.want)
				if len(res.raw) > 8<<10 {
					t.Errorf("the refusal is %d bytes", len(res.raw))
				}
			}
			hh.goodCall(t, "alice")
		})
	}
	if !strings.Contains(hh.logs.String(), "tool=hostile_deepresult plugin=hostile-deepresult provider=github userId=alice outcome=output_too_large") {
		t.Error("no call logged outcome=output_too_large")
	}
}
