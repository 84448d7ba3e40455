package host

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmcp/wasmcp/host/auth"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func credsFor(user, userToken string) auth.Credentials {
	return auth.Credentials{UserID: user, UserToken: userToken, ProviderID: "github"}
}

const testTemplate = "https://auth.example.com/connect?provider={providerId}&user={userId}"

func mustTemplate(t *testing.T, s string) *connectTemplate {
	t.Helper()
	tmpl, err := parseConnectTemplate(s)
	if err != nil {
		t.Fatalf("parseConnectTemplate(%q): %v", s, err)
	}
	return tmpl
}

func TestConnectTemplateRefusals(t *testing.T) {
	for _, c := range []struct{ tmpl, want string }{
		{"http://auth.example.com/connect?user={userId}", "want an absolute https URL"},
		{"auth.example.com/connect", "want an absolute https URL"},
		{"https:///connect", "want an absolute https URL"},
		{"https://auth.example.com/connect?t={userToken}", "{userToken} is not allowed"},
		{"https://auth.example.com/connect?x={user}", "unknown placeholder {user}"},
		{"https://{providerId}.example.com/connect", "the host must be fixed"},
		{"https://auth.example.com:{userId}/connect", "the host must be fixed"},
		// The parser lower-cases the scheme: a check of a literal
		// "https://" prefix let these choose the host.
		{"hTTpS://auth.example.com:{userId}/connect", "the host must be fixed"},
		// Right after the host, with no "/" between: still the host.
		{"https://auth.example.com{userId}", "the host must be fixed"},
		{"https://auth.example.com{userId}?x=1", "the host must be fixed"},
		{"https://auth.example.com:44{userId}/c", "the host must be fixed"},
		{"https://7auth77.example.com{userId}/c", "the host must be fixed"},
		{"https://[::1{userId}]/c", "the host must be fixed"},
		{"https://{userId}@auth.example.com/c", "the host must be fixed"},
		{"HTTPS://me:{userId}@auth.example.com/c", "the host must be fixed"},
		{"HTTP://auth.example.com/c?u={userId}", "want an absolute https URL"},
		{"https:auth.example.com/{userId}", "want an absolute https URL"},
		{"https://me:pw@auth.example.com/connect", "user name or password"},
		{"https://auth.example.com/connect#{userId}", "fragment"},
		{" https://auth.example.com/connect", "white space"},
		{"https://auth.example.com/\x1b[31m", "control characters"},
		{"https://auth.example.com/" + strings.Repeat("a", maxConnectURL), "above the limit"},
	} {
		_, err := parseConnectTemplate(c.tmpl)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "backend.connect_url: ") {
			t.Errorf("%q: err %v, want one naming the key and saying %q", c.tmpl, err, c.want)
		}
	}
}

// TestConnectTemplateHostPlaceholderUpperScheme: the template's host must
// be fixed (backend connect URLs are accepted only on it). A check of the
// literal prefix "https://" missed these, as url.Parse lower-cases the
// scheme: an upper-case scheme let {userId} sit in the host.
func TestConnectTemplateHostPlaceholderUpperScheme(t *testing.T) {
	for _, s := range []string{
		"HTTPS://{userId}.example.com/connect",
		"Https://auth.{providerId}.example.com/connect",
	} {
		if tmpl, err := parseConnectTemplate(s); err == nil {
			t.Errorf("%q accepted (host %q); want refused: the host must be fixed", s, tmpl.host)
		}
	}
}

// TestBackendConnectURLEscapedTokenWithBadEscape: a backend connectUrl that
// holds the userToken percent-escaped is refused, even with an invalid
// escape elsewhere in the URL (url.Parse keeps a raw query as it is): a
// decoding that stopped at the first bad escape answered "no secret".
func TestBackendConnectURLEscapedTokenWithBadEscape(t *testing.T) {
	const userToken = "temp_token_abc456_secret"
	tmpl, err := parseConnectTemplate("https://auth.example.com/connect?user={userId}")
	if err != nil {
		t.Fatal(err)
	}
	escaped := "%74emp_token_abc456_secret" // 't' as %74
	if _, err := tmpl.acceptBackendURL("https://auth.example.com/c?t="+escaped, userToken); err == nil {
		t.Fatalf("control: the escaped userToken was accepted")
	}
	if got, err := tmpl.acceptBackendURL("https://auth.example.com/c?x=%zz&t="+escaped, userToken); err == nil {
		t.Errorf("accepted %q: it holds the userToken, %%-escaped", got)
	}
}

