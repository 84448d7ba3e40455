// Command github is a wasmcp plugin with tools for the signed-in user's
// GitHub through the GitHub REST API: their profile, repositories and
// notifications, repository and issue search, file contents, issues and
// pull requests, and two writes (open an issue, comment on one). The host supplies the
// user's GitHub token; the plugin never sees it.
//
// Build:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o github.wasm ./plugins/github
package main

import "github.com/wasmcp/wasmcp/pdk"

// version is the plugin's version, reported to the host and in User-Agent.
const version = "0.1.0"

// plugin is what this module serves; tests run its tools with pdktest.
var plugin = pdk.Plugin{
	Name:     "github",
	Version:  version,
	Provider: "github",
	Hosts:    []string{apiBase},
	Tools: []pdk.Tool{getUserTool, listReposTool, searchReposTool, getContentsTool,
		listIssuesTool, getIssueTool, searchIssuesTool, listPullsTool, getPullTool,
		listNotificationsTool, createIssueTool, commentIssueTool},
}

func init() { pdk.Register(plugin) }

// main is not run: a -buildmode=c-shared module runs only init, from
// _initialize, and then the exports.
func main() {}
