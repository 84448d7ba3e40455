package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// printLevels prints a mix's levels: the calls in total, at each
// concurrency, and the first error of any level that had errors.
func printLevels(w io.Writer, levels []levelReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "in flight\tcalls/s\toverhead p50\tp99\tmax\tlatency p50\tp99\tmax\terrors\treused\tfresh\tnew\tdiscarded\tother procs' CPU\t")
	busy := false
	for _, l := range levels {
		fmt.Fprintf(tw, "%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%d\t%d\t%d\t%d\t%d\t%.0f%%\t\n", l.Concurrency, l.CallsPerSec,
			l.Overhead.P50US, l.Overhead.P99US, l.Overhead.MaxUS, l.Latency.P50US, l.Latency.P99US, l.Latency.MaxUS,
			l.Errors, l.Pool.Reused, l.Pool.Fresh, l.Pool.Created, l.Pool.Discarded, l.OthersCPU)
		busy = busy || l.OthersCPU > 5
	}
	tw.Flush()
	if busy {
		fmt.Fprintln(w, "WARNING: other processes used the CPU during the runs; these figures are not the host's alone.")
	}
	for _, l := range levels {
		if l.Errors > 0 {
			fmt.Fprintf(w, "  %d in flight: first error: %s\n", l.Concurrency, l.FirstError)
		}
	}
}

// printTools prints each tool's figures at each level of levels.
func printTools(w io.Writer, levels []levelReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tool\tin flight\tcalls\terrors\toverhead p50\tp99\tlatency p50\tp99\tAPI KB\tresult KB\t")
	for _, l := range levels {
		for _, t := range l.Tools {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.1f\t%.1f\t\n", t.Tool, l.Concurrency, t.Calls, t.Errors,
				t.Overhead.P50US, t.Overhead.P99US, t.Latency.P50US, t.Latency.P99US,
				float64(t.APIBytes)/1024, float64(t.ResultBytes)/1024)
		}
	}
	tw.Flush()
}

// printAPIRequests prints the requests each fake API got with its
// provider's token.
func printAPIRequests(w io.Writer, reqs map[string]int64) {
	names := make([]string, 0, len(reqs))
	for n := range reqs {
		names = append(names, n)
	}
	slices.Sort(names)
	fmt.Fprint(w, "API requests with their provider's token:")
	for _, n := range names {
		fmt.Fprintf(w, " %s %d", n, reqs[n])
	}
	fmt.Fprintln(w)
}
