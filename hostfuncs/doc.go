// Package hostfuncs implements the host functions that wasmcp offers its Wasm
// plugins (see package abi): an HTTP client that enforces the plugin's network
// policy and authenticates requests itself, and a log sink.
//
// The guarantees, in order of importance:
//
//   - The OAuth access token never enters guest memory: the host adds
//     "Authorization: Bearer <token>" on the way out, and replaces every
//     secret of the call by "[REDACTED]" in the bodies, headers and error
//     messages it hands back, and in what it logs, in every spelling it
//     knows and in any letter case (see RATIONALE.md).
//   - What a guest makes the host log is bounded per call (Limits'
//     MaxLogRecords and MaxLogBytes), and the host says what it dropped.
//   - The token goes only to the plugin's declared hosts, or to the
//     operator's mapping of them: a request elsewhere is refused, and a
//     redirect elsewhere is not followed.
//   - The guest cannot reach internal services: the default transport refuses
//     loopback, private, link-local and other non-public addresses after DNS
//     resolution, except for targets the operator mapped explicitly.
//   - Guest input never makes a host function trap or panic.
//
// # Use
//
// Build one Policy per plugin at load time, one Funcs per process, and one
// Call per tool call:
//
//	policy, err := hostfuncs.NewPolicy(desc.Hosts, upstreams) // at load
//	funcs := hostfuncs.New(hostfuncs.Options{})
//	compiled, err := extism.NewCompiledPlugin(ctx, manifest, cfg, funcs.HostFunctions())
//
//	call := &hostfuncs.Call{Plugin: name, Provider: provider, Token: token,
//		Secrets: []string{token, userToken}, Policy: policy, Logger: logger}
//	rc, out, err := inst.CallWithContext(hostfuncs.WithCall(ctx, call), abi.ExportCall, in)
//
// Decisions that are not obvious from the code are explained in RATIONALE.md.
package hostfuncs
