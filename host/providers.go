package host

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// knownProviders lists, for the providers the host knows, the base URLs
// their tokens are meant for. A plugin for one of them may declare only these
// hosts (plus any the operator adds under providers.<id>.hosts), so a plugin
// cannot claim "github" and then have the host send GitHub tokens elsewhere.
// See RATIONALE.md, "Why check a plugin's hosts against its provider?".
var knownProviders = map[string][]string{
	"github": {"https://api.github.com", "https://uploads.github.com"},
	"reddit": {"https://oauth.reddit.com"},
	"google": {
		"https://www.googleapis.com",
		"https://gmail.googleapis.com",
		"https://people.googleapis.com",
		"https://sheets.googleapis.com",
		"https://docs.googleapis.com",
		"https://openidconnect.googleapis.com",
	},
}

// providerHosts returns the base URLs a provider's token may go to.
func providerHosts(provider string, extra map[string]ProviderConfig) []string {
	hosts := slices.Clone(knownProviders[provider])
	return append(hosts, extra[provider].Hosts...)
}

// checkProviderHosts refuses a plugin that declares a host outside its
// provider's list.
func checkProviderHosts(provider string, declared []string, extra map[string]ProviderConfig) error {
	allowed := providerHosts(provider, extra)
	if len(allowed) == 0 {
		return fmt.Errorf("provider %q is not known to this host; list its token hosts under providers.%s.hosts in the config", provider, provider)
	}
	for _, d := range declared {
		if !slices.ContainsFunc(allowed, func(a string) bool { return underBase(d, a) }) {
			return fmt.Errorf("plugin declares host %q, which is not a host of provider %q (allowed: %s); add it under providers.%s.hosts in the config if it is one",
				d, provider, strings.Join(allowed, ", "), provider)
		}
	}
	return nil
}

// underBase reports whether the base URL u lies within base: same scheme,
// host and port, and a path under base's path on a segment boundary.
func underBase(u, base string) bool {
	pu, err1 := url.Parse(u)
	pb, err2 := url.Parse(base)
	if err1 != nil || err2 != nil {
		return false
	}
	if !strings.EqualFold(pu.Scheme, pb.Scheme) || !strings.EqualFold(pu.Host, pb.Host) {
		return false
	}
	bp := strings.TrimSuffix(pb.Path, "/")
	up := strings.TrimSuffix(pu.Path, "/")
	return up == bp || strings.HasPrefix(up, bp+"/")
}
