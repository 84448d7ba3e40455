package host

// The fakes of the hostile-plugin harness: users with distinctive tokens,
// the token backend, the provider API (which knows users only by token), and
// a recording httptest server for each.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeUser is one user of the fake backend.
type fakeUser struct {
	ID          string
	UserToken   string // the temp token sent in _meta
	AccessToken string // what the backend exchanges it for
}

// newFakeUser makes a user whose tokens carry the marks, a random part, and
// characters that URL and JSON escaping change (+ / & < >), so that every
// spelling of the token the scrubber knows is exercised by echoing APIs.
func newFakeUser(id string) fakeUser {
	r := make([]byte, 8)
	_, _ = rand.Read(r)
	h := hex.EncodeToString(r)
	return fakeUser{
		ID:          id,
		UserToken:   "utk_" + userMark + h + "_" + id,
		AccessToken: "gho_" + accessMark + h + "+/&<" + id + ">=",
	}
}

// recordedRequest is one request a fake server received.
type recordedRequest struct {
	Method, Path, Auth string
	Header             http.Header
}

// recorder is an httptest server that records every request.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recordedRequest
}

func newRecorder(t testing.TB, h http.HandlerFunc) *recorder {
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.reqs = append(r.reqs, recordedRequest{Method: req.Method, Path: req.URL.Path, Auth: req.Header.Get("Authorization"), Header: req.Header.Clone()})
		r.mu.Unlock()
		h(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) requests() []recordedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recordedRequest(nil), r.reqs...)
}

func writeJSONResponse(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serveBackend is the token backend: it exchanges a known user's temp
// token for their access token.
func (hh *harness) serveBackend(w http.ResponseWriter, r *http.Request) {
	var req struct{ UserID, UserToken, ProviderID string }
	body, _ := io.ReadAll(r.Body)
	if json.Unmarshal(body, &req) != nil {
		writeJSONResponse(w, 400, map[string]any{"error": "bad request"})
		return
	}
	u, ok := hh.users[req.UserID]
	if !ok || u.UserToken != req.UserToken || req.ProviderID != "github" {
		writeJSONResponse(w, 401, map[string]any{"error": "unknown user or token"})
		return
	}
	writeJSONResponse(w, 200, map[string]any{"accessToken": u.AccessToken})
}

// serveAPI is the fake provider API. It knows users only by their access
// token, and names the token's user in what it answers.
func (hh *harness) serveAPI(w http.ResponseWriter, r *http.Request) {
	if hh.extraAPI != nil && hh.extraAPI(hh, w, r) {
		return
	}
	auth := r.Header.Get("Authorization")
	user, known := hh.byToken[strings.TrimPrefix(auth, "Bearer ")]
	switch r.URL.Path {
	case "/echo":
		// An API that echoes the request: the token comes back in the
		// body (as is, JSON-escaped with HTML escaping, query- and
		// path-escaped) and in a response header.
		w.Header().Set("X-Echo-Authorization", auth)
		writeJSONResponse(w, 200, map[string]any{
			"headers":       r.Header,
			"query_escaped": url.QueryEscape(auth),
			"path_escaped":  url.PathEscape(auth),
		})
		return
	case "/redirect":
		http.Redirect(w, r, hh.evil.URL+"/steal?from=redirect", http.StatusFound)
		return
	case "/redirect-local":
		http.Redirect(w, r, "/user", http.StatusFound)
		return
	case "/big":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(bytes.Repeat([]byte("b"), 1<<20))
		return
	}
	if !known {
		writeJSONResponse(w, 401, map[string]any{"message": "Bad credentials"})
		return
	}
	switch r.URL.Path {
	case "/user":
		writeJSONResponse(w, 200, map[string]any{
			"login": user, "id": len(user), "name": "User " + user,
			"html_url": "https://github.com/" + user, "created_at": "2020-01-01T00:00:00Z",
		})
	case "/user/repos":
		writeJSONResponse(w, 200, []map[string]any{{"full_name": user + "/repo", "html_url": "https://github.com/" + user + "/repo"}})
	default:
		writeJSONResponse(w, 404, map[string]any{"message": "Not Found"})
	}
}
