package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wasmcp/wasmcp/host"
	"github.com/wasmcp/wasmcp/host/auth"
)

const benchUsage = `Usage: host bench [--plugins DIR] [--calls N] [--users 50] [--concurrency 1,8,32] [--json]

Measures the host in-process, against loopback fakes of the token backend and
of the GitHub and Reddit APIs (httptest servers that the plugins' upstreams
and the backend URL point to). Tool calls go through the MCP server as
serve runs it, with _meta, a token exchange per call and per-user instances.

Host overhead is a call's latency, request written to response read, minus
the time spent inside the fakes' handlers during that call. It includes
the two loopback HTTP round trips (exchange and API), whose cost is shown
on its own.

Reports: overhead and latency p50/p99/max and calls/s at each concurrency
(users cycling), the latency of a call by where its instance came from
(the user's idle one, a warm fresh one, a new one), resident memory and Go
heap, and the instance pools' counters. Exits 1 if any call failed or an
API got a token that was not for it.
`

// benchTools are called in turn; each user's successive calls rotate
// through them, so calls in flight mix both plugins.
var benchTools = []struct {
	name, provider, args string
}{
	{"get_github_user", "github", `{}`},
	{"get_reddit_user", "reddit", `{}`},
	{"list_github_repos", "github", `{"per_page":10}`},
	{"list_user_subreddits", "reddit", `{"limit":10}`},
}

// Targets of issue 4 on a 2-core machine.
const (
	targetP50Overhead = time.Millisecond
	targetCallsPerSec = 500
)

type benchOptions struct {
	pluginsDir, cacheDir, transport string
	cpuProfile                      string
	calls, users, samples           int
	concurrency                     []int
	asJSON                          bool
}

func parseBenchFlags(args []string, _ io.Writer) (benchOptions, error) {
	var o benchOptions
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&o.pluginsDir, "plugins", "dist/plugins", "plugin `folder`; must hold github.wasm and reddit.wasm")
	fs.StringVar(&o.cacheDir, "cache-dir", "", "compilation cache `dir` (default: the user cache dir; \"off\" disables it)")
	fs.IntVar(&o.calls, "calls", 2000, "measured calls at each concurrency")
	fs.IntVar(&o.users, "users", 50, "users the calls cycle through")
	fs.IntVar(&o.samples, "samples", 20, "first calls measured per plugin and instance source")
	conc := fs.String("concurrency", "1,8,32", "comma-separated calls in flight")
	fs.StringVar(&o.transport, "transport", "stdio", "stdio (serve's stdio transport over in-process pipes) or direct (MCPServer.HandleMessage, no transport)")
	fs.BoolVar(&o.asJSON, "json", false, "print JSON instead of tables")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured runs to `file`")
	usage := func(w io.Writer) {
		fmt.Fprint(w, benchUsage)
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, usage, args); err != nil {
		return o, err
	}
	for f := range strings.SplitSeq(*conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 256 {
			return o, usageError{fmt.Errorf("--concurrency: want numbers from 1 to 256, got %q", f)}
		}
		o.concurrency = append(o.concurrency, n)
	}
	if o.transport != "stdio" && o.transport != "direct" {
		return o, usageError{fmt.Errorf("--transport %q: want stdio or direct", o.transport)}
	}
	if o.calls < 1 || o.users < 1 || o.samples < 1 {
		return o, usageError{errors.New("--calls, --users and --samples must be at least 1")}
	}
	return o, nil
}

// bencher runs the measurements against one host.
type bencher struct {
	opts   benchOptions
	fakes  *benchFakes
	host   *host.Host
	client benchClient
	seq    atomic.Int64 // call sequence number, also the JSON-RPC id
}

// benchCall is one measured call.
type benchCall struct {
	latency, overhead time.Duration
	err               error
}

