package main

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/wasmcp/wasmcp/pdk"
)

// apiBase is the GitHub REST API, the one host the plugin declares.
const apiBase = "https://api.github.com"

// apiHeaders go with every request: GitHub's media type, a pinned API
// version, and a User-Agent naming the client (requests without one are
// refused).
var apiHeaders = map[string]string{
	"Accept":               "application/vnd.github+json",
	"X-GitHub-Api-Version": "2022-11-28",
	"User-Agent":           "wasmcp-github-plugin/" + version,
}

// endpoint is one request of a tool: what it reads or writes, named for
// the model (a 404 says what was not found), and the access it needs (a
// 403 names the scope).
type endpoint struct {
	method string // "" for GET
	path   string // escaped, from pdk.Path
	query  url.Values
	body   any    // encoded as JSON when not nil
	sel    string // the host-side selection, pdk.Select
	what   string // "the repository octocat/Hello-World"
	needs  access
}

// send performs e and checks GitHub's answer: a status other than 2xx is
// the error of apiError, written for the model. When out is not nil, the
// 2xx JSON body is decoded into it. The Response is returned for its Link
// header and, with a selection, its body as the host cut it.
func send(c *pdk.Call, e endpoint, out any) (*pdk.Response, error) {
	u := apiBase + e.path
	if len(e.query) > 0 {
		u += "?" + e.query.Encode()
	}
	req := pdk.Request{Method: e.method, URL: u, Headers: apiHeaders, Select: e.sel}
	if e.body != nil {
		b, err := json.Marshal(e.body)
		if err != nil {
			return nil, fmt.Errorf("encoding the request to GitHub: %v", err)
		}
		req.Body = string(b)
		req.Headers = withJSONBody
	}
	resp, err := c.HTTP(req)
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, apiError(resp, e)
	}
	if e.sel != "" && !resp.Selected || out != nil && json.Unmarshal([]byte(resp.Body), out) != nil {
		return nil, fmt.Errorf("GitHub answered %d with a body that is not the JSON expected", resp.Status)
	}
	return resp, nil
}

// withJSONBody are the headers of a request with a JSON body.
var withJSONBody = func() map[string]string {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range apiHeaders {
		h[k] = v
	}
	return h
}()

// pageQuery adds per_page and page to q when they are set.
func pageQuery(q url.Values, perPage, page *int) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if perPage != nil {
		q.Set("per_page", fmt.Sprint(*perPage))
	}
	if page != nil {
		q.Set("page", fmt.Sprint(*page))
	}
	return q
}

// withNextPage returns the selected object raw with "next_page" appended
// when GitHub's Link header has a next page.
func withNextPage(resp *pdk.Response, key string) (json.RawMessage, error) {
	if next := resp.NextPage("page"); next > 0 {
		return pdk.AppendField(resp.Raw(), key, next)
	}
	return resp.Raw(), nil
}
