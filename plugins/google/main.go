// Command google is a wasmcp plugin with tools that read the signed-in
// user's Gmail, Google Calendar and Google Drive through Google's REST APIs.
// The host supplies the user's Google token; the plugin never sees it.
//
// Build:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o google.wasm ./plugins/google
package main

import "github.com/wasmcp/wasmcp/pdk"

// version is the plugin's version, reported to the host and in User-Agent.
const version = "0.1.0"

// plugin is what this module serves; tests run its tools with pdktest.
var plugin = pdk.Plugin{
	Name:     "google",
	Version:  version,
	Provider: "google",
	Hosts:    []string{gmailBase, calendarBase, driveBase},
	Tools: []pdk.Tool{
		searchMessagesTool, getMessageTool,
		listEventsTool,
		searchFilesTool, getFileTool,
	},
}

func init() { pdk.Register(plugin) }

// main is not run: a -buildmode=c-shared module runs only init, from
// _initialize, and then the exports.
func main() {}
