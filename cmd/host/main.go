// Command host serves the tools of sandboxed Wasm plugins over MCP.
//
//	host [serve] [flags]   serve MCP over stdio (the default)
//	host check  [flags]    try the token exchange for each provider
//	host plugins [flags]   list the plugins of the folder
//	host describe FILE     print what one plugin declares, validated
//	host call FILE TOOL    run one tool of one plugin through the sandbox
//	host bench  [flags]    measure the host against loopback fakes
//	host pull   [flags]    pull the plugins the config sources from registries
//	host version           print the version
//
// Run "host COMMAND --help" for the flags of each.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitUsage is the exit code of a bad flag or configuration.
const exitUsage = 2

// usageError marks errors that exit with exitUsage.
type usageError struct{ error }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	} else if wantsHelp(args) {
		// "host --help": the commands first, then serve's flags.
		fmt.Fprint(stdout, topUsage+"\n")
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stdin, stdout, stderr)
	case "check":
		var ok bool
		ok, err = check(ctx, args, stdout, stderr)
		if err == nil && !ok {
			return 1
		}
	case "plugins":
		err = plugins(ctx, args, stdout, stderr)
	case "bench":
		err = bench(ctx, args, stdout, stderr)
	case "pull":
		err = pull(ctx, args, stdout, stderr)
	case "call":
		err = call(ctx, args, stdout, stderr)
	case "describe":
		err = describePlugin(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "host", version)
	case "help":
		fmt.Fprint(stdout, topUsage)
	default:
		fmt.Fprintf(stderr, "host: unknown command %q\n\n%s", cmd, topUsage)
		return exitUsage
	}
	var ue usageError
	var help helpError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		fmt.Fprint(stdout, help.usage)
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "host:", err)
		return exitUsage
	default:
		fmt.Fprintln(stderr, "host:", err)
		return 1
	}
}

// wantsHelp reports whether args ask for help before any other flag ends
// the parsing.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help", "-h=true", "--help=true":
			return true
		case "--":
			return false
		}
	}
	return false
}

const topUsage = `Usage: host [COMMAND] [FLAGS]

Serves MCP tools from sandboxed WebAssembly plugins.

Commands:
  serve     serve MCP over stdio, or streamable HTTP with --http (default)
  check     exchange a token for each provider and report pass/fail
  plugins   list the plugins of the folder: version, provider, hosts, tools
  describe  print what one plugin file declares, validated, as JSON
  pull      pull the plugins the config sources from OCI registries, and verify them
  call      run one tool of one plugin file through the sandbox and print its result
  bench     measure call overhead, throughput and memory against loopback fakes
  version   print the version

Run "host COMMAND --help" for the flags of a command.
`
