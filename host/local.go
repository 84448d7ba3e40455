package host

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/wasmcp/wasmcp/hostfuncs"
	"github.com/wasmcp/wasmcp/internal/toolschema"
)

// A local plugin declares no provider and no hosts: its tools compute from
// their arguments alone, and have no token to use and no host to reach. Its
// calls need no _meta (a client may send none) and make no exchange: they
// are validated and run like the others, with no token and a policy that
// allows no request. Any _meta they carry is ignored; the plugin never sees
// it, as no plugin does. The calls bounds apply (calls.max_in_flight; the
// per-user bounds know no user for them). See RATIONALE, "Why may a plugin
// with no hosts run without credentials?".
func isLocal(pl *Plugin) bool { return pl.Desc.Provider == "" && len(pl.Desc.Hosts) == 0 }

// runLocal is runCall for a local plugin: steps 2 and 4 of toolHandler.
// ctx already carries the call's deadline.
func (h *Host) runLocal(ctx context.Context, pl *Plugin, tool string, req mcp.CallToolRequest) (*mcp.CallToolResult, string) {
	if res, outcome, ok := h.waitReady(ctx, pl); !ok {
		return res, outcome
	}
	args := req.GetArguments()
	if err := pl.schemas[tool].In.Validate(args); err != nil {
		return mcp.NewToolResultError(toolschema.ArgsRefusal(tool, err)), "invalid_arguments"
	}
	call := h.newCall(pl, "", "")
	defer call.LogDropped(ctx)
	h.logger.Debug("plugin call", "plugin", pl.Name(), "tool", tool, "local", true)
	cctx, flush := h.withClient(ctx, req)
	res, outcome := h.invoke(hostfuncs.WithCall(cctx, call), pl, call, tool, args, localKey())
	flush()
	if code, _ := contextEnd(ctx); outcome != "ok" && code != "" {
		outcome = code
	}
	return res, outcome
}

// localKey is the pool key of one local call: a key of its own, so that an
// instance the pool keeps per user rather than resets (pool.per_user, or a
// module that cannot be reset) serves no other caller. Such an instance is
// idle under a key nobody asks for again until pool.idle_ttl or max_idle
// closes it; a reset one serves anyone, as for every plugin.
func localKey() string {
	var b [16]byte
	rand.Read(b[:])
	return "local\x00" + hex.EncodeToString(b[:])
}
