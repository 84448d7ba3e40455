package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wasmcp/wasmcp/internal/payloads"
)

// benchFakes are the loopback services of "host bench": a token backend and
// the GitHub and Reddit APIs. Each call's userToken carries a sequence
// number, so the backend charges its time to the call it served. The access
// token it grants is the user's own for the provider, the same on every
// exchange, as a backend that hands out a connector's stored token does (the
// host reuses a user's instances only under the same token): the APIs charge
// their time to the token, and the client takes it when the call returns.
// Calls of one user are never in flight together at the bench's
// concurrencies (call i is made by user i mod users), so nothing is
// misattributed. Each API checks that the token it got is for its provider.
type benchFakes struct {
	backend, github, reddit *httptest.Server

	mu       sync.Mutex
	spent    map[string]time.Duration // by call ("seq:N") or token: time inside handlers
	mismatch int                      // requests whose token was not for that API
}

func newBenchFakes() *benchFakes {
	f := &benchFakes{spent: map[string]time.Duration{}}
	f.backend = httptest.NewServer(http.HandlerFunc(f.serveBackend))
	f.github = httptest.NewServer(f.api("github", func(w http.ResponseWriter, path, user string) bool {
		switch path {
		// GitHub's real answers, in their full shapes and sizes (1.3 KB and
		// 155 KB), naming the caller.
		case "/user":
			w.Write(payloads.As(payloads.GitHubUser, user))
		case "/user/repos":
			w.Write(payloads.As(payloads.GitHubUserRepos, user))
		default:
			return false
		}
		return true
	}))
	f.reddit = httptest.NewServer(f.api("reddit", func(w http.ResponseWriter, path, user string) bool {
		switch path {
		case "/api/v1/me":
			fmt.Fprintf(w, `{"name":%q,"id":"abc","link_karma":5,"comment_karma":7,"total_karma":12,"created_utc":1118030400.0}`, user)
		case "/subreddits/mine/subscriber":
			fmt.Fprintf(w, `{"kind":"Listing","data":{"after":null,"children":[{"kind":"t5","data":{"display_name":"golang","title":"Go, as %s reads it","subscribers":250000,"url":"/r/golang/"}}]}}`, user)
		default:
			return false
		}
		return true
	}))
	return f
}

func (f *benchFakes) close() {
	f.backend.Close()
	f.github.Close()
	f.reddit.Close()
}

// benchToken is the temporary userToken of call seq of user, padded to the
// length of a real one (the host refuses shorter ones); the backend grants
// the access token "at.<provider>.<user>" for it.
func benchToken(user string, seq int64) string {
	return fmt.Sprintf("ut.%s.%08d", user, seq)
}

func (f *benchFakes) serveBackend(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var body struct{ UserID, UserToken, ProviderID string }
	if r.Method != http.MethodPost || r.URL.Path != "/api/connectors/requestAuth" ||
		json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	rest, ok := strings.CutPrefix(body.UserToken, "ut."+body.UserID+".")
	seq, err := strconv.ParseInt(rest, 10, 64)
	if !ok || err != nil {
		http.Error(w, `{"error":"invalid token"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"accessToken":"at.%s.%s"}`, body.ProviderID, body.UserID)
	f.charge("seq:"+strconv.FormatInt(seq, 10), time.Since(start))
}

// api serves one provider's API: answer writes the body of path for user
// and reports whether path is known.
func (f *benchFakes) api(provider string, answer func(w http.ResponseWriter, path, user string) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		parts := strings.Split(tok, ".")
		if len(parts) != 3 || parts[0] != "at" || parts[1] != provider {
			f.mu.Lock()
			f.mismatch++
			f.mu.Unlock()
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !answer(w, r.URL.Path, parts[2]) {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		}
		f.charge(tok, time.Since(start))
	}
}

func (f *benchFakes) charge(key string, d time.Duration) {
	f.mu.Lock()
	f.spent[key] += d
	f.mu.Unlock()
}

// take returns and forgets the handler time of call seq of user on
// provider: the backend's, and the API's under the user's token.
func (f *benchFakes) take(seq int64, provider, user string) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	call, tok := "seq:"+strconv.FormatInt(seq, 10), "at."+provider+"."+user
	d := f.spent[call] + f.spent[tok]
	delete(f.spent, call)
	delete(f.spent, tok)
	return d
}

func (f *benchFakes) mismatches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mismatch
}

// loopbackRTT times plain HTTP round trips to the fakes from a keep-alive
// client: the floor of the two round trips every call makes.
func loopbackRTT(f *benchFakes) loopbackReport {
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	timeIt := func(do func() (*http.Response, error)) benchDist {
		var ds []time.Duration
		for range 200 {
			start := time.Now()
			resp, err := do()
			if err != nil {
				return benchDist{}
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			ds = append(ds, time.Since(start))
		}
		f.take(-1, "github", "rtt")
		return benchSummary(ds)
	}
	api := timeIt(func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, f.github.URL+"/user", nil)
		req.Header.Set("Authorization", "Bearer at.github.rtt")
		return client.Do(req)
	})
	exchange := timeIt(func() (*http.Response, error) {
		return client.Post(f.backend.URL+"/api/connectors/requestAuth", "application/json",
			strings.NewReader(`{"userId":"rtt","userToken":"ut.rtt.-1","providerId":"github"}`))
	})
	return loopbackReport{API: api, Exchange: exchange}
}