// A template whose placeholders sit in the path or the query is taken in
// any scheme case, its host is the fixed one, and no value of the
// placeholders moves the expansion to another host.
func TestConnectTemplateHostFixed(t *testing.T) {
	for _, s := range []string{
		testTemplate,
		"HTTPS://Auth.Example.com/connect/{providerId}/{userId}",
		"https://auth.example.com:8443/{userId}?p={providerId}",
		"https://auth.example.com/{userId}",
		"https://auth7.example.com/c7/{userId}?x=77",
		"https://auth.example.com?u={userId}",
	} {
		tmpl := mustTemplate(t, s)
		u, _ := url.Parse(s)
		if tmpl.host != strings.ToLower(u.Host) {
			t.Errorf("%q: host %q", s, tmpl.host)
		}
		for _, id := range []string{"evil.com", "@evil.com", "//evil.com", "/../@evil.com", "x?y#z", "a%2F%40evil.com", `\evil.com`, ":99", "[::1]"} {
			got := tmpl.expand(id, id)
			v, err := url.Parse(got)
			if err != nil || strings.ToLower(v.Host) != tmpl.host || v.User != nil || v.Fragment != "" {
				t.Errorf("%q with %q: %q parses to host %q, %v", s, id, got, v.Host, err)
			}
		}
	}
}

// The config refuses a bad template when it is loaded, with the key's name.
func TestConnectTemplateAtConfigLoad(t *testing.T) {
	_, err := ParseConfig([]byte("backend:\n  connect_url: http://auth.example.com/c?u={userId}\n"))
	if err == nil || !strings.Contains(err.Error(), "backend.connect_url: want an absolute https URL") {
		t.Fatalf("err %v", err)
	}
	_, err = ParseConfig([]byte("backend:\n  connect_state_ttl: 5m\n"))
	if err == nil || !strings.Contains(err.Error(), "need backend.connect_url") {
		t.Fatalf("a TTL without a template: err %v", err)
	}
	c, err := ParseConfig([]byte("backend:\n  connect_url: " + testTemplate + "\n  connect_state_ttl: 5m\n"))
	if err != nil || c.Backend.ConnectURL != testTemplate || c.Backend.ConnectStateTTL != 5*time.Minute {
		t.Fatalf("a good template: %+v, %v", c.Backend, err)
	}
}

func TestConnectTemplateExpandEscapes(t *testing.T) {
	tmpl := mustTemplate(t, testTemplate)
	got := tmpl.expand("a b&c=d/é?#", "github")
	want := "https://auth.example.com/connect?provider=github&user=a+b%26c%3Dd%2F%C3%A9%3F%23"
	if got != want {
		t.Fatalf("expand = %s\nwant     %s", got, want)
	}
	u, err := url.Parse(got)
	if err != nil || u.Query().Get("user") != "a b&c=d/é?#" || u.Query().Get("provider") != "github" || len(u.Query()) != 2 {
		t.Fatalf("the expansion does not decode to the values: %v %v", u.Query(), err)
	}
	// In the path, a value is one escaped segment.
	path := mustTemplate(t, "https://auth.example.com/connect/{providerId}/{userId}?via=mcp")
	got = path.expand("../admin?x=1", "github")
	if want := "https://auth.example.com/connect/github/..%2Fadmin%3Fx=1?via=mcp"; got != want {
		t.Fatalf("path expand = %s, want %s", got, want)
	}
	u, _ = url.Parse(got)
	if u.Path != "/connect/github/../admin?x=1" || u.RawQuery != "via=mcp" || u.Host != "auth.example.com" {
		t.Fatalf("path expansion decodes to path %q query %q host %q", u.Path, u.RawQuery, u.Host)
	}
}

