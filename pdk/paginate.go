package pdk

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// NextURL returns the target of the rel="next" link of the response's Link
// header (RFC 8288), as GitHub and many other APIs paginate, or "" when
// there is none or the header is malformed:
//
//	Link: <https://api.github.com/user/repos?page=3>; rel="next", <...?page=9>; rel="last"
//
// The URL is the API's; a tool that follows it sends it to the host, which
// refuses it unless it lies under one of the plugin's Hosts.
func (r *Response) NextURL() string {
	return nextLink(r.Header("Link"))
}

// NextPage returns the positive integer query parameter param ("page") of
// NextURL, or 0 when there is no next link or it has no such parameter: a
// tool that pages by number returns it for the model to ask for next.
func (r *Response) NextPage(param string) int {
	next := r.NextURL()
	if next == "" {
		return 0
	}
	u, err := url.Parse(next)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(u.Query().Get(param))
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// nextLink returns the target of the first link of the Link header h whose
// rel parameter holds "next" (in any case, among space-separated relation
// types), or "". It reads link-values as RFC 8288 writes them: "<" target
// ">", then ";" params, a param's value a token or a quoted string.
func nextLink(h string) string {
	for {
		h = strings.TrimLeft(h, " \t,")
		if h == "" || h[0] != '<' {
			return ""
		}
		end := strings.IndexByte(h, '>')
		if end < 0 {
			return ""
		}
		target := h[1:end]
		h = h[end+1:]
		next := false
		for {
			h = strings.TrimLeft(h, " \t")
			if h == "" || h[0] != ';' {
				break
			}
			var name, value string
			name, value, h = linkParam(h[1:])
			if strings.EqualFold(name, "rel") && slices.ContainsFunc(strings.Fields(value), func(rel string) bool {
				return strings.EqualFold(rel, "next")
			}) {
				next = true
			}
		}
		if next {
			return target
		}
		if h != "" && h[0] != ',' {
			return ""
		}
	}
}

// linkParam reads one link-param (name, and "=" token or quoted-string)
// from the start of s and returns it and the rest of s.
func linkParam(s string) (name, value, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, "=;, \t")
	if i < 0 {
		i = len(s)
	}
	name, s = s[:i], strings.TrimLeft(s[i:], " \t")
	if s == "" || s[0] != '=' {
		return name, "", s
	}
	s = strings.TrimLeft(s[1:], " \t")
	if s == "" || s[0] != '"' {
		j := strings.IndexAny(s, ";, \t")
		if j < 0 {
			j = len(s)
		}
		return name, s[:j], s[j:]
	}
	var b strings.Builder
	j := 1
	for ; j < len(s) && s[j] != '"'; j++ {
		if s[j] == '\\' && j+1 < len(s) {
			j++
		}
		b.WriteByte(s[j])
	}
	if j < len(s) {
		j++ // the closing quote
	}
	return name, b.String(), s[j:]
}
