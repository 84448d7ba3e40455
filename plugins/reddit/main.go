// Command reddit is a wasmcp plugin with tools that read the signed-in
// user's Reddit account through Reddit's OAuth API. The host supplies the
// user's Reddit token; the plugin never sees it.
//
// Build:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o reddit.wasm ./plugins/reddit
package main

import "github.com/wasmcp/wasmcp/pdk"

// version is the plugin's version, reported to the host and in User-Agent.
const version = "0.1.0"

// plugin is what this module serves; tests run its tools with pdktest.
var plugin = pdk.Plugin{
	Name:     "reddit",
	Version:  version,
	Provider: "reddit",
	Hosts:    []string{apiBase},
	Tools:    []pdk.Tool{getUserTool, listSubredditsTool, listPostsTool, getPostTool, searchTool},
}

func init() { pdk.Register(plugin) }

// main is not run: a -buildmode=c-shared module runs only init, from
// _initialize, and then the exports.
func main() {}
