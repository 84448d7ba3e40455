package main

import (
	"fmt"
	"net/url"

	"github.com/wasmcp/wasmcp/pdk"
)

// apiBase is the GitHub REST API, the one host the plugin declares.
const apiBase = "https://api.github.com"

// headers go with every request, as GitHub asks: its media type, a pinned API
// version, and a User-Agent naming the client (requests without one are
// refused).
var headers = map[string]string{
	"Accept":               "application/vnd.github+json",
	"X-GitHub-Api-Version": "2022-11-28",
	"User-Agent":           "wasmcp-github-plugin/" + version,
}

// get requests path (with query, if any) from the API, of whose JSON answer
// the host keeps only sel (see pdk.Request.Select). A status other than 2xx
// is an error written for the model.
func get(c *pdk.Call, path string, query url.Values, sel string) (*pdk.Response, error) {
	u := apiBase + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	resp, err := c.HTTP(pdk.Request{URL: u, Headers: headers, Select: sel})
	if err != nil {
		return nil, err
	}
	if err := pdk.CheckStatus("GitHub", resp); err != nil {
		return nil, err
	}
	if !resp.Selected {
		return nil, fmt.Errorf("GitHub answered %d with a body that is not the JSON expected", resp.Status)
	}
	return resp, nil
}
