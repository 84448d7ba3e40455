// Command exitafter is a hostile test guest written on the Extism kernel
// imports, without the pdk: its call writes a valid result, then exits the
// module with status 0 (WASI proc_exit). go-sdk reports that as a
// successful call with its output; the host must serve the result but never
// hand the closed instance out again.
package main

import (
	"os"

	"github.com/wasmcp/wasmcp/testdata/guests/internal/rawkernel"
)

const descriptor = `{"abi_version":1,"name":"hostile-exitafter","version":"0.0.1","provider":"github",` +
	`"hosts":["https://api.github.com"],"tools":[{"name":"hostile_exitafter",` +
	`"description":"Answers, then exits with status 0.","inputSchema":{"type":"object"}}]}`

//go:wasmexport wasmcp_describe
func describe() int32 {
	rawkernel.Output(descriptor)
	return 0
}

//go:wasmexport wasmcp_call
func call() int32 {
	rawkernel.Output(`{"content":{"answered":true}}`)
	os.Exit(0)
	return 0
}

func main() {}
