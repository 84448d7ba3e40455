package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wasmcp/wasmcp/host"
)

// bencher runs the measurements against one host.
type bencher struct {
	opts   benchOptions
	fakes  *benchFakes
	host   *host.Host
	client benchClient
	seq    atomic.Int64 // call sequence number, also the JSON-RPC id
}

// benchCall is one measured call of benchTools[tool].
type benchCall struct {
	tool              int
	latency, overhead time.Duration
	// apiBytes is the size of the API's answer (the body the host read
	// and selected from), resultBytes that of the JSON-RPC response.
	apiBytes, resultBytes int64
	err                   error
}

// call makes one tools/call and checks that it succeeded for user.
func (b *bencher) call(ctx context.Context, user string, tool int) benchCall {
	seq := b.seq.Add(1)
	msg := benchMessage(seq, user, tool)
	start := time.Now()
	out, err := b.client.call(ctx, seq, msg)
	latency := time.Since(start)
	spent := b.fakes.take(seq, benchTools[tool].provider, user)
	r := benchCall{tool: tool, latency: latency, overhead: latency - spent.d, apiBytes: spent.bytes, resultBytes: int64(len(out))}
	if err == nil {
		err = checkBenchResult(out, user)
	}
	r.err = err
	return r
}

// level makes n calls of the tools of mix (indexes in benchTools), conc in
// flight, user i%users calling mix[(i%users + i/users) % len(mix)].
func (b *bencher) level(ctx context.Context, n, conc int, prefix string, mix []int) levelReport {
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
				results[i] = b.call(ctx, fmt.Sprintf("%s%04d", prefix, u), mix[(u+i/b.opts.users)%len(mix)])
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
	rep.Tools = toolFiguresOf(results, mix)
	return rep
}

// toolFiguresOf summarises results by tool, in the order of mix.
func toolFiguresOf(results []benchCall, mix []int) []toolFigures {
	out := make([]toolFigures, len(mix))
	at := map[int]int{}
	lat := make([][]time.Duration, len(mix))
	over := make([][]time.Duration, len(mix))
	apiBytes := make([]int64, len(mix))
	resBytes := make([]int64, len(mix))
	for k, tool := range mix {
		out[k] = toolFigures{Tool: benchTools[tool].name, Provider: benchTools[tool].provider}
		at[tool] = k
	}
	for _, r := range results {
		k := at[r.tool]
		out[k].Calls++
		if r.err != nil {
			out[k].Errors++
			continue
		}
		lat[k], over[k] = append(lat[k], r.latency), append(over[k], r.overhead)
		apiBytes[k] += r.apiBytes
		resBytes[k] += r.resultBytes
	}
	for k := range out {
		out[k].Latency, out[k].Overhead = benchSummary(lat[k]), benchSummary(over[k])
		if n := int64(len(lat[k])); n > 0 {
			out[k].APIBytes, out[k].ResultBytes = apiBytes[k]/n, resBytes[k]/n
		}
	}
	return out
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
// host with none); "reused" the second calls of the "fresh" users. Each
// plugin is measured with its first tool in benchTools. The pool counters
// tell which source each call actually used.
func (b *bencher) firstCalls(ctx context.Context, source string) []sourceReport {
	var out []sourceReport
	_, first := benchProviders()
	for _, tool := range first {
		pl := b.plugin(benchTools[tool].provider)
		rep := sourceReport{Source: source, Plugin: pl.Name(), Tool: benchTools[tool].name}
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
