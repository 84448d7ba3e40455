package host

import (
	"context"
	"testing"

	"github.com/wasmcp/wasmcp/host/meter"
)

// TestKernelMetered: the Extism kernel go-sdk instantiates is the metered
// copy (trap mode, globals exported), not go-sdk's embedded original: the
// go:linkname replacement took, and a kernel loop cannot spin unstopped.
// TestGuestModules: the modules read out of go-sdk's Plugin are the guest's
// and the kernel's, with the guest's memory the one the direct functions
// use.
func TestKernelMetered(t *testing.T) {
	if kernelMeterErr != nil {
		t.Fatal(kernelMeterErr)
	}
	if err := meter.Verify(extismKernel, kernelMeter); err != nil {
		t.Fatalf("the kernel go-sdk compiles is not metered: %v", err)
	}
	hh := newHarness(t, harnessOptions{})
	inst, err := hh.plugins["github"].pool.get(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer closeInstance(inst)
	k := kernelModule(inst.Plugin)
	if k == nil || k.ExportedFunction("alloc") == nil {
		t.Fatal("no kernel module, or it exports no alloc")
	}
	if k.ExportedGlobal(meter.GlobalExportName(0)) == nil {
		t.Error("the running kernel has no exported fuel global: it is go-sdk's original")
	}
	t.Run("guest modules", func(t *testing.T) {
		g := guestModule(inst.Plugin)
		if g == nil || g.ExportedFunction("wasmcp_call") == nil || g.ExportedFunction("alloc") != nil {
			t.Fatal("the guest module is not the plugin's")
		}
		if inst.memory == nil || inst.memory != g.Memory() || inst.guestMem == nil {
			t.Error("the instance's memory is not its guest's, or not one of ours")
		}
		if !hh.plugins["github"].Metered || !hh.plugins["github"].Resettable {
			t.Errorf("github plugin: metered %v, resettable %v", hh.plugins["github"].Metered, hh.plugins["github"].Resettable)
		}
	})
}
