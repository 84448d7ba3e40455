// Command deepdescriptor is a hostile test guest, written without the pdk,
// whose descriptor is valid but for a field the host does not know, nested
// 9,998 levels deep: encoding/json would decode it, and a client handed it
// would drop the session. The host must refuse it at load, before decoding
// it, naming the depth limit.
package main

import (
	"strings"

	"github.com/wasmcp/wasmcp/testdata/guests/internal/rawkernel"
)

const levels = 9998

func descriptor() string {
	return `{"abi_version":1,"name":"hostile-deepdescriptor","version":"0.0.1","provider":"github",` +
		`"hosts":["https://api.github.com"],"tools":[{"name":"hostile_deepdescriptor","description":"never served",` +
		`"inputSchema":{"type":"object"}}],"x":` + strings.Repeat("[", levels-1) + strings.Repeat("]", levels-1) + `}`
}

//go:wasmexport wasmcp_describe
func describe() int32 {
	rawkernel.Output(descriptor())
	return 0
}

//go:wasmexport wasmcp_call
func call() int32 {
	rawkernel.Output(`{"content":{"served":true}}`)
	return 0
}

func main() {}
