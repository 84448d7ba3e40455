package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"
)

// namespace prefixes every metric of the host.
const namespace = "wasmcp"

// Buckets, in seconds. A warm tool call takes well under a millisecond of
// host time plus its plugin's HTTP requests; the default call limit is 30 s.
var (
	callBuckets     = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	exchangeBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	httpBuckets     = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
)

// metrics are the instruments the host records into as things happen; the
// gauges and pool counters are read when scraped (see ObserveHost).
type metrics struct {
	build    *prometheus.GaugeVec
	calls    *prometheus.CounterVec
	callTime *prometheus.HistogramVec
	refused  *prometheus.CounterVec
	exchTime *prometheus.HistogramVec
	httpReqs *prometheus.CounterVec
	httpTime *prometheus.HistogramVec
	loads    *prometheus.CounterVec
}

func newMetrics() *metrics {
	return &metrics{
		build: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "build_info",
			Help: "Always 1; its label is the host's version.",
		}, []string{"version"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "tool_calls_total",
			Help: "Tool calls by plugin, tool and outcome (the outcome of the call's log line), refused ones included.",
		}, []string{"plugin", "tool", "outcome"}),
		callTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "tool_call_duration_seconds",
			Help:    "Time of a tool call admitted by the call caps, from its start to its answer, exchange included, by plugin, tool and outcome.",
			Buckets: callBuckets,
		}, []string{"plugin", "tool", "outcome"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "calls_refused_total",
			Help: "Tool calls refused by the calls caps before any work, by reason: host_busy (calls.max_in_flight), user_busy (calls.per_user_in_flight), rate_limited (calls.per_user_rate).",
		}, []string{"reason"}),
		exchTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "token_exchange_duration_seconds",
			Help:    "Time of a token exchange, by provider, outcome (ok or the error code) and the backend's HTTP status (none when no response was read, or in mock mode).",
			Buckets: exchangeBuckets,
		}, []string{"provider", "outcome", "status"}),
		httpReqs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "HTTP requests plugins asked the host for, by plugin, declared host (none when refused before sending) and status class (2xx..5xx; refused: not sent; error: sent, no response).",
		}, []string{"plugin", "host", "status_class"}),
		httpTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "Time of an HTTP request the host sent for a plugin, redirects and body included, by plugin and declared host.",
			Buckets: httpBuckets,
		}, []string{"plugin", "host"}),
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "plugin_loads_total",
			Help: "Plugin loads, by outcome: ok, failed (refused: bad module, pin, descriptor), collision (a name already served), compile_failed (after a cached descriptor).",
		}, []string{"outcome"}),
	}
}

func (m *metrics) register(reg *prometheus.Registry) {
	reg.MustRegister(m.build, m.calls, m.callTime, m.refused, m.exchTime, m.httpReqs, m.httpTime, m.loads)
}

// Outcomes of plugin loads, for PluginLoad.
const (
	LoadOK            = "ok"
	LoadFailed        = "failed"
	LoadCollision     = "collision"
	LoadCompileFailed = "compile_failed"
)

// PluginLoad counts a plugin load by its outcome (one of the Load*
// constants).
func (t *Telemetry) PluginLoad(outcome string) {
	if t == nil {
		return
	}
	t.m.loads.WithLabelValues(outcome).Inc()
}

// observed is one label set of a counter and a histogram, resolved once.
type observed struct {
	count prometheus.Counter
	time  prometheus.Observer
}

// HostSample is what the host reports when scraped.
type HostSample struct {
	// Plugins are the loaded plugins' pools.
	Plugins []PoolSample
	// InFlight is the tool calls admitted and not yet answered.
	InFlight int
	// BudgetUsed and BudgetLimit are the bytes of the memory budget
	// (pool.max_bytes) in use and allowed; both 0 without a budget.
	BudgetUsed, BudgetLimit int64
}

// PoolSample is one plugin's pool, as its counters stand (they restart at
// 0 when the plugin is reloaded, which Prometheus reads as a reset).
type PoolSample struct {
	Plugin                                           string
	Idle, Warm                                       int
	Created, Reused, Fresh, Discarded, Resets, Waits int64
	// InstanceBytes is what one instance holds, as last measured.
	InstanceBytes int64
	// Resident says the plugin's compiled code is in memory; CodeLoads and
	// CodeUnloads count its loads and its unloads after an idle period.
	Resident               bool
	CodeLoads, CodeUnloads int64
	// FromTemplate counts the instances that started from the plugin's
	// snapshot instead of initialising.
	FromTemplate int64
}

