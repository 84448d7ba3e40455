package host

import (
	"reflect"
	"unsafe"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"
)

// wazero keeps, in every module instance, a slice header per data segment
// of its module (ModuleInstance.DataInstances), for memory.init and
// data.drop to use later. Go's linker splits a plugin's data into tens of
// thousands of active segments (51,094 for the github plugin): 1.2 MB of
// Go heap per instance, which the garbage collector scans at every cycle,
// and which no instruction of a resettable module ever reads, since
// meter.Inspect refuses to call a module resettable if it has memory.init
// or data.drop (they read and change a segment's dropped flag, state a
// reset would not restore). By the specification an active segment is
// dropped once the module is instantiated anyway.
//
// So the host drops them from each new instance of a resettable plugin,
// through reflect, on wazero's exported field; when a wazero upgrade
// renames it, nothing is dropped and nothing else changes. See
// RATIONALE.md, "Why drop wazero's data segments from instances?".

// dropDataSegments releases m's per-instance data segments, reporting
// whether it could. m must be an instance of a module with no memory.init
// and no data.drop (a resettable one).
func dropDataSegments(m api.Module) bool {
	f, ok := dataInstancesOf(m)
	if ok {
		f.SetZero()
	}
	return ok
}

// dataInstancesOf returns the settable DataInstances field of wazero's
// instance behind m, or false when m is not one or the field is gone.
func dataInstancesOf(m api.Module) (reflect.Value, bool) {
	if c, ok := m.(*cachingModule); ok {
		m = c.Module
	}
	v := reflect.ValueOf(m)
	if m == nil || v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	f := v.Elem().FieldByName("DataInstances")
	if !f.IsValid() || f.Type() != reflect.TypeFor[[][]byte]() || !f.CanSet() {
		return reflect.Value{}, false
	}
	return f, true
}

// Once a plugin's instances start from its template (template.go), no
// instantiation needs the module's data either: wazero copies it into each
// new memory, and the template's pages replace it at once. The decoded
// segments (4.7 MB of Go heap for the github plugin, in 51,094 structs the
// garbage collector walks at every cycle) are then given up, with the 4 ms
// of copying per instance, through reflect on go-sdk's and wazero's
// unexported fields (go-sdk and wazero are pinned in go.mod). The code
// they belong to can then make instances only from the template: see
// resident.instantiate.

// dropModuleData empties the data section of c's guest module, reporting
// whether it could; when the fields are not where this expects, nothing
// changes.
func dropModuleData(c *extism.CompiledPlugin) bool {
	f, ok := moduleDataOf(c)
	if ok {
		reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetZero()
	}
	return ok
}

// moduleDataOf returns the DataSection field of the wazero module behind
// c's main compiled module (read-only, as unexported fields are).
func moduleDataOf(c *extism.CompiledPlugin) (reflect.Value, bool) {
	if c == nil {
		return reflect.Value{}, false
	}
	main := reflect.ValueOf(c).Elem().FieldByName("main")
	if !main.IsValid() || main.Kind() != reflect.Interface || main.IsNil() {
		return reflect.Value{}, false
	}
	cm := main.Elem()
	if cm.Kind() != reflect.Pointer || cm.IsNil() || cm.Elem().Type().Name() != "compiledModule" {
		return reflect.Value{}, false
	}
	mod := cm.Elem().FieldByName("module")
	if !mod.IsValid() || mod.Kind() != reflect.Pointer || mod.IsNil() || mod.Elem().Type().Name() != "Module" {
		return reflect.Value{}, false
	}
	f := mod.Elem().FieldByName("DataSection")
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Name() != "DataSegment" || !f.CanAddr() {
		return reflect.Value{}, false
	}
	return f, true
}