func bench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	rep := benchReport{Machine: readMachine(), Transport: o.transport, Users: o.users, Calls: o.calls}
	baseline := readBenchMem("start", 0)

	fakes := newBenchFakes()
	defer fakes.close()
	loadStart := time.Now()
	h, err := newBenchHost(ctx, o, fakes, host.PoolConfig{})
	if err != nil {
		return err
	}
	defer h.Close(context.Background()) // again, harmless, on early returns
	rep.LoadMS = float64(time.Since(loadStart).Microseconds()) / 1000
	if err := waitWarm(ctx, h, host.DefaultPool().Warm); err != nil {
		return err
	}
	rep.Memory = append(rep.Memory, baseline, readBenchMem("plugins loaded", liveInstances(h)))

	client, err := newBenchClient(ctx, o.transport, h, stderr)
	if err != nil {
		return err
	}
	b := &bencher{opts: o, fakes: fakes, host: h, client: client}
	rep.Loopback = loopbackRTT(fakes)

	// Warm-up: every user calls every tool once, so each has an idle
	// instance of each plugin, as in a steady state.
	warm := b.level(ctx, o.users*len(benchTools), min(8, o.users), "user")
	if warm.Errors > 0 {
		client.close()
		return fmt.Errorf("warm-up: %d of %d calls failed; first: %s", warm.Errors, warm.Calls, warm.FirstError)
	}
	rep.Memory = append(rep.Memory, readBenchMem("after warm-up", liveInstances(h)))
	stopProfile, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		client.close()
		return err
	}
	for _, c := range o.concurrency {
		rep.Levels = append(rep.Levels, b.level(ctx, o.calls, c, "user"))
	}
	stopProfile()
	rep.Memory = append(rep.Memory, readBenchMem("after the runs", liveInstances(h)))
	for _, pl := range h.Plugins() {
		rep.Pools = append(rep.Pools, poolReport{Plugin: pl.Name(), PoolStats: pl.Stats()})
	}
	client.close()
	h.Close(context.Background())

	// Instance sources, each on a host of its own that has served no one:
	// one with the default warm set (users' first calls take a fresh
	// instance, their second calls reuse it), one with none (first calls
	// create their instance).
	for _, phase := range []struct {
		pool    host.PoolConfig
		sources []string
	}{
		{host.PoolConfig{}, []string{"fresh", "reused"}},
		{host.PoolConfig{Warm: -1}, []string{"new"}},
	} {
		srcs, err := b.sources(ctx, phase.pool, phase.sources, stderr)
		if err != nil {
			return err
		}
		rep.Sources = append(rep.Sources, srcs...)
	}

	rep.Mismatches = fakes.mismatches()
	rep.judge()
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.print(stdout)
	}
	return rep.failure()
}

// newBenchHost starts a host in backend mode whose plugins reach the fakes.
func newBenchHost(ctx context.Context, o benchOptions, f *benchFakes, pool host.PoolConfig) (*host.Host, error) {
	// Logs are formatted at info level, as serve does, then dropped.
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ex, err := auth.NewBackend(auth.BackendConfig{URL: f.backend.URL, Logger: logger})
	if err != nil {
		return nil, err
	}
	cfg := host.Config{
		CacheDir: o.cacheDir,
		Pool:     pool,
		Calls:    host.NoCallBounds(), // the bench measures the host, not its gate
		Plugins: map[string]host.PluginConfig{
			"github": {Upstreams: map[string]string{"https://api.github.com": f.github.URL}},
			"reddit": {Upstreams: map[string]string{"https://oauth.reddit.com": f.reddit.URL}},
		},
	}
	h, err := host.New(host.Options{Config: cfg, Exchanger: ex, Logger: logger, Version: version})
	if err != nil {
		return nil, usageError{err}
	}
	errs := h.LoadDir(ctx, o.pluginsDir)
	var names []string
	for _, pl := range h.Plugins() {
		names = append(names, pl.Name())
	}
	if !slices.Contains(names, "github") || !slices.Contains(names, "reddit") {
		h.Close(ctx)
		return nil, fmt.Errorf("%s must hold the github and reddit plugins (run \"make build\"); loaded %v, errors: %v",
			o.pluginsDir, names, errors.Join(errs...))
	}
	return h, nil
}