func TestAcceptBackendURL(t *testing.T) {
	tmpl := mustTemplate(t, testTemplate)
	const userToken = "temp_token_abc456_secret"
	for _, c := range []struct {
		raw  string
		want error
	}{
		{"https://auth.example.com/other/path?state=xyz", nil},
		{"https://AUTH.example.com/x", nil},
		{"http://auth.example.com/x", errConnectNotHTTPS},
		{"javascript:alert(1)", errConnectNotHTTPS},
		{"https:auth.example.com", errConnectNotHTTPS},
		{"//auth.example.com/x", errConnectNotHTTPS},
		{"https://evil.example.com/x", errConnectOtherHost},
		{"https://auth.example.com.evil.com/x", errConnectOtherHost},
		{"https://auth.example.com:8443/x", errConnectOtherHost},
		{"https://auth.example.com@evil.com/x", errConnectUserinfo},
		{"https://u:p@auth.example.com/x", errConnectUserinfo},
		{"https://auth.example.com/x y", errConnectChars},
		{"https://auth.example.com/\u0007", errConnectChars},
		{"https://auth.example.com/\xff", errConnectChars},
		{"https://auth.example.com/" + strings.Repeat("a", maxConnectURL), errConnectTooLong},
		{"https://auth.example.com/c?t=" + userToken, errConnectSecret},
		{"https://auth.example.com/c?t=" + strings.ToUpper(userToken), errConnectSecret},
		{"https://auth.example.com/c?t=" + url.QueryEscape("x"+userToken), errConnectSecret},
		{"https://auth.example.com/c?t=" + strings.ReplaceAll(userToken, "_", "%5F"), errConnectSecret},
		{"https://auth.example.com/c?t=" + base64.StdEncoding.EncodeToString([]byte(userToken)), errConnectSecret},
		// An invalid escape before or after the escaped userToken (see
		// TestBackendConnectURLEscapedTokenWithBadEscape).
		{"https://auth.example.com/c?x=%&t=%74emp_token_abc456_secret%", errConnectSecret},
		{"https://auth.example.com/c/x?a=%G1&t=%2574emp_token_abc456_secret&y=%", errConnectSecret},
		// Escaped three, and eight, times.
		{"https://auth.example.com/c?t=" + escapeTimes("t", 3) + "emp_token_abc456_secret", errConnectSecret},
		{"https://auth.example.com/c?t=" + escapeTimes("t", maxUnescapeRounds) + "emp_token_abc456_secret", errConnectSecret},
		// Still changing after the bound: refused, it cannot be checked.
		{"https://auth.example.com/c?t=" + escapeTimes("t", maxUnescapeRounds+1) + "emp_token_abc456_secret", errConnectSecret},
		{"https://auth.example.com/c?t=" + escapeTimes("x", maxUnescapeRounds+1), errConnectSecret},
		// Escapes that settle, without the userToken, are fine.
		{"https://auth.example.com/c?x=%zz&t=%74emp_token_other&r=%252F", nil},
		{"https://auth.example.com/c?t=" + escapeTimes("x", maxUnescapeRounds), nil},
	} {
		got, err := tmpl.acceptBackendURL(c.raw, userToken)
		if err != c.want {
			t.Errorf("%q: err %v, want %v", c.raw, err, c.want)
			continue
		}
		if err == nil && got != c.raw {
			t.Errorf("%q: accepted as %q", c.raw, got)
		}
		if err != nil && (got != "" || strings.Contains(err.Error(), "example")) {
			t.Errorf("%q: refusal %q quotes the URL, or returned %q", c.raw, err, got)
		}
	}
}

