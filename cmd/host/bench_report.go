package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/wasmcp/wasmcp/host"
)

// benchReport is what "host bench" prints; its JSON form is --json's.
type benchReport struct {
	Machine    benchMachine   `json:"machine"`
	Transport  string         `json:"transport"`
	Users      int            `json:"users"`
	Calls      int            `json:"calls_per_level"`
	HeavyCalls int            `json:"heavy_calls_per_level"`
	LoadMS     float64        `json:"load_ms"`
	Loopback   loopbackReport `json:"loopback_http"`
	// Levels are the light mix's, on which the targets are judged; Heavy
	// the payload-heavy mix's.
	Levels     []levelReport  `json:"levels"`
	Heavy      []levelReport  `json:"heavy_levels"`
	Sources    []sourceReport `json:"instance_sources"`
	Memory     []benchMem     `json:"memory"`
	Pools      []poolReport   `json:"pools"`
	Mismatches int            `json:"token_mismatches"`
	// APIRequests are the requests each fake API (by provider) got with
	// its provider's token, over the whole run.
	APIRequests map[string]int64 `json:"api_requests"`
	Targets     []targetReport   `json:"targets"`
}

// loopbackReport is the time of plain HTTP round trips to the fakes.
type loopbackReport struct {
	API      benchDist `json:"api_get"`
	Exchange benchDist `json:"exchange_post"`
}

