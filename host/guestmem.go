package host

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"
)

// go-sdk keeps an instance's modules to itself: its host functions see only
// the Extism kernel's memory. The host reads two of them from go-sdk's
// Plugin once per instance: the guest module, whose memory the direct host
// functions (abi.FuncHTTPSend...) read and write, and the kernel, whose
// globals a reset restores (see reset.go). go-sdk is pinned in go.mod; the
// fields are checked at start-up, and TestGuestModules checks that what is
// found is the guest's and the kernel's. See RATIONALE.md, "Why read
// go-sdk's modules?".
var (
	mainModuleOffset, mainModuleErr     = moduleField("mainModule")
	kernelModuleOffset, kernelModuleErr = moduleField("extism")
	runtimeInitOffset, runtimeInitErr   = runtimeInitField()
)

// runtimeInitField returns the offset in extism.Plugin of
// guestRuntime.initialized, the flag go-sdk checks before a call to run
// the guest's _initialize: an instance that adopts a template is
// initialised already (see template.go).
func runtimeInitField() (uintptr, error) {
	rt, ok := reflect.TypeFor[extism.Plugin]().FieldByName("guestRuntime")
	if ok && rt.Type.Kind() == reflect.Struct {
		if f, ok := rt.Type.FieldByName("initialized"); ok && f.Type.Kind() == reflect.Bool {
			return rt.Offset + f.Offset, nil
		}
	}
	return 0, errors.New("go-sdk's Plugin has no guestRuntime.initialized flag")
}

// markRuntimeInitialized tells go-sdk that p's guest runtime has run its
// initialisation; false when this go-sdk has no such flag.
func markRuntimeInitialized(p *extism.Plugin) bool {
	if runtimeInitErr != nil || p == nil {
		return false
	}
	*(*bool)(unsafe.Add(unsafe.Pointer(p), runtimeInitOffset)) = true
	return true
}

// moduleField returns the offset of the api.Module field name of
// extism.Plugin, or an error when this go-sdk has no such field: the host
// then serves without what needs it (guests fall back to kernel blocks, and
// instances are kept per user instead of being reset).
func moduleField(name string) (uintptr, error) {
	f, ok := reflect.TypeFor[extism.Plugin]().FieldByName(name)
	if !ok || f.Type != reflect.TypeFor[api.Module]() {
		return 0, fmt.Errorf("go-sdk's Plugin has no %s field of type api.Module", name)
	}
	return f.Offset, nil
}

func pluginModule(p *extism.Plugin, offset uintptr, err error) api.Module {
	if err != nil || p == nil {
		return nil
	}
	return *(*api.Module)(unsafe.Add(unsafe.Pointer(p), offset))
}

// guestModule returns the guest module of p, or nil.
func guestModule(p *extism.Plugin) api.Module {
	return pluginModule(p, mainModuleOffset, mainModuleErr)
}

// kernelModule returns the Extism kernel instance of p, or nil.
func kernelModule(p *extism.Plugin) api.Module {
	return pluginModule(p, kernelModuleOffset, kernelModuleErr)
}

// guestMemory returns the linear memory of p's guest module, or nil.
func guestMemory(p *extism.Plugin) api.Memory {
	if m := guestModule(p); m != nil {
		return m.Memory()
	}
	return nil
}
