package main

import "github.com/wasmcp/wasmcp/pdk"

// apiBase is Reddit's OAuth API, the one host the plugin declares.
const apiBase = "https://oauth.reddit.com"

// webBase is where Reddit's relative URLs (/r/golang/) point for people.
const webBase = "https://www.reddit.com"

// api sends every request with a unique, descriptive User-Agent, which
// Reddit's API rules ask of every client (generic ones are throttled).
var api = pdk.NewClient("Reddit", apiBase, pdk.WithHeaders(map[string]string{
	"Accept":     "application/json",
	"User-Agent": "wasmcp-reddit-plugin/" + version + " (by wasmcp)",
}))
