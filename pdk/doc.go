// Package pdk is the guest kit for wasmcp plugins: a plugin written in Go
// imports it, describes its tools, and gets a Wasm module that speaks the
// contract of package abi.
//
// A plugin is a package main that registers one Plugin from init and has an
// empty main:
//
//	package main
//
//	import "github.com/wasmcp/wasmcp/pdk"
//
//	func init() {
//		pdk.Register(pdk.Plugin{
//			Name:     "github",
//			Version:  "0.1.0",
//			Provider: "github",
//			Hosts:    []string{"https://api.github.com"},
//			Tools: []pdk.Tool{{
//				Name:        "get_github_user",
//				Description: "Returns the profile of the signed-in GitHub user.",
//				Handler:     getUser,
//			}},
//		})
//	}
//
//	func getUser(c *pdk.Call) (any, error) {
//		resp, err := c.HTTP(pdk.Request{URL: "https://api.github.com/user"})
//		if err != nil {
//			return nil, err
//		}
//		if err := pdk.CheckStatus("GitHub", resp); err != nil {
//			return nil, err
//		}
//		var user struct {
//			Login string `json:"login"`
//		}
//		if err := resp.JSON(&user); err != nil {
//			return nil, err
//		}
//		return map[string]any{"login": user.Login}, nil
//	}
//
//	func main() {}
//
// Build it with stock Go; -buildmode=c-shared is required, because it is what
// gives the module the _initialize export that runs init:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o github.wasm .
//
// # What the kit does for a plugin
//
// Importing pdk in a wasip1 build adds the exports abi.ExportDescribe and
// abi.ExportCall to the module (they live in this package, so a plugin
// writes no boilerplate) and the imports abi.FuncHTTPRequest and
// abi.FuncLog. Describe answers with the registered Plugin as an
// abi.Descriptor. Call decodes an abi.CallRequest, runs the named tool's
// Handler, and answers with an abi.CallResult:
//
//   - a Handler's result becomes CallResult.Content: it is encoded to JSON,
//     and a value that does not encode to a JSON object is wrapped as
//     {"result": value};
//   - a Handler's error, of any type, becomes a result with IsError set and
//     the error's text as Message: the model reads it. Write messages for
//     that reader (CheckStatus does, for HTTP statuses);
//   - an unknown tool is such an error result too.
//
// A request the guest cannot decode, or a call with no registered plugin, is
// a plugin failure: the export sets an Extism error and returns 1. A panic in
// a Handler is recovered by the export, logged with its stack through
// abi.FuncLog at level "error", and reported the same way (Extism error,
// return code 1), so the host discards the instance, as abi requires. A
// fatal runtime error (out of memory, stack exhaustion) cannot be recovered:
// it traps, as does a panic during init, whose message goes only to the
// module's stderr.
//
// # Testing tools natively
//
// Everything except the Wasm glue compiles for the host too, so tools are
// unit-tested with plain go test: package pdktest runs a Plugin's tools
// against a fake host that answers HTTP requests from a function or an
// http.Handler and records what the tool sent. No network and no Wasm
// runtime are involved.
//
// # State
//
// The only package state is the Plugin given to Register, set once during
// init. Each call gets its own Call value; nothing survives between calls
// that the plugin does not keep itself.
package pdk
