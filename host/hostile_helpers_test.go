package host

// The harness of the hostile-plugin tests: a Host loaded with test guests
// (testdata/guests, built into dist/testguests by make) and the real github
// plugin, a fake token backend that hands each user a distinctive token, a
// fake provider API, an "evil" server no request may ever reach, a debug log
// captured in memory, and a scan of every instance's memory after its call.
// Calls go through the mcp-go server in process, as JSON-RPC messages.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	extism "github.com/extism/go-sdk"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/hostfuncs"
)

// Every access token the fake backend hands out contains accessMark, and
// every user (temp) token contains userMark. Neither may appear in a result,
// a log line or a guest's memory, in any spelling that keeps the mark
// (as is, URL- or JSON-escaped, partly redacted, ...).
const (
	accessMark = "ACCESSx7Qm"
	userMark   = "USERTOKx3Vd"
)

// secretMarks are the strings a leak scan looks for.
var secretMarks = []string{accessMark, userMark}

// wasmFile returns the absolute path of a build output of the repository
// (repo root = .. from host/), failing the test with what to run when it is
// missing.
func wasmFile(t testing.TB, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `make build` and `make test` first (make test builds every testdata/guests/NAME into dist/testguests/NAME.wasm)", rel)
	}
	return p
}

// guestFile is the .wasm of the test guest testdata/guests/name.
func guestFile(t testing.TB, name string) string {
	return wasmFile(t, "dist/testguests/"+name+".wasm")
}

// sharedCacheDir is a wazero compilation cache kept between test runs (its
// entries are keyed by module digest and wazero version), so that only the
// first run pays for compiling every guest: ~10 s each under -race.
func sharedCacheDir() string {
	return filepath.Join(os.TempDir(), "wasmcp-host-test-wazero-cache")
}

var precompileOnce sync.Once

// precompile fills the shared cache with every test guest and the github
// plugin, compiling on all cores at once, so that a first run (empty cache)
// does not compile them one by one as tests load them. Files that are
// missing are left for the test that needs them to report. A module the
// cache already holds, by its stamp, is skipped: even from the cache,
// decoding and validating every guest costs a run ~6 s and ~900 MB of RSS
// under -race, for modules most tests never load.
func precompile() {
	precompileOnce.Do(func() {
		files, _ := filepath.Glob(filepath.Join("..", "dist", "testguests", "*.wasm"))
		files = append(files, filepath.Join("..", "dist", "plugins", "github.wasm"))
		l := newLoader(Config{CacheDir: sharedCacheDir()}, append(hostfuncs.New(hostfuncs.Options{}).HostFunctions(), meterFunctions()...), slog.New(slog.DiscardHandler))
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		var wg sync.WaitGroup
		for _, f := range files {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				data, err := readPluginFile(f)
				if err != nil {
					return
				}
				sum := sha256.Sum256(data)
				mr, err := l.metered(data, hex.EncodeToString(sum[:]))
				if err != nil {
					return
				}
				stamp := precompiledStamp(mr.Code, mr.Metered, defaultLimits.MemoryMiB)
				if _, err := os.Stat(stamp); err == nil {
					return
				}
				if c, err := l.compile(context.Background(), mr.Code, mr.Metered, defaultLimits.MemoryMiB); err == nil {
					_ = c.Close(context.Background())
					writeCacheFile(stamp, nil)
				}
			}()
		}
		wg.Wait()
	})
}

// precompiledStamp is the file that says the shared cache holds the
// compiled code of a module: named by the module's digest, the settings it
// was compiled with, and the digest of go.sum, whose versions of wazero and
// go-sdk make the code. It lives in the cache, and goes when the cache does.
func precompiledStamp(code []byte, metered bool, memoryMiB int) string {
	sum := sha256.Sum256(code)
	deps := "nogosum"
	if gosum, err := os.ReadFile(filepath.Join("..", "go.sum")); err == nil {
		d := sha256.Sum256(gosum)
		deps = hex.EncodeToString(d[:8])
	}
	return filepath.Join(sharedCacheDir(), "precompiled",
		fmt.Sprintf("%s-metered=%t-mib=%d-deps=%s", hex.EncodeToString(sum[:]), metered, memoryMiB, deps))
}

// syncBuffer is a bytes.Buffer safe for concurrent writers, that says when
// it is written to.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed by the next Write; made by next
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		close(s.written)
		s.written = nil
	}
	return s.b.Write(p)
}

