// Command deepschema is a hostile test guest, written without the pdk,
// whose one tool's inputSchema is a chain of 2,500 nested "properties"
// (about 48 KB): small, but a schema compiler walks it for seconds. The host
// must refuse it at load, at once, for its depth, naming the limit, and
// load its other plugins.
package main

import (
	"strings"

	"github.com/wasmcp/wasmcp/testdata/guests/internal/rawkernel"
)

const levels = 2500

func descriptor() string {
	var b strings.Builder
	b.WriteString(`{"abi_version":1,"name":"hostile-deepschema","version":"0.0.1","provider":"github",`)
	b.WriteString(`"hosts":["https://api.github.com"],"tools":[{"name":"hostile_deepschema","description":"never served","inputSchema":`)
	for range levels {
		b.WriteString(`{"type":"object","properties":{"a":`)
	}
	b.WriteString(`{"type":"string"}`)
	b.WriteString(strings.Repeat(`}}`, levels))
	b.WriteString(`}]}`)
	return b.String()
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
