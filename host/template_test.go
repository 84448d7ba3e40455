package host

import (
	"context"
	"errors"
	"testing"
)

// requiredArgs returns arguments for a tool's required properties, each
// the simplest value of its type (the first of an enum), so that the call
// reaches the plugin.
func requiredArgs(schema map[string]any) map[string]any {
	args := map[string]any{}
	props, _ := schema["properties"].(map[string]any)
	req, _ := schema["required"].([]any)
	for _, r := range req {
		name, _ := r.(string)
		p, _ := props[name].(map[string]any)
		if enum, ok := p["enum"].([]any); ok && len(enum) > 0 {
			args[name] = enum[0]
			continue
		}
		switch p["type"] {
		case "integer", "number":
			args[name] = 1
		case "boolean":
			args[name] = false
		case "array":
			args[name] = []any{}
		case "object":
			args[name] = map[string]any{}
		default:
			args[name] = "x"
		}
	}
	return args
}

// TestInstancesFromTheTemplate: the second instance of a plugin starts from
// the first one's snapshot instead of initialising, and is byte for byte
// (both memories, every global, the guest's memory size) that snapshot.
// Every tool answers on it exactly as on the instance made the long way;
// a call on it changes neither the template nor the instances made from it
// later, even once the first instance is gone; and its reset brings it back
// to the snapshot.
func TestInstancesFromTheTemplate(t *testing.T) {
	hh := newHarness(t, harnessOptions{pool: PoolConfig{Warm: -1, MaxIdle: 2}, global: Limits{MemoryMiB: 16}})
	pl := hh.plugins["github"]
	first, err := pl.pool.newWarm()
	if err != nil {
		t.Fatal(err)
	}
	snap := captureState(t, first)
	if n := pl.cloned.Load(); n != 0 {
		t.Fatalf("the first instance was made from a template (%d)", n)
	}
	second, err := pl.pool.newWarm()
	if err != nil {
		t.Fatal(err)
	}
	if n := pl.cloned.Load(); n != 1 {
		t.Fatalf("%d instances made from the template, want the second", n)
	}
	if second.reset == nil || second.guestMem.file != first.guestMem.file {
		t.Fatal("the second instance has no reset point, or not the first one's snapshot")
	}
	sameState(t, "an instance made from the template", snap, captureState(t, second))
	// The module's data is given up, and with it the long way.
	r := residentNow(t, pl)
	if d, ok := moduleDataOf(r.compiled); !ok || d.Len() != 0 || !r.stripped {
		t.Errorf("the module's data was not given up after an instance from the template (found %v)", ok)
	}
	if _, err := r.instantiate(context.Background(), false); !errors.Is(err, errStripped) {
		t.Errorf("an instance of stripped code was made the long way: %v", err)
	}

	// Differential: each tool, on the instance made the long way and then
	// on the template's, answers the same.
	ctx := context.Background()
	for _, tool := range pl.Desc.Tools {
		var got [2]toolOutcome
		for i, inst := range []*instance{first, second} {
			pl.pool.put("nobody", inst, true)
			got[i] = hh.call(t, "alice", tool.Name, requiredArgs(tool.InputSchema))
			if hh.lastInstance("github") != inst.Plugin {
				t.Fatalf("%s ran on another instance", tool.Name)
			}
			taken, err := pl.pool.get(ctx, "nobody")
			if err != nil || taken != inst {
				t.Fatalf("taking the instance back: %v", err)
			}
		}
		if got[0].rpcError != got[1].rpcError || got[0].isError != got[1].isError || got[0].text != got[1].text {
			t.Errorf("%s answers differently on an instance from the template:\n%+v\n%+v", tool.Name, got[0], got[1])
		}
		sameState(t, "after "+tool.Name+" and its reset", snap, captureState(t, second))
	}
	if found := scanInstance(second.Plugin, `"login":"alice"`); len(found) > 0 {
		t.Errorf("alice's data is in the template's instance after its reset: %v", found)
	}

	// The template outlives the instance it was taken of, and what the
	// calls wrote did not reach it.
	closeInstance(first)
	third, err := pl.pool.newWarm()
	if err != nil {
		t.Fatal(err)
	}
	if n := pl.cloned.Load(); n != 2 {
		t.Fatalf("%d instances made from the template, want 2", n)
	}
	sameState(t, "an instance made from the template after calls on another", snap, captureState(t, third))
	// A plugin whose later warm-up failed keeps making instances from the
	// template, the only way its stripped code has left.
	pl.warmUpFailed.Store(true)
	fourth, err := pl.pool.newWarm()
	if err != nil {
		t.Fatalf("after a failed warm-up, no instance could be made: %v", err)
	}
	if n := pl.cloned.Load(); n != 3 || fourth.reset == nil {
		t.Errorf("after a failed warm-up, the instance was not made from the template (%d)", n)
	}
	closeInstance(fourth)
	pl.warmUpFailed.Store(false)
	closeInstance(second)
	pl.pool.put("nobody", third, true)
	hh.goodCall(t, "bob")
	if hh.lastInstance("github") != third.Plugin {
		t.Error("bob's call did not run on the third instance")
	}
}

// residentNow returns the load of pl's code now in memory.
func residentNow(t *testing.T, pl *Plugin) *resident {
	t.Helper()
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.res == nil {
		t.Fatal("the plugin's code is not loaded")
	}
	return pl.res
}

// TestModuleDataFound: the pinned go-sdk and wazero have the fields
// dropModuleData empties, and the github plugin's module has its data
// there before any instance from a template.
func TestModuleDataFound(t *testing.T) {
	hh := newHarness(t, harnessOptions{pool: PoolConfig{Warm: -1}})
	pl := hh.plugins["github"]
	if err := pl.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	d, ok := moduleDataOf(residentNow(t, pl).compiled)
	if !ok || d.Len() < 1000 {
		t.Fatalf("the github module's data section is not found where expected (found %v)", ok)
	}
}

// TestTemplateDroppedWithTheCode: unloading the code drops its template,
// and the code loaded again makes a template of its own.
func TestTemplateDroppedWithTheCode(t *testing.T) {
	hh := newHarness(t, harnessOptions{pool: PoolConfig{Warm: -1, MaxIdle: 2}, global: Limits{MemoryMiB: 16}})
	pl := hh.plugins["github"]
	hh.goodCall(t, "alice")
	r := residentNow(t, pl)
	if r.templates.get() == nil {
		t.Fatal("no template after a call")
	}
	r.templates.get().release() // get's own references
	r.templates.drop()
	if r.templates.get() != nil {
		t.Fatal("the template is still there after drop")
	}
	// With no template, an instance is made the long way, and offers one.
	if r.stripped {
		t.Fatal("the module's data was given up with no instance made from the template")
	}
	inst, err := pl.pool.newWarm()
	if err != nil {
		t.Fatal(err)
	}
	defer closeInstance(inst)
	if r.templates.get() == nil {
		t.Error("an instance made the long way offered no template")
	}
}