// waitWarm waits until every plugin has want warm instances.
func waitWarm(ctx context.Context, h *host.Host, want int) error {
	for _, pl := range h.Plugins() {
		if err := pl.Ready(ctx); err != nil {
			return fmt.Errorf("plugin %s: %w", pl.Name(), err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for _, pl := range h.Plugins() {
		for pl.Stats().Warm < want {
			if time.Now().After(deadline) || ctx.Err() != nil {
				return fmt.Errorf("plugin %s: warm instances not ready", pl.Name())
			}
			time.Sleep(time.Millisecond)
		}
	}
	return nil
}

func liveInstances(h *host.Host) int {
	n := 0
	for _, pl := range h.Plugins() {
		s := pl.Stats()
		n += s.Idle + s.Warm
	}
	return n
}

// benchMessage is the tools/call of tool with _meta for user, as call seq.
func benchMessage(seq int64, user string, tool int) []byte {
	t := benchTools[tool]
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%q,"arguments":%s,"_meta":{"userId":%q,"userToken":%q,"providerId":%q}}}`,
		seq, t.name, t.args, user, benchToken(user, seq), t.provider)
}

// call makes one tools/call and checks that it succeeded for user.
func (b *bencher) call(ctx context.Context, user string, tool int) benchCall {
	seq := b.seq.Add(1)
	msg := benchMessage(seq, user, tool)
	start := time.Now()
	out, err := b.client.call(ctx, seq, msg)
	latency := time.Since(start)
	r := benchCall{latency: latency, overhead: latency - b.fakes.take(seq, benchTools[tool].provider, user)}
	if err == nil {
		err = checkBenchResult(out, user)
	}
	r.err = err
	return r
}

// checkBenchResult accepts a successful tool result whose content names user:
// the fakes answer with the user of the token they were sent.
func checkBenchResult(out []byte, user string) error {
	var resp struct {
		Result *struct {
			IsError           bool            `json:"isError"`
			StructuredContent json.RawMessage `json:"structuredContent"`
		} `json:"result"`
	}
	if err := rpcError(out); err != nil {
		return err
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.Result == nil {
		return fmt.Errorf("no result in %.200s", out)
	}
	if resp.Result.IsError {
		return fmt.Errorf("tool error: %.300s", out)
	}
	if !strings.Contains(string(resp.Result.StructuredContent), user) {
		return fmt.Errorf("result is not for %s: %.300s", user, resp.Result.StructuredContent)
	}
	return nil
}

// level makes n calls, conc in flight, user i%users calling tool
// (i%users + i/users) % len(benchTools).
func (b *bencher) level(ctx context.Context, n, conc int, prefix string) levelReport {
	before := poolTotals(b.host)
	results := make([]benchCall, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu := readCPU()
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				u := i % b.opts.users
				results[i] = b.call(ctx, fmt.Sprintf("%s%04d", prefix, u), (u+i/b.opts.users)%len(benchTools))
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	rep := levelReport{Concurrency: conc, Calls: n, CallsPerSec: float64(n) / wall.Seconds(), OthersCPU: othersPercent(cpu, readCPU())}
	var lat, over []time.Duration
	for _, r := range results {
		if r.err != nil {
			if rep.Errors == 0 {
				rep.FirstError = r.err.Error()
			}
			rep.Errors++
			continue
		}
		lat = append(lat, r.latency)
		over = append(over, r.overhead)
	}
	rep.Latency, rep.Overhead = benchSummary(lat), benchSummary(over)
	rep.Pool = poolTotals(b.host).minus(before)
	return rep
}

// sources starts a host with pool and measures firstCalls for each source.
func (b *bencher) sources(ctx context.Context, pool host.PoolConfig, sources []string, stderr io.Writer) ([]sourceReport, error) {
	h, err := newBenchHost(ctx, b.opts, b.fakes, pool)
	if err != nil {
		return nil, err
	}
	defer h.Close(context.Background())
	if err := waitWarm(ctx, h, pool.Or(host.DefaultPool()).Warm); err != nil {
		return nil, err
	}
	if b.client, err = newBenchClient(ctx, b.opts.transport, h, stderr); err != nil {
		return nil, err
	}
	defer b.client.close()
	b.host = h
	var out []sourceReport
	for _, s := range sources {
		out = append(out, b.firstCalls(ctx, s)...)
	}
	return out, nil
}

// firstCalls measures serial calls, samples per plugin, by instance source:
// "fresh" and "new" are users' first calls (with a full warm set, or on a
// host with none); "reused" the second calls of the "fresh" users. The pool
// counters tell which source each call actually used.
func (b *bencher) firstCalls(ctx context.Context, source string) []sourceReport {
	var out []sourceReport
	for tool := range 2 { // get_github_user, get_reddit_user
		pl := b.plugin(benchTools[tool].provider)
		rep := sourceReport{Source: source, Plugin: pl.Name()}
		var lat, over []time.Duration
		for k := range b.opts.samples {
			user := fmt.Sprintf("first%04d", k)
			if source == "fresh" {
				for pl.Stats().Warm < host.DefaultPool().Warm && ctx.Err() == nil {
					time.Sleep(time.Millisecond)
				}
			}
			before := pl.Stats()
			r := b.call(ctx, user, tool)
			d := poolDelta(pl.Stats(), before)
			got := map[bool]string{d.Reused == 1: "reused", d.Fresh == 1: "fresh", d.Created == 1: "new"}[true]
			if r.err != nil || got != source {
				rep.Other++
				continue
			}
			lat, over = append(lat, r.latency), append(over, r.overhead)
		}
		rep.Latency, rep.Overhead = benchSummary(lat), benchSummary(over)
		out = append(out, rep)
	}
	return out
}

func (b *bencher) plugin(name string) *host.Plugin {
	for _, pl := range b.host.Plugins() {
		if pl.Name() == name {
			return pl
		}
	}
	return nil
}
