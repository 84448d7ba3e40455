//go:build wasip1

// Package rawkernel is the smallest guest-side use of the Extism kernel, for
// test guests written without the pdk, as a plugin in another language
// would be: it sets the output of the current export call.
package rawkernel

//go:wasmimport extism:host/env alloc
func kernelAlloc(n uint64) uint64

//go:wasmimport extism:host/env store_u8
func kernelStoreU8(offset uint64, v uint32)

//go:wasmimport extism:host/env store_u64
func kernelStoreU64(offset uint64, v uint64)

//go:wasmimport extism:host/env output_set
func kernelOutputSet(offset, n uint64)

// Output makes s the output of the current export call. It stores eight
// bytes per kernel call, so that a test guest can hand over megabytes.
func Output(s string) {
	off := kernelAlloc(uint64(len(s)))
	i := 0
	for ; i+8 <= len(s); i += 8 {
		var v uint64
		for j := 7; j >= 0; j-- {
			v = v<<8 | uint64(s[i+j])
		}
		kernelStoreU64(off+uint64(i), v)
	}
	for ; i < len(s); i++ {
		kernelStoreU8(off+uint64(i), uint32(s[i]))
	}
	kernelOutputSet(off, uint64(len(s)))
}

//go:wasmimport extism:host/env error_set
func kernelErrorSet(offset uint64)

// Error makes msg the Extism error of the current export call.
func Error(msg string) {
	off := kernelAlloc(uint64(len(msg)))
	for i := 0; i < len(msg); i++ {
		kernelStoreU8(off+uint64(i), uint32(msg[i]))
	}
	kernelErrorSet(off)
}
