package hostfuncs

import (
	"fmt"
	"net/netip"
	"net/url"
	"sort"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/reqrules"
)

// Policy is the immutable network policy of one plugin, built at load time
// by NewPolicy from the base URLs the plugin declared and the operator's
// upstream mapping.
//
// A request URL is allowed when it falls under a declared base: same scheme,
// host and port, and a path that equals the base's path prefix or continues
// it after a "/". It is then rewritten onto that base's target (the mapped
// base URL, or the declared one itself):
//
//	declared  https://api.github.com
//	mapped to https://ghe.example.com/api/v3
//	request   https://api.github.com/user?per_page=1
//	sent to   https://ghe.example.com/api/v3/user?per_page=1
//
// A nil *Policy allows nothing.
type Policy struct {
	rules   []rule          // longest prefix first
	targets []reqrules.Base // distinct targets, longest prefix first
	// mappedAddrs holds "host:port" of every operator-mapped target. Requests
	// to these addresses may dial loopback and private networks.
	mappedAddrs map[string]bool
	declared    []string // declared bases, for error messages
}

// rule maps one declared base onto its target.
type rule struct {
	from, to reqrules.Base
}

// NewPolicy builds the policy of a plugin.
//
// declared are the base URLs of the plugin's Descriptor.Hosts
// ("https://api.github.com", "https://example.com:8443/api"); each must be
// https (reqrules.ParseDeclared, which pdktest applies too). upstreams
// maps a declared base (spelled in any equivalent way) to the base URL
// actually contacted; a target must be https, or http on a loopback host
// (127.0.0.0/8, ::1, localhost). No base may carry userinfo, a query or a
// fragment, or "." and ".." path segments.
//
// The error names the offending base URL.
func NewPolicy(declared []string, upstreams map[string]string) (*Policy, error) {
	p := &Policy{mappedAddrs: map[string]bool{}}
	byKey := map[string]int{} // declared base → index in p.rules
	for _, d := range declared {
		e, err := reqrules.ParseDeclared(d)
		if err != nil {
			return nil, fmt.Errorf("declared host %q: %w", d, err)
		}
		if _, dup := byKey[e.String()]; dup {
			continue
		}
		byKey[e.String()] = len(p.rules)
		p.rules = append(p.rules, rule{from: e, to: e})
		p.declared = append(p.declared, e.String())
	}
	// Sorted keys keep the first reported error stable.
	keys := make([]string, 0, len(upstreams))
	for k := range upstreams {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mappedBy := map[int]string{} // rule index → mapping key
	for _, k := range keys {
		from, err := reqrules.ParseBase(k)
		if err != nil {
			return nil, fmt.Errorf("upstream mapping key %q: %w", redactBase(k), err)
		}
		i, ok := byKey[from.String()]
		if !ok {
			return nil, fmt.Errorf("upstream mapping key %q: the plugin does not declare this host (it declares %s)", k, listOrNone(p.declared))
		}
		if prev, dup := mappedBy[i]; dup {
			return nil, fmt.Errorf("upstream mapping keys %q and %q name the same host", prev, k)
		}
		mappedBy[i] = k
		to, err := reqrules.ParseBase(upstreams[k])
		if err != nil {
			return nil, fmt.Errorf("upstream mapping target %q: %w", redactBase(upstreams[k]), err)
		}
		if to.Scheme() == "http" && !isLoopbackHost(to.Host()) {
			return nil, fmt.Errorf("upstream mapping target %q: http is allowed only for loopback hosts; use https", redactBase(upstreams[k]))
		}
		p.rules[i].to = to
		p.mappedAddrs[to.Addr()] = true
	}
	seen := map[string]bool{}
	for _, r := range p.rules {
		if !seen[r.to.String()] {
			seen[r.to.String()] = true
			p.targets = append(p.targets, r.to)
		}
	}
	sort.SliceStable(p.rules, func(i, j int) bool {
		return len(p.rules[i].from.Prefix()) > len(p.rules[j].from.Prefix())
	})
	sort.SliceStable(p.targets, func(i, j int) bool {
		return len(p.targets[i].Prefix()) > len(p.targets[j].Prefix())
	})
	return p, nil
}

// redactBase returns a base URL from the operator's config fit for an error
// message: userinfo and query, which are refused but might hold a
// credential, are masked.
func redactBase(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil && u.RawQuery == "" {
		return s
	}
	if u.User != nil {
		u.User = url.User("xxxxx")
	}
	if u.RawQuery != "" {
		u.RawQuery = "xxxxx"
	}
	return u.String()
}

// Targets returns the effective base URLs, after mapping, that requests of
// this policy may reach, sorted, for inventories and audits.
func (p *Policy) Targets() []string {
	if p == nil {
		return nil
	}
	out := make([]string, 0, len(p.targets))
	for _, t := range p.targets {
		out = append(out, t.String())
	}
	sort.Strings(out)
	return out
}

// route finds the declared base that u falls under and returns the URL to
// send, rewritten onto the base's target, and whether that target was
// mapped by the operator (so it may be dialed on private addresses).
//
// u must come from parseRequestURL. The error is a *refusal.
func (p *Policy) route(u *url.URL) (*url.URL, bool, error) {
	if p != nil {
		for _, r := range p.rules {
			if rest, ok := r.from.Contains(u); ok {
				out, err := r.to.Join(rest, u.RawQuery)
				if err != nil {
					return nil, false, refuse(abi.ErrBadRequest, "cannot rewrite URL: %v", err)
				}
				return out, p.mappedAddrs[r.to.Addr()], nil
			}
		}
	}
	var declared []string
	if p != nil {
		declared = p.declared
	}
	return nil, false, ruleRefusal(reqrules.NotDeclared(u, declared))
}

// isTarget reports whether u, a URL in the target space (a redirect's
// Location), falls under one of the policy's effective targets, and whether
// that target may be dialed on private addresses.
func (p *Policy) isTarget(u *url.URL) (ok, mapped bool) {
	if p == nil {
		return false, false
	}
	for _, t := range p.targets {
		if _, in := t.Contains(u); in {
			return true, p.mappedAddrs[t.Addr()]
		}
	}
	return false, false
}

// origin is scheme://host[:port] of u, for messages.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// isLoopbackHost reports whether h names the loopback interface.
func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Unmap().IsLoopback()
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