// No expansion holds the userToken, whatever the userId: the connector
// offers no URL for a userId that spells it.
func TestConnectURLNeverHoldsUserToken(t *testing.T) {
	tmpl := mustTemplate(t, testTemplate)
	c := &connector{tmpl: tmpl, logger: discardLogger()}
	tok := "temp_token_abc456_secret"
	if got := c.url(t.Context(), credsFor("user_1", tok), ""); got != tmpl.expand("user_1", "github") || containsSecret(got, tok) {
		t.Fatalf("url = %q", got)
	}
	if got := c.url(t.Context(), credsFor("x"+tok, tok), ""); got != "" {
		t.Fatalf("a userId holding the userToken: url = %q, want none", got)
	}
	// A backend URL holding it is ignored for the template's.
	if got := c.url(t.Context(), credsFor("user_1", tok), "https://auth.example.com/c?t="+tok); got != tmpl.expand("user_1", "github") {
		t.Fatalf("a backend URL with the userToken: url = %q", got)
	}
	if got := c.url(t.Context(), credsFor("user_1", tok), "https://auth.example.com/c?via=backend"); got != "https://auth.example.com/c?via=backend" {
		t.Fatalf("a good backend URL: url = %q", got)
	}
}

// A userId that holds the caller's own userToken escaped, once or more,
// gets no connect URL: the expansion escapes it once more, and the check
// decodes the expansion to its fixed point.
func TestConnectURLUserIDEscapedToken(t *testing.T) {
	const tok = "temp_token_abc456_secret"
	for _, s := range []string{testTemplate, "https://auth.example.com/connect/{userId}"} {
		c := &connector{tmpl: mustTemplate(t, s), logger: discardLogger()}
		for n := 1; n <= maxUnescapeRounds+2; n++ {
			id := escapeTimes("t", n) + "emp_token_abc456_secret"
			if got := c.url(t.Context(), credsFor(id, tok), ""); got != "" {
				t.Errorf("%s: a userId holding the userToken escaped %d times: url = %q, want none", s, n, got)
			}
			id = "u%zz" + id // an invalid escape first
			if got := c.url(t.Context(), credsFor(id, tok), ""); got != "" {
				t.Errorf("%s: userId %q: url = %q, want none", s, id, got)
			}
		}
		// A userId with escapes but not the userToken keeps its URL.
		if got := c.url(t.Context(), credsFor("user%2541%zz", tok), ""); got == "" {
			t.Errorf("%s: an escaped userId without the userToken got no URL", s)
		}
	}
}

func TestUnescapeLenient(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"plain":         "plain",
		"%74emp":        "temp",
		"%zz%74":        "%zzt",
		"%":             "%",
		"a%7":           "a%7",
		"%%741":         "%t1",
		"%2574":         "%74",
		"a+b%2Bc":       "a+b+c",
		"%e2%82%ac%FF":  "\u20ac\xff",
		"%G0%0g%0G%g0%": "%G0%0g%0G%g0%",
	} {
		if got := unescapeLenient(in); got != want {
			t.Errorf("unescapeLenient(%q) = %q, want %q", in, got, want)
		}
	}
}