// next returns what was written so far, and a channel closed by the next
// Write.
func (s *syncBuffer) next() (string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written == nil {
		s.written = make(chan struct{})
	}
	return s.b.String(), s.written
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harnessOptions configure newHarness.
type harnessOptions struct {
	// guests are the test guests to load, by directory name.
	guests []string
	// limits are per-plugin limits, by plugin name.
	limits map[string]Limits
	// global are the limits of every plugin (Timeout defaults to 10s here).
	global Limits
	// pool tunes the pools (Warm defaults to -1, none, here).
	pool PoolConfig
	// users is how many users the backend knows (default 2: alice, bob).
	users int
	// noGitHub leaves the real github plugin out.
	noGitHub bool
	// newUser makes each user and their tokens (default newFakeUser).
	newUser func(id string) fakeUser
	// api, when set, serves the fake API's requests first: it answers those
	// it knows, reporting true, and leaves the rest to serveAPI.
	api func(hh *harness, w http.ResponseWriter, r *http.Request) bool
	// keepMemories keeps a copy of each call's memories, for scanLast and
	// lastMemories. Off by default: under -race, copying every memory after
	// every call costs a busy test most of its time.
	keepMemories bool
}

// harness is a Host with its fakes.
type harness struct {
	t        testing.TB
	host     *Host
	logs     *syncBuffer
	api      *recorder // the fake provider API, upstream of https://api.github.com
	evil     *recorder // no request may ever reach it
	backend  *recorder // the token backend
	users    map[string]fakeUser
	byToken  map[string]string // access token → user id
	extraAPI func(hh *harness, w http.ResponseWriter, r *http.Request) bool
	plugins  map[string]*Plugin
	ids      atomic.Int64

	scanned  atomic.Int64
	scanMu   sync.Mutex
	leaks    []string                  // secret marks found in guest memory
	lastInst map[string]*extism.Plugin // by plugin name: the last call's instance
	// lastMems are copies of the last call's memories, by plugin name, as
	// the call left them: the pool resets an instance right after. Kept
	// only with harnessOptions.keepMemories.
	lastMems     map[string]map[string][]byte
	keepMemories bool
}

// userIDs returns the harness's users' ids: alice, bob, then user002...
func userIDs(n int) []string {
	ids := []string{"alice", "bob"}
	for i := len(ids); i < n; i++ {
		ids = append(ids, fmt.Sprintf("user%03d", i))
	}
	return ids[:n]
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	precompile()
	if o.users == 0 {
		o.users = 2
	}
	hh := &harness{
		t: t, logs: &syncBuffer{}, users: map[string]fakeUser{}, byToken: map[string]string{},
		plugins: map[string]*Plugin{}, lastInst: map[string]*extism.Plugin{}, lastMems: map[string]map[string][]byte{},
		extraAPI: o.api, keepMemories: o.keepMemories,
	}
	newUser := o.newUser
	if newUser == nil {
		newUser = newFakeUser
	}
	for _, id := range userIDs(o.users) {
		u := newUser(id)
		hh.users[id] = u
		hh.byToken[u.AccessToken] = id
	}
	logger := slog.New(slog.NewTextHandler(hh.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	hh.evil = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSONResponse(w, 200, map[string]any{"stolen": r.Header.Get("Authorization")})
	})
	hh.backend = newRecorder(t, hh.serveBackend)
	hh.api = newRecorder(t, hh.serveAPI)

	backend, err := auth.NewBackend(auth.BackendConfig{URL: hh.backend.URL, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	global := o.global
	if global.Timeout == 0 {
		global.Timeout = 10 * time.Second
	}
	pool := o.pool
	if pool.Warm == 0 {
		pool.Warm = -1
	}
	// The call bounds are off: the tests that race many calls are about
	// isolation, not refusals (gate_test.go tests those).
	cfg := Config{CacheDir: sharedCacheDir(), Limits: global, Pool: pool, Calls: NoCallBounds(), Plugins: map[string]PluginConfig{}}
	files := make([]string, 0, len(o.guests)+1)
	for _, g := range o.guests {
		files = append(files, guestFile(t, g))
		name := "hostile-" + g
		cfg.Plugins[name] = PluginConfig{
			Upstreams: map[string]string{"https://api.github.com": hh.api.URL},
			Limits:    o.limits[name],
		}
	}
	if !o.noGitHub {
		files = append(files, wasmFile(t, "dist/plugins/github.wasm"))
		cfg.Plugins["github"] = PluginConfig{
			Upstreams: map[string]string{"https://api.github.com": hh.api.URL},
			Limits:    o.limits["github"],
		}
	}
	h, err := New(Options{Config: cfg, Exchanger: backend, Logger: logger, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	h.afterCall = hh.afterCall
	hh.host = h
	t.Cleanup(hh.finish)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, f := range files {
		if err := h.Load(ctx, f); err != nil {
			t.Fatalf("loading %s: %v", f, err)
		}
	}
	for _, pl := range h.Plugins() {
		hh.plugins[pl.Name()] = pl
	}
	return hh
}

// afterCall is the Host's test hook: it scans the instance's memories for
// secrets and remembers the instance.
func (hh *harness) afterCall(pl *Plugin, inst *extism.Plugin) {
	hh.scanned.Add(1)
	found := scanInstance(inst, secretMarks...)
	var mems map[string][]byte
	if hh.keepMemories {
		mems = map[string][]byte{}
		for name, mem := range instanceMemories(inst) {
			if b, ok := mem.Read(0, visibleSize(inst, name, mem)); ok {
				mems[name] = bytes.Clone(b)
			}
		}
	}
	hh.scanMu.Lock()
	hh.lastInst[pl.Name()] = inst
	hh.lastMems[pl.Name()] = mems
	for _, f := range found {
		hh.leaks = append(hh.leaks, pl.Name()+": "+f)
	}
	hh.scanMu.Unlock()
}

// lastInstance returns the instance of the last call of plugin name.
func (hh *harness) lastInstance(name string) *extism.Plugin {
	hh.scanMu.Lock()
	defer hh.scanMu.Unlock()
	return hh.lastInst[name]
}

// scanLast reports every needle found in the memories of plugin name's
// last call, as that call left them.
func (hh *harness) scanLast(name string, needles ...string) []string {
	hh.mustKeepMemories()
	hh.scanMu.Lock()
	defer hh.scanMu.Unlock()
	var found []string
	for _, mem := range []string{"guest", "kernel"} {
		for _, n := range needles {
			if i := bytes.Index(hh.lastMems[name][mem], []byte(n)); i >= 0 {
				found = append(found, fmt.Sprintf("%q in %s memory at offset %d", n, mem, i))
			}
		}
	}
	return found
}

// mustKeepMemories panics unless the harness keeps the calls' memories: a
// scan of memories never kept would find nothing and pass for a clean one.
func (hh *harness) mustKeepMemories() {
	if !hh.keepMemories {
		panic("the harness keeps no copy of the calls' memories: set harnessOptions.keepMemories")
	}
}

// checkNoLeaks fails the test if a secret mark showed up in a guest's
// memory or in the logs so far.
func (hh *harness) checkNoLeaks() {
	hh.t.Helper()
	hh.scanMu.Lock()
	leaks := append([]string(nil), hh.leaks...)
	hh.scanMu.Unlock()
	for _, l := range leaks {
		hh.t.Errorf("secret in guest memory after a call: %s", l)
	}
	logs := hh.logs.String()
	for _, m := range secretMarks {
		if i := strings.Index(logs, m); i >= 0 {
			hh.t.Errorf("secret mark %q in the logs: …%s…", m, logs[max(0, i-200):min(len(logs), i+100)])
		}
	}
}

// finish runs the checks every test shares, then closes the host.
func (hh *harness) finish() {
	hh.t.Helper()
	hh.checkNoLeaks()
	if reqs := hh.evil.requests(); len(reqs) > 0 {
		hh.t.Errorf("the evil server received %d requests, e.g. %+v", len(reqs), reqs[0])
	}
	// The API only ever sees the host's Authorization, with a real token.
	for _, r := range hh.api.requests() {
		if _, ok := hh.byToken[strings.TrimPrefix(r.Auth, "Bearer ")]; !ok || len(r.Header.Values("Authorization")) != 1 {
			hh.t.Errorf("the API received %s %s with Authorization %q, not the host's", r.Method, r.Path, r.Header.Values("Authorization"))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hh.host.Close(ctx); err != nil {
		hh.t.Errorf("closing the host: %v", err)
	}
	if hh.t.Failed() {
		logs := hh.logs.String()
		if len(logs) > 8000 {
			logs = "…" + logs[len(logs)-8000:]
		}
		hh.t.Logf("host log:\n%s", logs)
	}
}

// toolOutcome is a tools/call answer as the client sees it.
type toolOutcome struct {
	raw        string // the whole JSON-RPC response
	rpcError   string // a JSON-RPC error, if any
	isError    bool
	text       string         // the first text content
	structured map[string]any // structuredContent
	took       time.Duration
}

// call sends tools/call for tool as user through the MCP server and waits
// for the answer, failing the test if none comes within 60 s.
func (hh *harness) call(t testing.TB, user, tool string, args map[string]any) toolOutcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return hh.callCtx(ctx, hh.nextID(), user, tool, args)
}

func (hh *harness) nextID() int64 { return hh.ids.Add(1) }

// callCtx sends tools/call with request id id under ctx.
func (hh *harness) callCtx(ctx context.Context, id int64, user, tool string, args map[string]any) toolOutcome {
	u, ok := hh.users[user]
	if !ok {
		panic("unknown user " + user)
	}
	if args == nil {
		args = map[string]any{}
	}
	msg, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "id": id, "method": "tools/call",
		"params": map[string]any{
			"name": tool, "arguments": args,
			"_meta": map[string]any{"userId": u.ID, "userToken": u.UserToken, "providerId": "github"},
		},
	})
	start := time.Now()
	done := make(chan mcp.JSONRPCMessage, 1)
	go func() { done <- hh.host.MCPServer().HandleMessage(ctx, msg) }()
	var resp mcp.JSONRPCMessage
	select {
	case resp = <-done:
	case <-ctx.Done():
		return toolOutcome{rpcError: fmt.Sprintf("no answer to %s within the test's deadline (the host hangs)", tool), took: time.Since(start)}
	}
	out := toolOutcome{took: time.Since(start)}
	raw, _ := json.Marshal(resp)
	out.raw = string(raw)
	var parsed struct {
		Error  *struct{ Message string } `json:"error"`
		Result struct {
			IsError bool `json:"isError"`
			Content []struct {
				Type, Text string
			} `json:"content"`
			Structured map[string]any `json:"structuredContent"`
		} `json:"result"`
	}
	if err := json.Unmarshal(raw, &parsed); err != nil {
		out.rpcError = "undecodable response: " + err.Error()
		return out
	}
	if parsed.Error != nil {
		out.rpcError = parsed.Error.Message
		return out
	}
	out.isError = parsed.Result.IsError
	if len(parsed.Result.Content) > 0 {
		out.text = parsed.Result.Content[0].Text
	}
	out.structured = parsed.Result.Structured
	return out
}

// cancelRequest sends notifications/cancelled for request id.
func (hh *harness) cancelRequest(id int64) {
	msg, _ := json.Marshal(map[string]any{
		"jsonrpc": "2.0", "method": "notifications/cancelled",
		"params": map[string]any{"requestId": id, "reason": "test"},
	})
	hh.host.MCPServer().HandleMessage(context.Background(), msg)
}

// noSecrets fails the test if a secret mark is in the answer.
func (o toolOutcome) noSecrets(t testing.TB) {
	t.Helper()
	for _, m := range secretMarks {
		if strings.Contains(o.raw, m) {
			t.Errorf("secret mark %q in the tool result: %s", m, clipText(o.raw, 2000))
		}
	}
}

// wantToolError fails the test unless the answer is a tool error whose text
// contains every one of want.
func (o toolOutcome) wantToolError(t testing.TB, want ...string) {
	t.Helper()
	o.noSecrets(t)
	if o.rpcError != "" {
		t.Fatalf("JSON-RPC error %q, want a tool error", o.rpcError)
	}
	if !o.isError {
		t.Fatalf("result is not a tool error: %s", clipText(o.raw, 2000))
	}
	for _, w := range want {
		if !strings.Contains(o.text, w) {
			t.Errorf("tool error %q lacks %q", clipText(o.text, 2000), w)
		}
	}
}

// wantOK fails the test unless the answer is a successful result, and
// returns its structured content.
func (o toolOutcome) wantOK(t testing.TB) map[string]any {
	t.Helper()
	o.noSecrets(t)
	if o.rpcError != "" {
		t.Fatalf("JSON-RPC error %q, want a result", o.rpcError)
	}
	if o.isError {
		t.Fatalf("tool error %q, want a result", clipText(o.text, 2000))
	}
	return o.structured
}

// goodCall makes a call of the real github plugin as user and checks it
// succeeds with the user's own profile: the host still serves.
func (hh *harness) goodCall(t testing.TB, user string) {
	t.Helper()
	res := hh.call(t, user, "get_github_user", nil).wantOK(t)
	if res["login"] != user {
		t.Errorf("get_github_user as %s answered login %v", user, res["login"])
	}
}

// stats returns the pool counters of plugin name.
func (hh *harness) stats(t testing.TB, name string) PoolStats {
	t.Helper()
	pl := hh.plugins[name]
	if pl == nil {
		t.Fatalf("plugin %q is not loaded (have %v)", name, slicesKeys(hh.plugins))
	}
	return pl.Stats()
}

func slicesKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range maps.Keys(m) {
		keys = append(keys, k)
	}
	return keys
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// compiledOf returns pl's compiled code, loading it if it is not in memory.
func compiledOf(tb testing.TB, pl *Plugin) *extism.CompiledPlugin {
	tb.Helper()
	c, err := pl.code(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
