package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/internal/payloads"
)

const mockGoogle = "ya29.mockGoogleToken123456789"

// The Reddit and Google tools through the binary, against fakes that answer
// with the providers' full shapes and sizes (internal/payloads).

// fakeRedditAPI answers like oauth.reddit.com for the posts, comments and
// search tools.
func fakeRedditAPI(t *testing.T) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Header().Set("X-Ratelimit-Remaining", "99.0")
		switch r.URL.Path {
		case "/r/golang/hot", "/r/golang/top":
			w.Write(payloads.RedditSubredditHot)
		case "/comments/1hgsr30":
			w.Write(payloads.RedditPostComments)
		case "/search", "/r/golang/search":
			w.Write(payloads.RedditSearch)
		case "/r/busy/hot":
			w.Header().Set("X-Ratelimit-Remaining", "0.0")
			w.Header().Set("X-Ratelimit-Reset", "37")
			writeJSON(w, 429, map[string]any{"message": "Too Many Requests", "error": 429})
		default:
			writeJSON(w, 404, map[string]any{"message": "Not Found", "error": 404})
		}
	})
}

func googleNotFound(w http.ResponseWriter) {
	writeJSON(w, 404, map[string]any{"error": map[string]any{"code": 404, "message": "Requested entity was not found.",
		"errors": []any{map[string]any{"message": "Requested entity was not found.", "domain": "global", "reason": "notFound"}}, "status": "NOT_FOUND"}})
}

// fakeGmail answers like gmail.googleapis.com.
func fakeGmailAPI(t *testing.T) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		id, isMessage := strings.CutPrefix(r.URL.Path, "/gmail/v1/users/me/messages/")
		switch {
		case r.URL.Path == "/gmail/v1/users/me/messages":
			w.Write(payloads.GoogleGmailList)
		case isMessage && r.URL.Query().Get("format") == "metadata" && payloads.GoogleGmailMetadata(id) != nil:
			w.Write(payloads.GoogleGmailMetadata(id))
		case isMessage && r.URL.Query().Get("format") == "full" && id == "19adf0c4e2b7a931":
			w.Write(payloads.GoogleGmailMessage)
		default:
			googleNotFound(w)
		}
	})
}

// fakeCalendarAPI answers like www.googleapis.com/calendar/v3; a calendar
// named noscope@example.com answers as Google does a token without the
// calendar scope.
func fakeCalendarAPI(t *testing.T) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		switch r.URL.Path {
		case "/calendar/v3/calendars/primary/events":
			w.Write(payloads.GoogleCalendarEvents)
		case "/calendar/v3/calendars/noscope@example.com/events":
			w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/calendar.readonly https://www.googleapis.com/auth/calendar"`)
			writeJSON(w, 403, map[string]any{"error": map[string]any{"code": 403, "message": "Request had insufficient authentication scopes.",
				"errors": []any{map[string]any{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}}, "status": "PERMISSION_DENIED"}})
		default:
			googleNotFound(w)
		}
	})
}

const e2eDocID = "1aBcD3fGhIjKlMnOpQrStUvWxYz0123456789-_AbCd"

// fakeDriveAPI answers like www.googleapis.com/drive/v3.
func fakeDriveAPI(t *testing.T) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/drive/v3/files":
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.Write(payloads.GoogleDriveFiles)
		case "/drive/v3/files/" + e2eDocID:
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.Write(payloads.GoogleDriveFile)
		case "/drive/v3/files/" + e2eDocID + "/export":
			w.Header().Set("Content-Type", "text/plain")
			w.Write(payloads.GoogleDocsExport)
		default:
			googleNotFound(w)
		}
	})
}

// rgFakes are the fakes of one test, by name.
type rgFakes struct {
	reddit, gmail, calendar, drive *fake
}

func newRGFakes(t *testing.T) rgFakes {
	if _, err := os.Stat(filepath.Join(pluginsDir, "google.wasm")); err != nil {
		t.Fatalf("%s is missing: run `make build` first", filepath.Join(pluginsDir, "google.wasm"))
	}
	return rgFakes{fakeRedditAPI(t), fakeGmailAPI(t), fakeCalendarAPI(t), fakeDriveAPI(t)}
}

// yaml maps the plugins' declared bases onto the fakes. (writeConfig's
// upstreams know only the github and reddit plugins.)
func (f rgFakes) yaml() string {
	return fmt.Sprintf(`plugins:
  reddit:
    upstreams:
      "https://oauth.reddit.com": %q
  google:
    upstreams:
      "https://gmail.googleapis.com/gmail/v1": %q
      "https://www.googleapis.com/calendar/v3": %q
      "https://www.googleapis.com/drive/v3": %q
`, f.reddit.URL, f.gmail.URL+"/gmail/v1", f.calendar.URL+"/calendar/v3", f.drive.URL+"/drive/v3")
}

