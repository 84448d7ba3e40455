package host

import (
	"errors"
	"log/slog"
	"os"
)

// wasiOutputEnv is the one environment switch of go-sdk and wazero: when it
// is set, go-sdk connects every guest's stdout and stderr to the host's own.
// Over stdio the host's stdout is the protocol, so a guest could forge
// JSON-RPC answers to other users' calls, and its stderr would reach the
// logs unbounded and unscrubbed. The host decides each guest stream itself
// (stdout discarded, stderr into a bounded, scrubbed buffer: see stderr.go),
// so it removes the switch from its environment when it starts, and refuses
// to instantiate a guest if it reappears.
const wasiOutputEnv = "EXTISM_ENABLE_WASI_OUTPUT"

var errWASIOutputEnv = errors.New(wasiOutputEnv + " is set in the host's environment: guests would write to the host's own stdout and stderr; unset it")

// pinEnvironment removes the switches that would let the environment route
// guest I/O, logging what it removed.
func pinEnvironment(logger *slog.Logger) {
	if _, ok := os.LookupEnv(wasiOutputEnv); ok {
		os.Unsetenv(wasiOutputEnv)
		logger.Warn("ignoring "+wasiOutputEnv+": guests never write to the host's streams", "env", wasiOutputEnv)
	}
}

// checkEnvironment refuses to instantiate a guest while a switch is set.
func checkEnvironment() error {
	if _, ok := os.LookupEnv(wasiOutputEnv); ok {
		return errWASIOutputEnv
	}
	return nil
}
