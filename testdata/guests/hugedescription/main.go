// Command hugedescription is a hostile test guest, written without the pdk,
// whose one tool has a 2 MiB description, twice the host's limit for a whole
// descriptor. (The review's was 17 MiB, past the Go SDK client's 16 MiB
// line, so that tools/list ended every client's session; the same check
// refuses it, and 2 MiB keeps the test quick under the race detector.) The
// host must refuse it at load, naming the limit, without logging or
// printing the description.
package main

import (
	"strings"

	"github.com/wasmcp/wasmcp/testdata/guests/internal/rawkernel"
)

func descriptor() string {
	return `{"abi_version":1,"name":"hostile-hugedescription","version":"0.0.1","provider":"github",` +
		`"hosts":["https://api.github.com"],"tools":[{"name":"hostile_hugedescription","description":"` +
		strings.Repeat("HUGE description. ", 2<<20/18) + `","inputSchema":{"type":"object"}}]}`
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
