package host

// Benchmarks of the tool call path and of instance acquisition, against
// httptest fakes of the token backend and of the GitHub API. They need the
// plugins built by "make build"; "make bench" runs them and "host bench".

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	extism "github.com/extism/go-sdk"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/hostfuncs"
	"github.com/wasmcp/wasmcp/internal/payloads"
)

// benchUsers is how many users the parallel benchmark cycles through.
const benchUsers = 50

// benchFakes are the token backend and the GitHub API, each timing its own
// handler so that a benchmark can report the host's share of a call.
type benchFakes struct {
	backend, github *httptest.Server
	handlerNanos    atomic.Int64 // time spent inside both handlers
}

func newBenchFakes(b *testing.B) *benchFakes {
	f := &benchFakes{}
	f.backend = httptest.NewServer(f.timed(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ UserID, UserToken, ProviderID string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.UserToken != benchUserToken(body.UserID) {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"accessToken":"at.%s.%s"}`, body.ProviderID, body.UserID)
	}))
	f.github = httptest.NewServer(f.timed(func(w http.ResponseWriter, r *http.Request) {
		user, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer at.github.")
		if !ok {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/user":
			// GitHub's real /user body (1.3 KB), with the caller's login.
			w.Write(payloads.As(payloads.GitHubUser, user))
		case "/user/repos":
			// 30 repositories in GitHub's full shape (155 KB).
			w.Write(payloads.GitHubUserRepos)
		default:
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		}
	}))
	b.Cleanup(func() {
		f.backend.Close()
		f.github.Close()
	})
	return f
}

func (f *benchFakes) timed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h(w, r)
		f.handlerNanos.Add(int64(time.Since(start)))
	}
}

// benchPluginsDir finds dist/plugins from the repository root, and fails the
// benchmark when the plugins are missing, as the tests do: "make bench"
// builds them first.
func benchPluginsDir(b *testing.B) string {
	b.Helper()
	dir, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			b.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
	plugins := filepath.Join(dir, "dist", "plugins")
	for _, name := range []string{"github.wasm", "reddit.wasm"} {
		if _, err := os.Stat(filepath.Join(plugins, name)); err != nil {
			b.Fatalf("%s is missing: run \"make build\" first (\"make bench\" and \"make test\" do)", filepath.Join("dist", "plugins", name))
		}
	}
	return plugins
}

// newBenchHost starts a Host in backend mode with both plugins, GitHub's API
// mapped to the fake, and logs formatted at info level as serve does.
func newBenchHost(b *testing.B, f *benchFakes, pool PoolConfig) *Host {
	b.Helper()
	dir := benchPluginsDir(b)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ex, err := auth.NewBackend(auth.BackendConfig{URL: f.backend.URL, Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	h, err := New(Options{
		Config: Config{
			Pool:  pool,
			Calls: NoCallBounds(), // measure the host, not its gate
			Plugins: map[string]PluginConfig{
				"github": {Upstreams: map[string]string{"https://api.github.com": f.github.URL}},
			},
		},
		Exchanger: ex,
		Logger:    logger,
	})
	if err != nil {
		b.Fatal(err)
	}
	if errs := h.LoadDir(context.Background(), dir); len(errs) > 0 {
		b.Fatal(errs)
	}
	b.Cleanup(func() { h.Close(context.Background()) })
	return h
}

// callMessage is the JSON-RPC tools/call of get_github_user by user.
func callMessage(id int64, user string) []byte {
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"get_github_user","arguments":{},"_meta":{"userId":%q,"userToken":%q,"providerId":"github"}}}`,
		id, user, benchUserToken(user))
}

// benchCall sends msg through the MCP server, encodes the response as a
// transport would, and checks that the call succeeded for user.
func benchCall(h *Host, msg []byte, user string) error {
	resp := h.MCPServer().HandleMessage(context.Background(), msg)
	out, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	if !strings.Contains(string(out), `"login":"`+user+`"`) || strings.Contains(string(out), `"isError":true`) {
		return fmt.Errorf("call failed: %s", out)
	}
	return nil
}

func benchUser(i int) string { return fmt.Sprintf("user%02d", i%benchUsers) }

// warmUsers makes one call per user, so each has an idle instance.
func warmUsers(b *testing.B, h *Host) {
	b.Helper()
	for i := range benchUsers {
		if err := benchCall(h, callMessage(int64(i), benchUser(i)), benchUser(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToolCall is one tools/call at a time, one user, through the MCP
// server: ns/op is the whole call; host-µs/op leaves out the time spent in
// the fakes' handlers; p50/p99 are of the host's share.
func BenchmarkToolCall(b *testing.B) {
	f := newBenchFakes(b)
	h := newBenchHost(b, f, PoolConfig{})
	warmUsers(b, h)
	const user = "user00"
	var host []time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f.handlerNanos.Store(0)
		start := time.Now()
		if err := benchCall(h, callMessage(int64(i), user), user); err != nil {
			b.Fatal(err)
		}
		host = append(host, time.Since(start)-time.Duration(f.handlerNanos.Load()))
	}
	b.StopTimer()
	slices.Sort(host)
	var sum time.Duration
	for _, d := range host {
		sum += d
	}
	b.ReportMetric(float64(sum.Microseconds())/float64(len(host)), "host-µs/op")
	b.ReportMetric(float64(benchQuantile(host, 0.50).Microseconds()), "host-p50-µs")
	b.ReportMetric(float64(benchQuantile(host, 0.99).Microseconds()), "host-p99-µs")
}

// BenchmarkToolCallParallel runs 32 calls in flight, users cycling through
// 50, each on their own instances.
func BenchmarkToolCallParallel(b *testing.B) {
	f := newBenchFakes(b)
	h := newBenchHost(b, f, PoolConfig{})
	warmUsers(b, h)
	var next atomic.Int64
	var failed sync.Once
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((32 + procs - 1) / procs) // goroutines = parallelism × GOMAXPROCS
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			user := benchUser(int(i))
			if err := benchCall(h, callMessage(i, user), user); err != nil {
				failed.Do(func() { b.Error(err) })
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(next.Load())/time.Since(start).Seconds(), "calls/s")
	for _, pl := range h.Plugins() {
		if s := pl.Stats(); pl.Name() == "github" && s.Discarded > 0 {
			b.Errorf("%d instances discarded", s.Discarded)
		}
	}
}

// githubPlugin returns h's github plugin.
func githubPlugin(b *testing.B, h *Host) *Plugin {
	b.Helper()
	for _, p := range h.Plugins() {
		if p.Name() == "github" {
			if err := p.wait(b.Context()); err != nil {
				b.Fatal(err)
			}
			return p
		}
	}
	b.Fatal("the github plugin is not loaded")
	return nil
}

// benchPool is a pool of the GitHub plugin with no warm set of its own, so
// that a benchmark controls which path get takes.
func benchPool(b *testing.B) (*pool, *Plugin) {
	b.Helper()
	f := newBenchFakes(b)
	h := newBenchHost(b, f, PoolConfig{})
	pl := githubPlugin(b, h)
	p := newPool(PoolConfig{Warm: -1, MaxIdle: 64, IdleTTL: time.Hour}.Or(defaultPool), pl.newInstance, nil)
	b.Cleanup(p.close)
	return p, pl
}

// BenchmarkPoolGetReused takes and returns an idle instance of the same user.
func BenchmarkPoolGetReused(b *testing.B) {
	p, _ := benchPool(b)
	ctx := context.Background()
	inst, err := p.newInstance(ctx)
	if err != nil {
		b.Fatal(err)
	}
	p.put("u", inst, true)
	b.ReportAllocs()
	for b.Loop() {
		inst, err := p.get(ctx, "u")
		if err != nil {
			b.Fatal(err)
		}
		p.put("u", inst, true)
	}
	if s := p.snapshot(); s.Fresh+s.Created > 0 {
		b.Fatalf("stats %+v: want only reuse", s)
	}
}

// BenchmarkPoolGetFresh takes a warm, initialised instance. One instance
// is put back into the warm set before each get: making warm instances is
// the background refill's work, whose cost is BenchmarkPoolGetNew's.
func BenchmarkPoolGetFresh(b *testing.B) {
	p, _ := benchPool(b)
	ctx := context.Background()
	inst, err := p.newWarm()
	if err != nil {
		b.Fatal(err)
	}
	defer closeInstance(inst)
	b.ReportAllocs()
	for b.Loop() {
		p.mu.Lock()
		p.fresh = append(p.fresh, inst)
		p.mu.Unlock()
		if got, err := p.get(ctx, "u"); err != nil || got != inst {
			b.Fatal(err)
		}
	}
	if s := p.snapshot(); s.Created+s.Reused > 0 {
		b.Fatalf("stats %+v: want only fresh instances", s)
	}
}

// BenchmarkPoolGetNew creates an instance on the call's path; init-µs/op is
// the guest runtime initialisation its first call then pays on top.
func BenchmarkPoolGetNew(b *testing.B) {
	p, _ := benchPool(b)
	ctx := context.Background()
	var initTotal time.Duration
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		inst, err := p.get(ctx, "u")
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		start := time.Now()
		if err := initInstance(ctx, inst); err != nil {
			b.Fatal(err)
		}
		initTotal += time.Since(start)
		n++
		p.put("u", inst, false) // closed, and no longer counted out
		b.StartTimer()
	}
	b.ReportMetric(float64(initTotal.Microseconds())/float64(n), "init-µs/op")
	if s := p.snapshot(); s.Created != int64(n) {
		b.Fatalf("stats %+v: want %d created", s, n)
	}
}

// benchQuantile returns the q-quantile of sorted (nearest rank).
func benchQuantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1)+0.5)]
}