// levelReport is one concurrency level.
type levelReport struct {
	Concurrency int     `json:"concurrency"`
	Calls       int     `json:"calls"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	CallsPerSec float64 `json:"calls_per_sec"`
	// OthersCPU is the share of the machine's CPU other processes used
	// during the level, in percent.
	OthersCPU float64    `json:"others_cpu_percent"`
	Overhead  benchDist  `json:"overhead"`
	Latency   benchDist  `json:"latency"`
	Pool      poolCounts `json:"pool"`
	// Tools are the level's figures by tool.
	Tools []toolFigures `json:"tools"`
}

// toolFigures are one tool's calls in a level. APIBytes is the mean size
// of the API's answers (what the host read and selected from), ResultBytes
// that of the JSON-RPC responses, over the calls that succeeded.
type toolFigures struct {
	Tool        string    `json:"tool"`
	Provider    string    `json:"provider"`
	Calls       int       `json:"calls"`
	Errors      int       `json:"errors"`
	Overhead    benchDist `json:"overhead"`
	Latency     benchDist `json:"latency"`
	APIBytes    int64     `json:"api_bytes"`
	ResultBytes int64     `json:"result_bytes"`
}

// sourceReport is the latency of serial calls whose instance came from
// Source: "reused" (the user's idle one), "fresh" (warm, never used) or
// "new" (created on the call's path), calling Tool. Other counts calls that
// failed or took another source.
type sourceReport struct {
	Source   string    `json:"source"`
	Plugin   string    `json:"plugin"`
	Tool     string    `json:"tool"`
	Latency  benchDist `json:"latency"`
	Overhead benchDist `json:"overhead"`
	Other    int       `json:"other"`
}

type poolReport struct {
	Plugin string `json:"plugin"`
	host.PoolStats
}

type targetReport struct {
	What string  `json:"what"`
	Want string  `json:"want"`
	Got  float64 `json:"got"`
	Met  bool    `json:"met"`
}

// judge checks the targets: the p50 overhead of serial calls, and the
// throughput at the highest concurrency.
func (r *benchReport) judge() {
	var serial, top *levelReport
	for i := range r.Levels {
		l := &r.Levels[i]
		if l.Concurrency == 1 {
			serial = l
		}
		if top == nil || l.Concurrency > top.Concurrency {
			top = l
		}
	}
	if serial != nil {
		r.Targets = append(r.Targets, targetReport{
			What: "p50 host overhead, 1 in flight (µs)", Want: fmt.Sprintf("≤ %d", targetP50Overhead.Microseconds()),
			Got: serial.Overhead.P50US, Met: serial.Errors == 0 && serial.Overhead.P50US <= micros(targetP50Overhead),
		})
	}
	if top != nil {
		r.Targets = append(r.Targets, targetReport{
			What: fmt.Sprintf("calls/s, %d in flight, %d users", top.Concurrency, r.Users), Want: fmt.Sprintf("≥ %d", targetCallsPerSec),
			Got: top.CallsPerSec, Met: top.Errors == 0 && top.CallsPerSec >= targetCallsPerSec,
		})
	}
}

// failure is the command's error: failed calls or tokens sent astray. A
// missed target is reported, not an error.
func (r *benchReport) failure() error {
	n := 0
	for _, l := range append(r.Levels[:len(r.Levels):len(r.Levels)], r.Heavy...) {
		n += l.Errors
	}
	if n > 0 {
		return fmt.Errorf("%d calls failed", n)
	}
	if r.Mismatches > 0 {
		return fmt.Errorf("%d API requests carried another provider's token", r.Mismatches)
	}
	return nil
}

func (r *benchReport) print(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "host bench: %d CPUs (GOMAXPROCS %d), %s, %s %s\n", m.CPUs, m.GOMAXPROCS, m.CPUModel, m.GoVersion, m.OS)
	fmt.Fprintf(w, "transport %s, %d users, %d light and %d heavy calls per level, plugins loaded in %.0f ms\n\n",
		r.Transport, r.Users, r.Calls, r.HeavyCalls, r.LoadMS)

	fmt.Fprintln(w, "Tool calls, light mix (µs; overhead = latency − time inside the fakes' handlers):")
	printLevels(w, r.Levels)
	fmt.Fprintln(w, "\nTool calls, payload-heavy mix (µs):")
	printLevels(w, r.Heavy)
	fmt.Fprintln(w, "\nBy tool (µs; API KB: the answer the host read and selected from; result KB: the response):")
	printTools(w, append(r.Levels[:len(r.Levels):len(r.Levels)], r.Heavy...))
	fmt.Fprintf(w, "Loopback HTTP round trip, plain client (µs): API GET p50 %.0f, exchange POST p50 %.0f\n\n",
		r.Loopback.API.P50US, r.Loopback.Exchange.P50US)

	fmt.Fprintln(w, "Serial calls by instance source (µs):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "source\tplugin\ttool\tcalls\tlatency p50\tp99\toverhead p50\tother\t")
	for _, s := range r.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.0f\t%.0f\t%.0f\t%d\t\n", s.Source, s.Plugin, s.Tool, s.Latency.N,
			s.Latency.P50US, s.Latency.P99US, s.Overhead.P50US, s.Other)
	}
	tw.Flush()
	fmt.Fprintln(w, "  reused: a clean instance reset after an earlier call (the user's own with pool.per_user);")
	fmt.Fprintln(w, "  fresh: a warm, never used one; new: created on the call's path (no clean one ready),")
	fmt.Fprintln(w, "  its call running the guest's init, and closed after it.")
	fmt.Fprintln(w)

	fmt.Fprintln(w, "Memory (MiB):")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "when\tinstances\tRSS\tpeak RSS\tGo heap\tGo sys\t")
	for _, s := range r.Memory {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n", s.When, s.Instances, s.RSSMiB, s.PeakRSSMiB, s.HeapMiB, s.GoSysMiB)
	}
	tw.Flush()
	fmt.Fprintln(w)

	fmt.Fprintln(w, "Instance pools at the end of the runs:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "plugin\treused\tfresh\tcreated\tdiscarded\tidle\twarm\t")
	for _, p := range r.Pools {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", p.Plugin, p.Reused, p.Fresh, p.Created, p.Discarded, p.Idle, p.Warm)
	}
	tw.Flush()
	printAPIRequests(w, r.APIRequests)
	if r.Mismatches > 0 {
		fmt.Fprintf(w, "WARNING: %d API requests carried another provider's token\n", r.Mismatches)
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "Targets:")
	for _, t := range r.Targets {
		verdict := "NOT MET"
		if t.Met {
			verdict = "met"
		}
		fmt.Fprintf(w, "  %-40s want %-6s got %8.0f  %s\n", t.What, t.Want, t.Got, verdict)
	}
}

// poolCounts are pool counters summed over plugins, or a difference.
type poolCounts struct {
	Reused    int64 `json:"reused"`
	Fresh     int64 `json:"fresh"`
	Created   int64 `json:"created"`
	Discarded int64 `json:"discarded"`
}

func poolTotals(h *host.Host) poolCounts {
	var c poolCounts
	for _, pl := range h.Plugins() {
		d := poolDelta(pl.Stats(), host.PoolStats{})
		c.Reused, c.Fresh, c.Created, c.Discarded = c.Reused+d.Reused, c.Fresh+d.Fresh, c.Created+d.Created, c.Discarded+d.Discarded
	}
	return c
}

func poolDelta(after, before host.PoolStats) poolCounts {
	return poolCounts{after.Reused - before.Reused, after.Fresh - before.Fresh, after.Created - before.Created, after.Discarded - before.Discarded}
}

func (c poolCounts) minus(d poolCounts) poolCounts {
	return poolCounts{c.Reused - d.Reused, c.Fresh - d.Fresh, c.Created - d.Created, c.Discarded - d.Discarded}
}