// ObserveHost registers a collector that calls sample at each scrape, for
// the gauges and the pool counters.
func (t *Telemetry) ObserveHost(sample func() HostSample) {
	if t == nil {
		return
	}
	t.reg.MustRegister(&hostCollector{sample: sample})
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
}

var (
	descPlugins   = desc("plugins_loaded", "Plugins loaded and serving tools.")
	descInFlight  = desc("calls_in_flight", "Tool calls admitted by the calls caps and not yet answered.")
	descIdle      = desc("pool_idle_instances", "Idle instances kept per user (pool.per_user, or plugins that cannot be reset).", "plugin")
	descWarm      = desc("pool_warm_instances", "Clean instances ready for any user's next call.", "plugin")
	descCreated   = desc("pool_instances_created_total", "Instances made on a call's own path, because none was ready.", "plugin")
	descTemplate  = desc("pool_instances_from_template_total", "Instances made from the plugin's snapshot (the first instance's), without initialising the guest again.", "plugin")
	descReused    = desc("pool_instances_reused_total", "Calls served by an instance used before: reset, or idle for the same user.", "plugin")
	descFresh     = desc("pool_instances_fresh_total", "Calls served by a warm instance never used before.", "plugin")
	descDiscarded = desc("pool_instances_discarded_total", "Instances closed after a failed call, a limit hit, or a reset that could not be done.", "plugin")
	descResets    = desc("pool_instance_resets_total", "Instances reset after a call, to serve any user next.", "plugin")
	descWaits     = desc("pool_waits_total", "Calls that found no clean instance and were handed one as it came free or was made.", "plugin")
	descInstBytes = desc("instance_memory_bytes", "Memory one instance of the plugin holds (its linear memories), as last measured.", "plugin")
	descResident  = desc("plugin_code_resident", "1 while the plugin's compiled code is in memory; 0 before its first call and after pool.unload_after with no call.", "plugin")
	descLoads     = desc("plugin_code_loads_total", "Loads of the plugin's compiled code: at its first call, or again after an unload.", "plugin")
	descUnloads   = desc("plugin_code_unloads_total", "Unloads of the plugin's instances and compiled code after pool.unload_after with no call.", "plugin")
	descBudget    = desc("memory_budget_used_bytes", "Bytes of the instances' memory budget (pool.max_bytes) in use; only with a budget.")
	descBudgetMax = desc("memory_budget_limit_bytes", "The instances' memory budget (pool.max_bytes); only with a budget.")
)

type hostCollector struct{ sample func() HostSample }

func (c *hostCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPlugins, descInFlight, descIdle, descWarm, descCreated, descTemplate, descReused, descFresh,
		descDiscarded, descResets, descWaits, descInstBytes, descResident, descLoads, descUnloads, descBudget, descBudgetMax} {
		ch <- d
	}
}

func (c *hostCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.sample()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge(descPlugins, float64(len(s.Plugins)))
	gauge(descInFlight, float64(s.InFlight))
	seen := make(map[string]bool, len(s.Plugins))
	for _, p := range s.Plugins {
		if seen[p.Plugin] {
			continue // a registry never holds two plugins of one name; a duplicate would fail the scrape
		}
		seen[p.Plugin] = true
		gauge(descIdle, float64(p.Idle), p.Plugin)
		gauge(descWarm, float64(p.Warm), p.Plugin)
		counter(descCreated, p.Created, p.Plugin)
		counter(descTemplate, p.FromTemplate, p.Plugin)
		counter(descReused, p.Reused, p.Plugin)
		counter(descFresh, p.Fresh, p.Plugin)
		counter(descDiscarded, p.Discarded, p.Plugin)
		counter(descResets, p.Resets, p.Plugin)
		counter(descWaits, p.Waits, p.Plugin)
		gauge(descInstBytes, float64(p.InstanceBytes), p.Plugin)
		resident := 0.0
		if p.Resident {
			resident = 1
		}
		gauge(descResident, resident, p.Plugin)
		counter(descLoads, p.CodeLoads, p.Plugin)
		counter(descUnloads, p.CodeUnloads, p.Plugin)
	}
	if s.BudgetLimit > 0 {
		gauge(descBudget, float64(s.BudgetUsed))
		gauge(descBudgetMax, float64(s.BudgetLimit))
	}
}
