package e2e

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// runBinary runs bin/host with args and returns its exit code, stdout and
// stderr.
func runBinary(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(hostBin, args...)
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// "host --help | less" shows the help: it is on stdout. A bad flag is said
// once, on stderr.
func TestCLIOutput(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"plugins", "-h"}} {
		code, stdout, stderr := runBinary(t, args...)
		if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "Usage: host") {
			t.Errorf("%v: exit %d, stdout %.40q, stderr %q; want the usage on stdout only", args, code, stdout, stderr)
		}
	}
	code, stdout, stderr := runBinary(t, "serve", "--bogus")
	if code != 2 || stdout != "" || strings.Count(stderr, "-bogus") != 1 || strings.Count(stderr, "\n") != 1 {
		t.Errorf("--bogus: exit %d, stdout %q, stderr %q; want exit 2 and one line", code, stdout, stderr)
	}
}
