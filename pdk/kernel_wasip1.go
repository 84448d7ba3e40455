//go:build wasip1

package pdk

import "encoding/binary"

// The Extism kernel's memory functions (module "extism:host/env"). Every
// value that crosses the boundary is a block of kernel memory named by its
// offset; these move bytes between a block and Go memory, eight at a time
// where they can, one at a time for the tail.
//
//	guest Go memory          kernel memory
//	┌──────────────┐  store   ┌───────────────────┐
//	│ []byte       │ ───────▶ │ block @ offset    │ ──▶ host reads it
//	│              │ ◀─────── │ (length(offset))  │ ◀── host wrote it
//	└──────────────┘  load    └───────────────────┘
//
// Signatures follow go-sdk's instantiateEnvModule (host.go).

//go:wasmimport extism:host/env input_length
func kernelInputLength() uint64

//go:wasmimport extism:host/env input_load_u64
func kernelInputLoadU64(offset uint64) uint64

//go:wasmimport extism:host/env input_load_u8
func kernelInputLoadU8(offset uint64) uint32

//go:wasmimport extism:host/env alloc
func kernelAlloc(n uint64) uint64

//go:wasmimport extism:host/env free
func kernelFree(offset uint64)

//go:wasmimport extism:host/env store_u64
func kernelStoreU64(offset uint64, v uint64)

//go:wasmimport extism:host/env store_u8
func kernelStoreU8(offset uint64, v uint32)

//go:wasmimport extism:host/env output_set
func kernelOutputSet(offset uint64, n uint64)

//go:wasmimport extism:host/env error_set
func kernelErrorSet(offset uint64)

// readInput returns the input of the current export call.
func readInput() []byte {
	return load(kernelInputLength(), kernelInputLoadU64, kernelInputLoadU8)
}

// load copies n bytes, reading position i with u64 or u8.
func load(n uint64, u64 func(i uint64) uint64, u8 func(i uint64) uint32) []byte {
	b := make([]byte, n)
	var i uint64
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], u64(i))
	}
	for ; i < n; i++ {
		b[i] = byte(u8(i))
	}
	return b
}

// storeBlock copies b into a new kernel block and returns its offset. The
// kernel frees every block when the next export call starts; free a block
// sooner with kernelFree.
func storeBlock(b []byte) uint64 {
	n := uint64(len(b))
	offset := kernelAlloc(n)
	var i uint64
	for ; i+8 <= n; i += 8 {
		kernelStoreU64(offset+i, binary.LittleEndian.Uint64(b[i:]))
	}
	for ; i < n; i++ {
		kernelStoreU8(offset+i, uint32(b[i]))
	}
	return offset
}

// setOutput makes b the output of the current export call.
func setOutput(b []byte) {
	kernelOutputSet(storeBlock(b), uint64(len(b)))
}

// setError makes msg the Extism error of the current export call.
func setError(msg string) {
	kernelErrorSet(storeBlock([]byte(msg)))
}
