package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/host"
)

// TestBenchCommand runs a small "host bench" and checks its JSON report: no
// failed call, each tool of both mixes measured with the answer its fake
// sent, the pool paths it claims, memory and targets present, and each fake
// API reached by exactly its provider's calls, with its provider's token.
// The expectations follow the plugins in dist/plugins: the bench needs the
// providers of benchTools and loads any others. It needs the plugins of
// "make build" (make test builds them first).
func TestBenchCommand(t *testing.T) {
	plugins, err := filepath.Abs(filepath.Join("..", "..", "dist", "plugins"))
	if err != nil {
		t.Fatal(err)
	}
	providers, _ := benchProviders()
	for _, name := range providers {
		if _, err := os.Stat(filepath.Join(plugins, name+".wasm")); err != nil {
			t.Fatalf("%s is missing: run \"make build\" first (make test does)", filepath.Join("dist", "plugins", name+".wasm"))
		}
	}
	files, err := filepath.Glob(filepath.Join(plugins, "*.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	var loaded []string // the plugins the bench should have loaded
	for _, f := range files {
		loaded = append(loaded, strings.TrimSuffix(filepath.Base(f), ".wasm"))
	}
	// The compilation cache is kept between runs, as the host tests do.
	cache := filepath.Join(os.TempDir(), "wasmcp-host-test-wazero-cache")
	const users, samples = 3, 1
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--plugins", plugins, "--cache-dir", cache,
		"--calls", "12", "--heavy-calls", "6", "--users", strconv.Itoa(users), "--concurrency", "1,3",
		"--samples", strconv.Itoa(samples), "--json"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s\nstdout:\n%s", code, stderr.String(), stdout.String())
	}
	var rep benchReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout.String())
	}
	// calls counts the calls of each provider, to compare with the
	// requests its fake got: the warm-up's (each user calls each tool
	// once), the levels' and the instance sources'. Each bench tool sends
	// one request.
	calls := map[string]int64{}
	for _, tl := range benchTools {
		calls[tl.provider] += users
	}
	for _, mix := range []struct {
		name   string
		levels []levelReport
		n      int
		tools  []int
	}{{"light", rep.Levels, 12, benchMix(false)}, {"heavy", rep.Heavy, 6, benchMix(true)}} {
		if len(mix.levels) != 2 || mix.levels[0].Concurrency != 1 || mix.levels[1].Concurrency != 3 {
			t.Fatalf("%s levels = %+v", mix.name, mix.levels)
		}
		for _, l := range mix.levels {
			// Instances are reset after each call and shared by every
			// user: after the warm-up, one call at a time always finds
			// a clean one (reset after an earlier call, or warm and never
			// used); with calls in flight, a call may find none and
			// create one.
			p := l.Pool
			if l.Errors != 0 || l.Calls != mix.n || l.Latency.N != mix.n || p.Reused+p.Fresh+p.Created != int64(mix.n) || p.Discarded != 0 ||
				l.CallsPerSec <= 0 || l.Concurrency == 1 && p.Created != 0 {
				t.Errorf("%s level %+v", mix.name, l)
			}
			if l.Overhead.P50US <= 0 || l.Overhead.P50US > l.Latency.P50US {
				t.Errorf("%s level %d: overhead %+v, latency %+v", mix.name, l.Concurrency, l.Overhead, l.Latency)
			}
			if len(l.Tools) != len(mix.tools) {
				t.Fatalf("%s level %d: tools %+v", mix.name, l.Concurrency, l.Tools)
			}
			sum := 0
			for k, tf := range l.Tools {
				want := benchTools[mix.tools[k]]
				sum += tf.Calls
				calls[tf.Provider] += int64(tf.Calls)
				// A heavy tool's fake sends its provider's real answer,
				// 100 KB or more.
				if tf.Tool != want.name || tf.Provider != want.provider || tf.Calls == 0 || tf.Errors != 0 || tf.Latency.N != tf.Calls ||
					tf.Overhead.P50US <= 0 || tf.APIBytes <= 0 || tf.ResultBytes <= 0 || want.heavy && tf.APIBytes < 100<<10 {
					t.Errorf("%s level %d: tool %+v", mix.name, l.Concurrency, tf)
				}
			}
			if sum != l.Calls {
				t.Errorf("%s level %d: the tools' calls add up to %d of %d", mix.name, l.Concurrency, sum, l.Calls)
			}
		}
	}
	got := map[string][]string{} // plugins by source
	for _, s := range rep.Sources {
		if s.Latency.N+s.Other != samples {
			t.Errorf("instance source %+v", s)
		}
		got[s.Source] = append(got[s.Source], s.Plugin)
		calls[s.Plugin] += samples
	}
	for _, src := range []string{"fresh", "reused", "new"} {
		if !slices.Equal(got[src], providers) {
			t.Errorf("instance source %s measured %v, want %v", src, got[src], providers)
		}
	}
	if len(got) != 3 {
		t.Errorf("instance sources %+v", rep.Sources)
	}
	var pools []string
	for _, p := range rep.Pools {
		pools = append(pools, p.Plugin)
	}
	slices.Sort(pools)
	if !slices.Equal(pools, loaded) {
		t.Errorf("pools of %v, want one for each of %v", pools, loaded)
	}
	if warm := host.DefaultPool().Warm; len(rep.Memory) != 4 || rep.Memory[1].RSSMiB <= 0 || rep.Memory[1].Instances != len(loaded)*warm {
		t.Errorf("memory %+v, want %d instances once loaded", rep.Memory, len(loaded)*warm)
	}
	if rep.Loopback.API.N != 200 || rep.Loopback.Exchange.N != 200 {
		t.Errorf("loopback round trips %+v", rep.Loopback)
	}
	if len(rep.Targets) != 2 || rep.Mismatches != 0 {
		t.Errorf("targets %+v, mismatches %d", rep.Targets, rep.Mismatches)
	}
	if !maps.Equal(rep.APIRequests, calls) {
		t.Errorf("the fake APIs got %v requests with their provider's token, want %v", rep.APIRequests, calls)
	}
}

func TestBenchFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--concurrency", "0"},
		{"--concurrency", "1,x"},
		{"--calls", "0"},
		{"--heavy-calls", "0"},
		{"--transport", "carrier-pigeon"},
		{"extra"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"bench", "--plugins", t.TempDir()}, args...), nil, &stdout, &stderr)
		if code != exitUsage {
			t.Errorf("bench %v: exit %d, want %d; stderr %s", args, code, exitUsage, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"bench", "--help"}, nil, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "Host overhead is") {
		t.Errorf("--help: exit %d, stdout %s", code, stdout.String())
	}
}
