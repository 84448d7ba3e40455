package meter

import "testing"

func TestInspect(t *testing.T) {
	for _, tt := range []struct {
		name string
		wasm []byte
		why  string // "" means resettable
	}{
		{"spin", spinModule(), ""},
		{"recursion", recModule(), ""},
		{"table.set", tableModule(), "it uses table.set"},
		{"imported global", featureModule(), "it imports a global (genv.base)"},
		{"stock Go guest", buildGoGuest(t), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			info, err := Inspect(tt.wasm)
			if err != nil {
				t.Fatal(err)
			}
			if info.Resettable != (tt.why == "") || info.Why != tt.why {
				t.Errorf("Inspect = %+v, want why %q", info, tt.why)
			}
		})
	}
	if _, err := Inspect([]byte("\x00asm\x01\x00\x00\x00\x01\x05\xff\xff\xff\xff\x0f")); err == nil {
		t.Error("Inspect accepted a malformed module")
	}
}
