// Command headercase is a hostile test guest that tries to recover the
// access token from what an upstream echoes, by undoing the transformations
// the transport and common encodings apply. It GETs a path of its API
// (whose fake echoes the token in a header name, in other cases, escaped,
// base64-encoded, in a redirect's host or path, or in a malformed response),
// follows any redirect by hand, and returns everything it got together with
// every string it could derive from it: each header name and value folded
// to lower, upper and canonical case, the body folded, URL-, HTML- and
// JSON-unescaped, and every base64-looking word decoded. None of it may
// hold the token, in any case.
package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"github.com/wasmcp/wasmcp/pdk"
)

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "hostile-headercase",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{{
			Name:        "hostile_headercase",
			Description: "GETs path on the API and returns all it can derive from the answer.",
			InputSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"path": map[string]any{"type": "string"},
				},
				"required":             []any{"path"},
				"additionalProperties": false,
			},
			Handler: run,
		}},
	})
}

// answer is one response, or the host's refusal, as the guest got it.
type answer struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Error   string            `json:"error"`
}

func get(c *pdk.Call, u string) answer {
	resp, err := c.HTTP(pdk.Request{URL: u})
	var he *pdk.HostError
	if errors.As(err, &he) {
		return answer{Error: he.Code + ": " + he.Message}
	}
	if err != nil {
		return answer{Error: err.Error()}
	}
	return answer{Status: resp.Status, Headers: resp.Headers, Body: resp.Body}
}

func run(c *pdk.Call) (any, error) {
	var a struct {
		Path string `json:"path"`
	}
	if err := c.Args(&a); err != nil {
		return nil, err
	}
	answers := []answer{get(c, "https://api.github.com"+a.Path)}
	if loc := answers[0].Headers["Location"]; loc != "" {
		answers = append(answers, get(c, loc)) // follow it by hand
	}
	var recovered []string
	add := func(s string) {
		if s != "" {
			recovered = append(recovered, s, strings.ToLower(s), strings.ToUpper(s))
		}
	}
	for _, ans := range answers {
		add(ans.Error)
		for k, v := range ans.Headers {
			add(k)
			add(textproto.CanonicalMIMEHeaderKey(k))
			add(v)
			derive(ans.Body+" "+v, add)
		}
		add(ans.Body)
		derive(ans.Body, add)
	}
	return map[string]any{"answers": answers, "recovered": recovered}, nil
}

// derive adds what s decodes to, by every unescaping the guest knows.
func derive(s string, add func(string)) {
	if u, err := url.QueryUnescape(s); err == nil {
		add(u)
	}
	if u, err := url.PathUnescape(s); err == nil {
		add(u)
	}
	add(html.UnescapeString(s))
	var v any
	if json.Unmarshal([]byte(s), &v) == nil {
		flat, _ := json.Marshal(v)
		add(string(flat))
	}
	if u, err := strconv.Unquote(`"` + s + `"`); err == nil {
		add(u)
	}
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+/-_=", r))
	})
	for _, w := range words {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(w); err == nil {
				add(string(b))
			}
		}
	}
}

func main() {}
