package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchCommand runs a small "host bench" and checks its JSON report: no
// failed call, the pool paths it claims, memory and targets present. It
// needs the plugins of "make build" (make test builds them first).
func TestBenchCommand(t *testing.T) {
	plugins, err := filepath.Abs(filepath.Join("..", "..", "dist", "plugins"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"github.wasm", "reddit.wasm"} {
		if _, err := os.Stat(filepath.Join(plugins, name)); err != nil {
			t.Fatalf("%s is missing: run \"make build\" first (make test does)", filepath.Join("dist", "plugins", name))
		}
	}
	// The compilation cache is kept between runs, as the host tests do.
	cache := filepath.Join(os.TempDir(), "wasmcp-host-test-wazero-cache")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--plugins", plugins, "--cache-dir", cache,
		"--calls", "12", "--users", "3", "--concurrency", "1,3", "--samples", "1", "--json"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s\nstdout:\n%s", code, stderr.String(), stdout.String())
	}
	var rep benchReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout.String())
	}
	if len(rep.Levels) != 2 || rep.Levels[0].Concurrency != 1 || rep.Levels[1].Concurrency != 3 {
		t.Fatalf("levels = %+v", rep.Levels)
	}
	for _, l := range rep.Levels {
		// Instances are reset after each call and shared by every user:
		// after the warm-up, one call at a time always finds a clean one
		// (reset after an earlier call, or warm and never used); with calls
		// in flight, a call may find none and create one.
		p := l.Pool
		if l.Errors != 0 || l.Latency.N != 12 || p.Reused+p.Fresh+p.Created != 12 || p.Discarded != 0 || l.CallsPerSec <= 0 ||
			l.Concurrency == 1 && p.Created != 0 {
			t.Errorf("level %+v", l)
		}
		if l.Overhead.P50US <= 0 || l.Overhead.P50US > l.Latency.P50US {
			t.Errorf("level %d: overhead %+v, latency %+v", l.Concurrency, l.Overhead, l.Latency)
		}
	}
	got := map[string]int{}
	for _, s := range rep.Sources {
		got[s.Source] += s.Latency.N + s.Other
	}
	if got["fresh"] != 2 || got["reused"] != 2 || got["new"] != 2 {
		t.Errorf("instance sources %+v", rep.Sources)
	}
	if len(rep.Memory) != 4 || rep.Memory[1].RSSMiB <= 0 || rep.Memory[1].Instances != 4 {
		t.Errorf("memory %+v", rep.Memory)
	}
	if len(rep.Pools) != 2 || len(rep.Targets) != 2 || rep.Mismatches != 0 {
		t.Errorf("pools %+v, targets %+v, mismatches %d", rep.Pools, rep.Targets, rep.Mismatches)
	}
}

func TestBenchFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--concurrency", "0"},
		{"--concurrency", "1,x"},
		{"--calls", "0"},
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
