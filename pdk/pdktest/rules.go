package pdktest

import (
	"errors"
	"fmt"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/reqrules"
	"github.com/wasmcp/wasmcp/jsonsel"
)

// rules are the host's request rules for one plugin: those of package
// reqrules, Select's (jsonsel), and the plugin's declared bases, parsed as
// the host parses them when it loads the plugin.
type rules struct {
	bases    []reqrules.Base
	declared []string // canonical spellings, for messages
	err      error    // the first declared host the host would refuse
}

func newRules(hosts []string) rules {
	var r rules
	for _, h := range hosts {
		b, err := reqrules.ParseDeclared(h)
		if err != nil {
			r.err = fmt.Errorf("declared host %q: %w", h, err)
			return r
		}
		r.bases = append(r.bases, b)
		r.declared = append(r.declared, b.String())
	}
	return r
}

// check applies the rules to req in the host's order (Select, then
// reqrules.Check, then the declared bases) and returns the error code and
// message of the first one it breaks, or "".
func (r rules) check(req abi.HTTPRequest) (code, msg string) {
	if r.err != nil {
		return abi.ErrHostNotAllowed, "pdktest: the host would not load this plugin: " + r.err.Error()
	}
	if err := jsonsel.Check(req.Select); err != nil {
		return abi.ErrBadRequest, err.Error()
	}
	c, err := reqrules.Check(reqrules.Request{Method: req.Method, URL: req.URL, Headers: req.Headers, Body: req.Body})
	var ref *reqrules.Refusal
	if errors.As(err, &ref) {
		return ref.Code, ref.Message
	} else if err != nil {
		return abi.ErrBadRequest, err.Error()
	}
	for _, b := range r.bases {
		if _, ok := b.Contains(c.URL); ok {
			return "", ""
		}
	}
	ref = reqrules.NotDeclared(c.URL, r.declared)
	return ref.Code, ref.Message
}
