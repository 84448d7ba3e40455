// Command slowdescribe is a hostile test guest, written without the pdk,
// whose describe export never returns: it sleeps forever, which the host's
// sandbox (no sleep clock) turns into Go's scheduler spinning. The host must
// give up on it at its describe deadline, or when loading is stopped, and
// load the plugins beside it meanwhile, without waiting for it.
package main

import (
	"time"

	"github.com/wasmcp/wasmcp/testdata/guests/internal/rawkernel"
)

//go:wasmexport wasmcp_describe
func describe() int32 {
	for {
		time.Sleep(time.Hour)
	}
}

//go:wasmexport wasmcp_call
func call() int32 {
	rawkernel.Output(`{"content":{"served":true}}`)
	return 0
}

func main() {}
