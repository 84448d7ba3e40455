package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// benchFakes are the loopback services of "host bench": a token backend and
// the GitHub, Reddit and Google APIs (bench_fakes_providers.go). Each call's
// userToken carries a sequence number, so the backend charges its time to
// the call it served. The access token it grants is the user's own for the
// provider, the same on every exchange, as a backend that hands out a
// connector's stored token does (the host reuses a user's instances only
// under the same token): the APIs charge their time and the bytes they sent
// to the token, and the client takes them when the call returns. Calls of
// one user are never in flight together at the bench's concurrencies (call
// i is made by user i mod users), so nothing is misattributed. Each API
// checks that the token it got is for its provider, and counts the requests
// that carried it.
type benchFakes struct {
	backend, github, reddit, google *httptest.Server

	mu       sync.Mutex
	spent    map[string]benchSpent // by call ("seq:N") or token
	mismatch int                   // requests whose token was not for that API
	requests map[string]int64      // by provider: requests with its token
}

// benchSpent is what the fakes spent on a call: time inside their handlers,
// and the bytes of the APIs' answers.
type benchSpent struct {
	d     time.Duration
	bytes int64
}

func newBenchFakes() *benchFakes {
	f := &benchFakes{spent: map[string]benchSpent{}, requests: map[string]int64{}}
	f.backend = httptest.NewServer(http.HandlerFunc(f.serveBackend))
	f.github = httptest.NewServer(f.api("github", githubRoutes))
	f.reddit = httptest.NewServer(f.api("reddit", redditRoutes))
	f.google = httptest.NewServer(f.api("google", googleRoutes))
	return f
}

func (f *benchFakes) close() {
	f.backend.Close()
	f.github.Close()
	f.reddit.Close()
	f.google.Close()
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
	f.charge("seq:"+strconv.FormatInt(seq, 10), time.Since(start), 0)
}

// api serves one provider's API: answer writes the answer to r for user (the
// user of the request's token) and reports whether r's path is known.
func (f *benchFakes) api(provider string, answer func(w http.ResponseWriter, r *http.Request, user string) bool) http.HandlerFunc {
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
		f.mu.Lock()
		f.requests[provider]++
		f.mu.Unlock()
		cw := &countingWriter{ResponseWriter: w}
		cw.Header().Set("Content-Type", "application/json; charset=utf-8")
		if !answer(cw, r, parts[2]) {
			http.Error(cw, `{"message":"Not Found"}`, http.StatusNotFound)
		}
		f.charge(tok, time.Since(start), cw.n)
	}
}

// countingWriter counts the bytes of a body.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

func (f *benchFakes) charge(key string, d time.Duration, bytes int64) {
	f.mu.Lock()
	s := f.spent[key]
	f.spent[key] = benchSpent{s.d + d, s.bytes + bytes}
	f.mu.Unlock()
}

// take returns and forgets what the fakes spent on call seq of user on
// provider: the backend's time, and the API's time and bytes under the
// user's token.
func (f *benchFakes) take(seq int64, provider, user string) benchSpent {
	f.mu.Lock()
	defer f.mu.Unlock()
	call, tok := "seq:"+strconv.FormatInt(seq, 10), "at."+provider+"."+user
	s := benchSpent{f.spent[call].d + f.spent[tok].d, f.spent[tok].bytes}
	delete(f.spent, call)
	delete(f.spent, tok)
	return s
}

func (f *benchFakes) mismatches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mismatch
}

// requestCounts returns the requests each API got with its provider's
// token.
func (f *benchFakes) requestCounts() map[string]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.requests)
}

// loopbackRTT times plain HTTP round trips to the fakes from a keep-alive
// client: the floor of the two round trips every call makes.
// Its requests are not counted as the API's.
func loopbackRTT(f *benchFakes) loopbackReport {
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	before := f.requestCounts()["github"]
	defer func() {
		f.mu.Lock()
		f.requests["github"] = before
		f.mu.Unlock()
	}()
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
			if resp.StatusCode != http.StatusOK {
				return benchDist{} // not the round trip of a call
			}
			ds = append(ds, time.Since(start))
		}
		f.take(-1, "github", "rtt")
		return benchSummary(ds)
	}
	api := timeIt(func() (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodGet, f.github.URL+"/user", nil)
		req.Header.Set("Authorization", "Bearer at.github.rtt")
		req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		return client.Do(req)
	})
	exchange := timeIt(func() (*http.Response, error) {
		return client.Post(f.backend.URL+"/api/connectors/requestAuth", "application/json",
			strings.NewReader(`{"userId":"rtt","userToken":"ut.rtt.-1","providerId":"github"}`))
	})
	return loopbackReport{API: api, Exchange: exchange}
}