func (f rgFakes) all() map[string]*fake {
	return map[string]*fake{"reddit": f.reddit, "gmail": f.gmail, "calendar": f.calendar, "drive": f.drive}
}

// TestRedditAndGoogleToolsEndToEnd: every Reddit and Google tool answers
// through the binary with what its fake sent, each fake gets exactly the
// requests of its tools, each carrying its provider's token (the Google
// token reaches only the Google fakes, the Reddit token only Reddit's), and
// no token appears in a result or the logs.
func TestRedditAndGoogleToolsEndToEnd(t *testing.T) {
	type toolCase struct {
		tool, provider, fake string
		args                 map[string]any
		requests             int    // the fake gets
		path                 string // of its first request
		check                func(t *testing.T, s map[string]any)
	}
	count := func(key string, n int) func(*testing.T, map[string]any) {
		return func(t *testing.T, s map[string]any) {
			if l, _ := s[key].([]any); len(l) != n {
				t.Errorf("%s holds %d items, want %d", key, len(l), n)
			}
		}
	}
	cases := []toolCase{
		{"list_subreddit_posts", "reddit", "reddit", map[string]any{"subreddit": "golang", "sort": "top", "t": "week", "limit": 25}, 1, "/r/golang/top",
			func(t *testing.T, s map[string]any) {
				count("posts", 25)(t, s)
				if s["next"] == nil || !strings.HasPrefix(s["next"].(string), "t3_") {
					t.Errorf("next = %v", s["next"])
				}
			}},
		{"get_reddit_post", "reddit", "reddit", map[string]any{"post_id": "t3_1hgsr30", "depth": 8, "limit": 500}, 1, "/comments/1hgsr30",
			func(t *testing.T, s map[string]any) {
				count("comments", 249)(t, s)
				if p, _ := s["post"].(map[string]any); p["id"] != "1hgsr30" {
					t.Errorf("post = %v", s["post"])
				}
			}},
		{"search_reddit", "reddit", "reddit", map[string]any{"q": "wasm plugin", "subreddit": "golang"}, 1, "/r/golang/search", count("posts", 25)},
		{"search_gmail_messages", "google", "gmail", map[string]any{"q": "from:ada newer_than:7d", "max_results": 10}, 11, "/gmail/v1/users/me/messages",
			func(t *testing.T, s map[string]any) {
				count("messages", 10)(t, s)
				if s["next"] != "09876543210987654321" {
					t.Errorf("next = %v", s["next"])
				}
			}},
		{"get_gmail_message", "google", "gmail", map[string]any{"id": "19adf0c4e2b7a931"}, 1, "/gmail/v1/users/me/messages/19adf0c4e2b7a931",
			func(t *testing.T, s map[string]any) {
				if b, _ := s["body"].(string); !strings.HasPrefix(b, "Hi Alex,") || s["body_mime_type"] != "text/plain" {
					t.Errorf("body = %.80q (%v)", s["body"], s["body_mime_type"])
				}
				count("attachments", 2)(t, s)
			}},
		{"list_calendar_events", "google", "calendar", map[string]any{"time_min": "2025-12-01T00:00:00-08:00", "time_max": "2025-12-31T00:00:00-08:00", "max_results": 50}, 1,
			"/calendar/v3/calendars/primary/events", count("items", 50)},
		{"search_drive_files", "google", "drive", map[string]any{"q": "trashed = false", "page_size": 25}, 1, "/drive/v3/files", count("files", 25)},
		{"get_drive_file", "google", "drive", map[string]any{"file_id": e2eDocID}, 2, "/drive/v3/files/" + e2eDocID,
			func(t *testing.T, s map[string]any) {
				if c, _ := s["content"].(string); !strings.HasPrefix(c, "Q3 planning design doc") || s["content_mime_type"] != "text/plain" {
					t.Errorf("content = %.80q (%v)", s["content"], s["content_mime_type"])
				}
			}},
	}
	for _, mode := range []string{"mock", "backend"} {
		t.Run(mode, func(t *testing.T) {
			f := newRGFakes(t)
			o := hostOpts{extraYAML: f.yaml()}
			var be *backend
			if mode == "mock" {
				o.mock = true
			} else {
				be = defaultBackend(t)
				o.backendURL = be.URL
			}
			r := startHost(t, o)
			sent := map[string]int{} // requests each fake should have got
			for _, c := range cases {
				api := f.all()[c.fake]
				before := len(api.requests())
				res := r.call(t, c.tool, c.args, meta("alice", "temp-alice-token-01", c.provider))
				if res.IsError {
					t.Fatalf("%s: tool error: %s", c.tool, text(res))
				}
				sent[c.fake] += c.requests
				reqs := api.requests()[before:]
				if len(reqs) == 0 {
					t.Fatalf("%s: the %s fake got no request", c.tool, c.fake)
				}
				if len(reqs) != c.requests || reqs[0].Method != "GET" || reqs[0].Path != c.path {
					t.Fatalf("%s: the %s fake got %d requests (%+v), want %d, the first GET %s", c.tool, c.fake, len(reqs), reqs, c.requests, c.path)
				}
				if ua := reqs[0].UserAgent; !strings.HasPrefix(ua, "wasmcp-"+c.provider+"-plugin/") {
					t.Errorf("%s: User-Agent %q", c.tool, ua)
				}
				s := structured(t, res)
				c.check(t, s)
				all := resultJSON(t, res)
				for _, secret := range []string{mockGoogle, mockReddit, "temp-alice-token-01", "_s3cr3t"} {
					if strings.Contains(all, secret) {
						t.Errorf("%s: the result holds a secret", c.tool)
					}
				}
			}
			wantToken := map[string]string{"reddit": mockReddit, "gmail": mockGoogle, "calendar": mockGoogle, "drive": mockGoogle}
			if mode == "backend" {
				g := tokenFor("alice", "google")
				wantToken = map[string]string{"reddit": tokenFor("alice", "reddit"), "gmail": g, "calendar": g, "drive": g}
			}
			for name, api := range f.all() {
				reqs := api.requests()
				if len(reqs) != sent[name] {
					t.Errorf("the %s fake got %d requests, want %d", name, len(reqs), sent[name])
				}
				for _, q := range reqs {
					if q.Auth != "Bearer "+wantToken[name] {
						t.Errorf("the %s fake got Authorization %q on %s, want Bearer %s", name, q.Auth, q.Path, wantToken[name])
					}
				}
			}
			if be != nil {
				var providers []string
				for _, q := range be.requests() {
					for _, p := range []string{"reddit", "google"} {
						if strings.Contains(q.Body, `"providerId":"`+p+`"`) {
							providers = append(providers, p)
						}
					}
				}
				if len(providers) != len(cases) {
					t.Errorf("the backend got exchanges for %v, want one per call (%d)", providers, len(cases))
				}
			}
			logs := r.stderr.String()
			for _, secret := range []string{mockGoogle, mockReddit, "temp-alice-token-01", "_s3cr3t"} {
				if strings.Contains(logs, secret) {
					t.Errorf("a secret appears in the logs")
				}
			}
		})
	}
}

