package hostfuncs

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
)

// Redacted replaces every secret in what the host hands back to a guest or
// writes to a log.
const Redacted = "[REDACTED]"

// scrubber replaces secrets with Redacted. Besides each secret as is, it
// catches the spellings an echoing API is likely to produce: URL
// query-escaped, path-escaped, JSON-string-escaped (with and without HTML
// escaping), and each URL-escaped spelling JSON-escaped in turn (a JSON API
// echoing a URL it built from the request).
type scrubber struct {
	r *strings.Replacer // nil when there is nothing to hide
}

func newScrubber(secrets ...string) *scrubber {
	seen := map[string]bool{}
	var olds []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			olds = append(olds, s)
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, v := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			add(v)
			add(jsonEscape(v, true))
			add(jsonEscape(v, false))
		}
	}
	if len(olds) == 0 {
		return &scrubber{}
	}
	// strings.Replacer tries the pairs in argument order at each position:
	// longer first, so that a secret containing another is replaced whole.
	sort.SliceStable(olds, func(i, j int) bool { return len(olds[i]) > len(olds[j]) })
	pairs := make([]string, 0, 2*len(olds))
	for _, o := range olds {
		pairs = append(pairs, o, Redacted)
	}
	return &scrubber{r: strings.NewReplacer(pairs...)}
}

// String returns s with every secret replaced.
func (s *scrubber) String(x string) string {
	if s == nil || s.r == nil || x == "" {
		return x
	}
	return s.r.Replace(x)
}

// jsonEscape returns s as it appears inside a JSON string.
func jsonEscape(s string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}
