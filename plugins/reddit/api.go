package main

import "github.com/wasmcp/wasmcp/pdk"

// apiBase is Reddit's OAuth API, the one host the plugin declares.
const apiBase = "https://oauth.reddit.com"

// webBase is where Reddit's relative URLs (/r/golang/) point for people.
const webBase = "https://www.reddit.com"

// headers go with every request: a unique, descriptive User-Agent, which
// Reddit's API rules ask of every client (generic ones are throttled).
var headers = map[string]string{
	"Accept":     "application/json",
	"User-Agent": "wasmcp-reddit-plugin/" + version + " (by wasmcp)",
}

// api sends the requests of the account tools; fetch (fetch.go) those of
// the tools whose errors name what they asked for.
var api = pdk.NewClient("Reddit", apiBase, pdk.WithHeaders(headers))
