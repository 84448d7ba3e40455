package hostfuncs

import (
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/jsonsel"
)

// NewRehearsal returns the Call of a warm-up: a call that no user made, run
// on a new instance before its snapshot (see host's warmUp), so that the
// guest's lazy initialisations along the path of a real call (encoding/json's
// per-type caches, first allocations of each size) are in the snapshot and
// not redone, after every reset, by every user's call.
//
// A rehearsal has no token, no secrets and no logger. Its HTTP requests are
// checked as a real call's are (the same Policy, the same request rules) and
// then answered here, without sending anything: status 200, a JSON content
// type and the body "{}" (with the request's Select applied to it, as for a
// real answer). Its log records are dropped. Its output is recorded as a
// real call's, and thrown away by the caller.
func NewRehearsal(plugin, provider string, policy *Policy, mem api.Memory) *Call {
	return &Call{Plugin: plugin, Provider: provider, Policy: policy, Memory: mem, rehearsal: true}
}

// rehearsedBody is the body of every answer in a rehearsal.
const rehearsedBody = "{}"

// rehearsed is the answer to a request of a rehearsal that passed every
// check: no byte of it came from the network or from a user.
func rehearsed(o *outgoing) abi.HTTPResponse {
	out := abi.HTTPResponse{
		Status:  200,
		Headers: map[string]string{"Content-Type": "application/json; charset=utf-8"},
		Body:    rehearsedBody,
	}
	if sel, ok := jsonsel.Apply([]byte(rehearsedBody), o.sel, out.Status); ok {
		out.Body, out.Selected = string(sel), true
	}
	return out
}
