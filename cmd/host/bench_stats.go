package main

import (
	"bufio"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// benchDist summarises durations, in microseconds.
type benchDist struct {
	N      int     `json:"n"`
	MeanUS float64 `json:"mean_us"`
	P50US  float64 `json:"p50_us"`
	P99US  float64 `json:"p99_us"`
	MaxUS  float64 `json:"max_us"`
}

func benchSummary(ds []time.Duration) benchDist {
	if len(ds) == 0 {
		return benchDist{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return benchDist{
		N:      len(s),
		MeanUS: micros(sum / time.Duration(len(s))),
		P50US:  micros(benchQuantile(s, 0.50)),
		P99US:  micros(benchQuantile(s, 0.99)),
		MaxUS:  micros(s[len(s)-1]),
	}
}

// benchQuantile returns the q-benchQuantile of sorted, by nearest rank.
func benchQuantile(sorted []time.Duration, q float64) time.Duration {
	return sorted[int(q*float64(len(sorted)-1)+0.5)]
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// benchMem is the process's memory at one point of the run.
type benchMem struct {
	When string `json:"when"`
	// RSSMiB is VmRSS, the resident set; PeakRSSMiB is VmHWM, its peak.
	RSSMiB     float64 `json:"rss_mib"`
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// HeapMiB is the Go heap in use; GoSysMiB all memory the Go runtime
	// holds from the OS. wazero's compiled code is mapped outside both.
	HeapMiB  float64 `json:"go_heap_mib"`
	GoSysMiB float64 `json:"go_sys_mib"`
	// Instances is the number of live plugin instances (idle and warm).
	Instances int `json:"instances"`
}

// readBenchMem samples memory after a garbage collection, so the heap figure is
// what is live.
func readBenchMem(when string, instances int) benchMem {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := benchMem{
		When:      when,
		HeapMiB:   toMiB(ms.HeapInuse),
		GoSysMiB:  toMiB(ms.Sys),
		Instances: instances,
	}
	status := procStatus()
	m.RSSMiB = float64(status["VmRSS"]) / 1024
	m.PeakRSSMiB = float64(status["VmHWM"]) / 1024
	return m
}

func toMiB(b uint64) float64 { return float64(b) / (1 << 20) }

// procStatus returns the kB fields of /proc/self/status (empty off Linux).
func procStatus() map[string]int64 {
	out := map[string]int64{}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64); err == nil {
			out[k] = n
		}
	}
	return out
}

// benchMachine describes where the figures were measured.
type benchMachine struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUModel   string `json:"cpu_model"`
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
}

func readMachine() benchMachine {
	m := benchMachine{
		CPUs:       runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS + "/" + runtime.GOARCH,
		CPUModel:   "unknown",
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// cpuSample is the machine's and the process's CPU time so far.
type cpuSample struct {
	busy, total time.Duration // all CPUs, from /proc/stat
	own         time.Duration // this process, user and system
}

// clockTick is USER_HZ, the unit of /proc/stat on Linux.
const clockTick = 10 * time.Millisecond

func readCPU() cpuSample {
	var s cpuSample
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.own = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	for i, f := range fields[1:] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || i >= 8 {
			break
		}
		d := time.Duration(n) * clockTick
		s.total += d
		if i != 3 && i != 4 { // idle, iowait
			s.busy += d
		}
	}
	return s
}

// othersPercent is the share of the machine's CPU time between a and b
// used by other processes: figures taken while it is high are not this
// host's alone.
func othersPercent(a, b cpuSample) float64 {
	total := b.total - a.total
	if total <= 0 {
		return 0
	}
	others := (b.busy - a.busy) - (b.own - a.own)
	return max(0, 100*float64(others)/float64(total))
}

// startCPUProfile profiles the process into file until stop is called; an
// empty file name profiles nothing.
func startCPUProfile(file string) (stop func(), err error) {
	if file == "" {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