// BenchmarkGuestCall is the plugin call alone (go-sdk's CallWithContext on
// a warm instance, its HTTP request to the fake included), without MCP,
// validation or exchange, for get_github_user (a 1.3 KB answer) and
// list_github_repos (155 KB). "metered" is the module as the host runs it;
// "close-on-done" is the unmetered module under wazero's
// close-on-context-done, as the host ran every guest before metering (and
// still runs a module the instrumenter cannot handle).
func BenchmarkGuestCall(b *testing.B) {
	f := newBenchFakes(b)
	h := newBenchHost(b, f, PoolConfig{})
	pl := githubPlugin(b, h)
	data, err := readPluginFile(pl.File)
	if err != nil {
		b.Fatal(err)
	}
	if !pl.Metered {
		b.Fatal("the github plugin is not metered")
	}
	unmetered, err := h.loader.compile(context.Background(), data, false, pl.Limits.MemoryMiB)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { unmetered.Close(context.Background()) })

	tools := []struct{ tool, want string }{
		{"get_github_user", `"login":"user00"`},
		{"list_github_repos", `"count":30`},
	}
	for _, c := range []struct {
		name     string
		compiled *extism.CompiledPlugin
	}{{"metered", compiledOf(b, pl)}, {"close-on-done", unmetered}} {
		for _, tc := range tools {
			b.Run(c.name+"/"+tc.tool, func(b *testing.B) {
				ctx := context.Background()
				inst, err := newInstanceOf(ctx, c.compiled)
				if err != nil {
					b.Fatal(err)
				}
				defer closeInstance(inst)
				input := []byte(`{"tool":"` + tc.tool + `","arguments":{}}`)
				call := func() {
					ctx, cancel := context.WithTimeout(ctx, pl.Limits.Timeout)
					defer cancel()
					hc := &hostfuncs.Call{Plugin: pl.Name(), Provider: "github", Token: "at.github.user00",
						Secrets: []string{"at.github.user00"}, Policy: pl.Policy, Logger: h.logger, Memory: inst.memory}
					rc, out, err := inst.CallWithContext(hostfuncs.WithCall(ctx, hc), abi.ExportCall, input)
					if direct, set, derr := hc.Output(); set {
						out, err = direct, errors.Join(err, derr)
					}
					if err != nil || rc != 0 || !strings.Contains(string(out), tc.want) {
						b.Fatalf("rc %d, err %v, out %.300s", rc, err, out)
					}
				}
				call() // the first call of an instance pays one-time guest costs
				b.ReportAllocs()
				for b.Loop() {
					call()
				}
			})
		}
	}
}

// benchUserToken is user's temporary token: long enough to be one.
func benchUserToken(user string) string { return "ut.bench-temp-token." + user }