// TestRedditAndGoogleErrorsEndToEnd: the provider's error reaches the model
// through the binary in words: what was not found, the scope a token lacks
// (from Google's WWW-Authenticate header), and when to retry (Reddit's
// X-Ratelimit-Reset).
func TestRedditAndGoogleErrorsEndToEnd(t *testing.T) {
	f := newRGFakes(t)
	r := startHost(t, hostOpts{mock: true, extraYAML: f.yaml()})
	for _, c := range []struct {
		tool, provider string
		args           map[string]any
		want           []string
	}{
		{"get_gmail_message", "google", map[string]any{"id": "0000000000000000"},
			[]string{`Gmail message "0000000000000000" was not found: Google API returned 404 Not Found`}},
		{"list_calendar_events", "google", map[string]any{"calendar_id": "noscope@example.com", "time_min": "2025-12-01T00:00:00Z"},
			[]string{"403 Forbidden", "The token lacks the OAuth scope this tool needs: https://www.googleapis.com/auth/calendar.readonly",
				"Google accepts any of: https://www.googleapis.com/auth/calendar.readonly https://www.googleapis.com/auth/calendar"}},
		{"list_subreddit_posts", "reddit", map[string]any{"subreddit": "busy"},
			[]string{"429 Too Many Requests", "the limit resets in 37 seconds"}},
		{"get_reddit_post", "reddit", map[string]any{"post_id": "zzzzzz"},
			[]string{"post zzzzzz was not found: Reddit API returned 404 Not Found"}},
	} {
		res := r.call(t, c.tool, c.args, meta("bob", "temp-bob-token-0001", c.provider))
		if !res.IsError {
			t.Errorf("%s: not a tool error: %s", c.tool, text(res))
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(text(res), w) {
				t.Errorf("%s: %q lacks %q", c.tool, text(res), w)
			}
		}
	}
}

// googleTools are the tools of the google plugin, sorted.
var googleTools = []string{"get_drive_file", "get_gmail_message", "list_calendar_events", "search_drive_files", "search_gmail_messages"}
