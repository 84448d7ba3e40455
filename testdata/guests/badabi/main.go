// Command badabi is a test guest written without the pdk, straight on the
// Extism kernel imports (as a plugin in another language would be), that
// says it is built for ABI version 2. The host must refuse it with a
// message naming both versions, and keep serving its other plugins.
package main

import "github.com/wasmcp/wasmcp/testdata/guests/internal/rawkernel"

const descriptor = `{"abi_version":2,"name":"hostile-badabi","version":"0.0.1","provider":"github",` +
	`"hosts":["https://api.github.com"],"tools":[{"name":"hostile_badabi","description":"never served",` +
	`"inputSchema":{"type":"object"}}]}`

//go:wasmexport wasmcp_describe
func describe() int32 {
	rawkernel.Output(descriptor)
	return 0
}

//go:wasmexport wasmcp_call
func call() int32 {
	rawkernel.Output(`{"content":{"served":true}}`)
	return 0
}

func main() {}
