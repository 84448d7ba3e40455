// Package meter instruments WebAssembly modules with a fuel counter so that a
// guest cannot run forever without returning control to the host.
//
// # Why fuel
//
// wazero can interrupt a running guest when its context is done, but only if
// the module is compiled with close-on-context-done, which makes compiled code
// exit to Go at every loop back-edge. That costs most of a call's CPU. Instead,
// Instrument rewrites the module once at load time so that the guest itself
// decrements a counter (the fuel) at every function entry and at every loop
// header, which is where every back-edge lands. Every unbounded execution in
// WebAssembly needs either a loop or a call, so a guest cannot run for long
// without the counter running out. When it does, the guest either traps
// (trap mode) or calls a host function (yield mode) that can check the context,
// account time, and return new fuel, or panic to abort the call.
//
// # The check sequence
//
// Instrument adds one mutable i32 global, the fuel, and inserts this sequence
// at the start of every defined function body and right after the block type
// of every loop:
//
//	global.get $fuel
//	i32.const 1
//	i32.sub
//	global.set $fuel
//	global.get $fuel
//	i32.const 0
//	i32.le_s
//	if
//	  call $yield     ;; yield mode: the result is the new fuel
//	  global.set $fuel
//	  ;; or, in trap mode, unreachable
//	end
//
// The sequence leaves the operand stack unchanged, so it is valid wherever an
// instruction sequence starts. In yield mode the yield function is a new
// import, appended after the existing function imports, so defined function
// indices shift by one and every function index in the module is rewritten. In
// trap mode each exported function is replaced by a wrapper that resets the fuel
// and calls the original, so every call from the host gets a full budget.
//
// # Virtual memory size
//
// With Options.VirtualMemory (yield mode only), Instrument also imports
// MemorySizeName () -> (i32) and MemoryGrowName (i32) -> (i32) from the yield
// module, right after the yield function (defined function indices then
// shift by three), and replaces every memory.size and memory.grow with a call
// to them; the stack effect is the same. The host thus decides which memory
// size the guest sees. This lets an instance be reset to a snapshot whose
// memory is pre-grown to its cap: restoring memory and globals never has to
// shrink a memory, which WebAssembly cannot do, and the guest still sees the
// size it asked for, while the real memory stays at its reservation. The host
// functions keep a virtual page count, which they must reset with the rest
// of the snapshot, and fail a grow beyond the cap with -1. Only modules that
// define exactly one memory and import none are accepted.
//
// # Why indices are validated
//
// The instrumented module gains a global and, in yield mode, a function and
// possibly a type. An invalid module that references an index one past the end
// of an index space would become valid after instrumentation and address the
// new entity, for example resetting its own fuel. Instrument therefore checks
// every function, global and type index it reads against the original index
// spaces, and refuses anything it does not fully decode: features it does not
// know are reported with ErrUnsupported so that the caller can fall back to
// the slow path, and malformed input with a plain error. Verify re-parses the
// output independently and checks that the checks are in place and that no
// other instruction writes the fuel.
//
// Every vector count is checked against the remaining input before anything
// is allocated, and the custom "name" section and local declarations are
// bounded too: wazero v1.9.0 preallocates from such counts, and a module of a
// few bytes can otherwise make CompileModule exhaust host memory. For a module
// that Instrument accepts, those allocations stay proportional to its size.
package meter
