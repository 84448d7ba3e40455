package host

import (
	"os"
	"strings"
	"testing"
)

// TestWASIOutputEnvironmentPinned: EXTISM_ENABLE_WASI_OUTPUT in the host's
// environment would connect guests' stdout and stderr to the host's own
// (over stdio, the protocol stream). The host removes it when it starts,
// says so, and refuses to instantiate a guest if it comes back.
func TestWASIOutputEnvironmentPinned(t *testing.T) {
	t.Setenv(wasiOutputEnv, "1")
	hh := newHarness(t, harnessOptions{})
	if _, ok := os.LookupEnv(wasiOutputEnv); ok {
		t.Fatalf("%s is still set after the host started", wasiOutputEnv)
	}
	if !strings.Contains(hh.logs.String(), "ignoring "+wasiOutputEnv) {
		t.Error("the host did not log that it ignored the switch")
	}
	hh.goodCall(t, "alice")

	os.Setenv(wasiOutputEnv, "1")
	defer os.Unsetenv(wasiOutputEnv)
	if _, err := newInstanceOf(t.Context(), compiledOf(t, hh.plugins["github"])); err == nil || !strings.Contains(err.Error(), wasiOutputEnv) {
		t.Errorf("instantiating with the switch set: err = %v, want a refusal naming it", err)
	}
}
