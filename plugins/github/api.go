package main

import "github.com/wasmcp/wasmcp/pdk"

// apiBase is the GitHub REST API, the one host the plugin declares.
const apiBase = "https://api.github.com"

// api sends every request with the headers GitHub asks for: its media type,
// a pinned API version, and a User-Agent naming the client (requests without
// one are refused).
var api = pdk.NewClient("GitHub", apiBase, pdk.WithHeaders(map[string]string{
	"Accept":               "application/vnd.github+json",
	"X-GitHub-Api-Version": "2022-11-28",
	"User-Agent":           "wasmcp-github-plugin/" + version,
}))
