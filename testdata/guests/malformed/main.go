// Command malformed is a hostile test guest that calls the host functions
// directly, through their raw imports, with garbage: offsets that name no
// memory block (0, unaligned, past the end of memory, above 32 bits, freed,
// inside another block), blocks that are not JSON or not the JSON expected,
// a block too large, and requests with control characters in the method,
// URL or headers. wasmcp_http_request must answer each with a bad_request
// response, wasmcp_log must drop each, and neither may trap: the guest then
// makes one valid request to show the host functions still work, and
// reports every answer.
package main

import (
	"encoding/binary"
	"encoding/json"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk"
)

//go:wasmimport extism:host/user wasmcp_http_request
func rawHTTPRequest(req uint64) uint64

//go:wasmimport extism:host/user wasmcp_log
func rawLog(rec uint64)

//go:wasmimport extism:host/env alloc
func kernelAlloc(n uint64) uint64

//go:wasmimport extism:host/env free
func kernelFree(offset uint64)

//go:wasmimport extism:host/env length
func kernelLength(offset uint64) uint64

//go:wasmimport extism:host/env load_u8
func kernelLoadU8(offset uint64) uint32

//go:wasmimport extism:host/env store_u64
func kernelStoreU64(offset uint64, v uint64)

//go:wasmimport extism:host/env store_u8
func kernelStoreU8(offset uint64, v uint32)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-malformed",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_malformed",
			Description: "Calls the raw host functions with garbage and reports their answers.",
			Handler:     run,
		}},
	})
}

// answer is what wasmcp_http_request answered to one case.
type answer struct {
	Case   string `json:"case"`
	Error  string `json:"error"`
	Status int    `json:"status"`
}

// store copies b into a new kernel block.
func store(b []byte) uint64 {
	off := kernelAlloc(uint64(len(b)))
	if off == 0 {
		return 0
	}
	i := 0
	for ; i+8 <= len(b); i += 8 {
		kernelStoreU64(off+uint64(i), binary.LittleEndian.Uint64(b[i:]))
	}
	for ; i < len(b); i++ {
		kernelStoreU8(off+uint64(i), uint32(b[i]))
	}
	return off
}

// read returns the JSON document the host answered with.
func read(off uint64) abi.HTTPResponse {
	if off == 0 {
		return abi.HTTPResponse{Error: "no response"}
	}
	n := kernelLength(off)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(kernelLoadU8(off + uint64(i)))
	}
	kernelFree(off)
	var r abi.HTTPResponse
	if err := json.Unmarshal(b, &r); err != nil {
		return abi.HTTPResponse{Error: "undecodable response: " + err.Error()}
	}
	return r
}

// garbageOffsets name no valid block, or a freed one, or the inside of one.
func garbageOffsets() map[string]uint64 {
	freed := store([]byte(`{"method":"GET","url":"https://api.github.com/user"}`))
	kernelFree(freed)
	inside := store([]byte(`{"method":"GET","url":"https://api.github.com/user"}`))
	return map[string]uint64{
		"offset 0":           0,
		"offset 1":           1,
		"offset 7":           7,
		"offset 2^32-1":      1<<32 - 1,
		"offset 2^32":        1 << 32,
		"offset 2^64-1":      ^uint64(0),
		"freed block":        freed,
		"inside a block":     inside + 3,
		"empty block":        kernelAlloc(0),
		"past memory end":    kernelMemoryEnd(),
		"just below 2^32-16": 1<<32 - 16,
	}
}

// kernelMemoryEnd is an offset just past anything the kernel allocated.
func kernelMemoryEnd() uint64 { return store([]byte("x")) + 64<<20 }

// garbageDocuments are blocks that are not a JSON HTTPRequest, or ask for
// something malformed.
var garbageDocuments = map[string]string{
	"not JSON":            "{",
	"JSON null":           "null",
	"JSON array":          "[]",
	"JSON string":         `"GET https://api.github.com/user"`,
	"wrong method type":   `{"method":1,"url":"https://api.github.com/user"}`,
	"wrong url type":      `{"method":"GET","url":123}`,
	"wrong headers type":  `{"method":"GET","url":"https://api.github.com/user","headers":["a"]}`,
	"no URL":              `{"method":"GET"}`,
	"CRLF in method":      `{"method":"GET /x HTTP/1.1\r\nX: y","url":"https://api.github.com/user"}`,
	"CONNECT":             `{"method":"CONNECT","url":"https://api.github.com/user"}`,
	"NUL in URL":          `{"method":"GET","url":"https://api.github.com/\u0000user"}`,
	"space in URL host":   `{"method":"GET","url":"https://api.github .com/user"}`,
	"CRLF in header":      `{"method":"GET","url":"https://api.github.com/user","headers":{"X-A":"a\r\nAuthorization: Bearer forged"}}`,
	"bad header name":     `{"method":"GET","url":"https://api.github.com/user","headers":{"X A\r\n":"b"}}`,
	"dot segments":        `{"method":"GET","url":"https://api.github.com/a/%2e%2e/%2e%2e/admin"}`,
	"invalid UTF-8":       "\xff\xfe\xfd{\"method\":\"GET\"}",
	"deeply nested":       strings.Repeat("[", 100000),
	"relative URL":        `{"method":"GET","url":"/user"}`,
	"file URL":            `{"method":"GET","url":"file:///etc/passwd"}`,
	"huge body (2 MiB)":   `{"method":"POST","url":"https://api.github.com/user","body":"` + strings.Repeat("b", 2<<20) + `"}`,
	"huge document (4MB)": `{"method":"GET","url":"https://api.github.com/user","body":"` + strings.Repeat("c", 4<<20) + `"}`,
}

// garbageLogs are blocks that are not a JSON LogRecord, or one the host
// should drop or cut.
var garbageLogs = []string{
	"{", "null", "[]", `{"level":5,"message":7}`,
	`{"level":"error","message":"forged\nlevel=ERROR msg=\"forged line\""}`,
	`{"level":"info","message":"` + strings.Repeat("m", 60<<10) + `"}`,
	`{"level":"info","message":"` + strings.Repeat("M", 1<<20) + `"}`,
}

func run(c *pdk.Call) (any, error) {
	var answers []answer
	for name, off := range garbageOffsets() {
		r := read(rawHTTPRequest(off))
		answers = append(answers, answer{Case: name, Error: r.Error, Status: r.Status})
		rawLog(off)
	}
	for name, doc := range garbageDocuments {
		off := store([]byte(doc))
		r := read(rawHTTPRequest(off))
		answers = append(answers, answer{Case: name, Error: r.Error, Status: r.Status})
		kernelFree(off)
	}
	for _, doc := range garbageLogs {
		off := store([]byte(doc))
		rawLog(off)
		kernelFree(off)
	}
	valid := store([]byte(`{"method":"GET","url":"https://api.github.com/user"}`))
	r := read(rawHTTPRequest(valid))
	return map[string]any{
		"answers": answers,
		"valid":   answer{Case: "valid", Error: r.Error, Status: r.Status},
	}, nil
}

func main() {}
