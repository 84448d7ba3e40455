package main

import (
	"net/url"

	"github.com/wasmcp/wasmcp/pdk"
)

// apiBase is Reddit's OAuth API, the one host the plugin declares.
const apiBase = "https://oauth.reddit.com"

// webBase is where Reddit's relative URLs (/r/golang/) point for people.
const webBase = "https://www.reddit.com"

// headers go with every request. Reddit's API rules ask every client for a
// unique, descriptive User-Agent and throttle generic ones.
var headers = map[string]string{
	"Accept":     "application/json",
	"User-Agent": "wasmcp-reddit-plugin/" + version + " (by wasmcp)",
}

// get requests path (with query, if any) from the API and decodes the JSON
// answer into out, of which the host keeps only the fields out's type reads
// (see pdk.SelectOf), natively. A status other than 2xx is an error written
// for the model.
func get(c *pdk.Call, path string, query url.Values, sel string, out any) error {
	u := apiBase + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	resp, err := c.HTTP(pdk.Request{URL: u, Headers: headers, Select: sel})
	if err != nil {
		return err
	}
	if err := pdk.CheckStatus("Reddit", resp); err != nil {
		return err
	}
	return resp.JSON(out)
}