// escapeTimes percent-escapes every byte of s, then the result's "%", n-1
// more times: "t" 2 times is "%2574".
func escapeTimes(s string, n int) string {
	if n == 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	s = b.String()
	for range n - 1 {
		s = strings.ReplaceAll(s, "%", "%25")
	}
	return s
}

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func testSigner(t *testing.T) (*stateSigner, *fakeClock) {
	t.Helper()
	s, err := newStateSigner("", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	s.now = clock.now
	return s, clock
}

func TestRequestStateBinds(t *testing.T) {
	s, _ := testSigner(t)
	args := map[string]any{"owner": "octocat", "n": 3.0}
	state := s.issue("user_1", "list_github_repos", args, "connect-1", 403)
	st, err := s.verify(state, "user_1", "list_github_repos", map[string]any{"n": 3.0, "owner": "octocat"})
	if err != nil || st.ElicitationID != "connect-1" || st.Status != 403 {
		t.Fatalf("a good state: %+v, %v", st, err)
	}
	for _, c := range []struct {
		name, user, tool string
		args             map[string]any
		want             error
	}{
		{"other user", "user_2", "list_github_repos", args, errStateUser},
		{"other tool", "user_1", "get_github_user", args, errStateTool},
		{"other args", "user_1", "list_github_repos", map[string]any{"owner": "octocat", "n": 4.0}, errStateArgs},
		{"no args", "user_1", "list_github_repos", nil, errStateArgs},
	} {
		if _, err := s.verify(state, c.user, c.tool, c.args); err != c.want {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
	// No arguments and {} are the same call.
	empty := s.issue("user_1", "get_github_user", nil, "connect-2", 404)
	if _, err := s.verify(empty, "user_1", "get_github_user", map[string]any{}); err != nil {
		t.Errorf("nil vs {} args: %v", err)
	}
	// Nothing secret: the payload is readable and holds only what it binds.
	payload, _, _ := strings.Cut(state, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || !strings.Contains(string(raw), `"u":"user_1"`) || !strings.Contains(string(raw), `"t":"list_github_repos"`) {
		t.Fatalf("payload %s, %v", raw, err)
	}
}

func TestRequestStateTTL(t *testing.T) {
	s, clock := testSigner(t)
	state := s.issue("user_1", "get_github_user", nil, "connect-1", 403)
	clock.t = clock.t.Add(10*time.Minute - time.Second)
	if _, err := s.verify(state, "user_1", "get_github_user", nil); err != nil {
		t.Fatalf("within the TTL: %v", err)
	}
	clock.t = clock.t.Add(time.Second)
	if _, err := s.verify(state, "user_1", "get_github_user", nil); err != errStateExpired {
		t.Fatalf("at the TTL: err %v, want expired", err)
	}
	if !strings.Contains(errStateExpired.Error(), "call the tool again") {
		t.Errorf("the expiry error does not say what to do: %v", errStateExpired)
	}
}

func TestRequestStateTamperingRefused(t *testing.T) {
	s, _ := testSigner(t)
	state := s.issue("user_1", "get_github_user", nil, "connect-1", 403)
	payload, mac, _ := strings.Cut(state, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)

	// Another user's id written into the payload, the MAC kept.
	forged := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "user_1", "user_2", 1))) + "." + mac
	// An expiry moved forward.
	later := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), `"exp":18`, `"exp":28`, 1))) + "." + mac
	// The same payload signed by another replica's key.
	other, _ := testSigner(t)
	otherKey := other.issue("user_1", "get_github_user", nil, "connect-1", 403)

	for name, c := range map[string]struct {
		state string
		want  error
	}{
		"payload changed":       {forged, errStateForged},
		"expiry changed":        {later, errStateForged},
		"other key":             {otherKey, errStateForged},
		"mac flipped":           {payload + "." + flip(mac), errStateForged},
		"no mac":                {payload, errStateMalformed},
		"mac not base64":        {payload + ".!!", errStateMalformed},
		"empty mac":             {payload + ".", errStateForged},
		"too long":              {strings.Repeat("a", maxRequestState+1), errStateMalformed},
		"payload not base64 ok": {"!!." + mac, errStateForged},
	} {
		if _, err := s.verify(c.state, "user_2", "get_github_user", nil); err != c.want {
			t.Errorf("%s: err %v, want %v", name, err, c.want)
		}
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

func TestStateKeyFile(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("too-short\n"), 0o600)
	if _, err := newStateSigner(short, 0); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("a short key: %v", err)
	}
	if _, err := newStateSigner(filepath.Join(dir, "missing"), 0); err == nil || !strings.Contains(err.Error(), "backend.connect_state_key_file") {
		t.Fatalf("a missing key file: %v", err)
	}
	// Two replicas with the same key file accept each other's states.
	shared := filepath.Join(dir, "key")
	os.WriteFile(shared, []byte(strings.Repeat("k", 64)+"\n"), 0o600)
	a, err := newStateSigner(shared, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newStateSigner(shared, 0)
	if a.ttl != DefaultConnectStateTTL {
		t.Errorf("ttl %v, want the default", a.ttl)
	}
	if _, err := b.verify(a.issue("u", "tool", nil, "e", 403), "u", "tool", nil); err != nil {
		t.Fatalf("replica b refused replica a's state: %v", err)
	}
}
