// Package telemetry holds the host's instruments: its Prometheus metrics and
// its OpenTelemetry tracer, shared by package host and package hostfuncs so
// that each of them records an event with one call.
//
// Everything here is built to cost next to nothing on a tool call: label
// sets are resolved once (per tool, per outcome, per host) and kept in
// copy-on-write maps that are read without a lock or an allocation, and with
// tracing off every span is a no-op value that touches no context.
//
// What it records never holds a secret: labels and span attributes are
// host-chosen names and codes (plugin, tool, provider, the declared host, an
// outcome, a status), never a userId, a token, a URL's path or query, or
// text a guest, a user or a backend wrote. See the README, "Metrics" and
// "Traces".
//
// A nil *Telemetry records nothing: hosts built without one, as in most
// tests, pay one nil check per event.
package telemetry

import (
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"
)

// Options configure New.
type Options struct {
	// TracerProvider makes the host's spans; nil turns tracing off. See
	// TracerProviderFromEnv.
	TracerProvider trace.TracerProvider
	// Version is the host's version, for the wasmcp_build_info metric.
	Version string
	// NoRuntimeMetrics leaves out the Go runtime and process collectors
	// (go_*, process_*), for tests that count series.
	NoRuntimeMetrics bool
}

// Telemetry is the instruments of one host: a Prometheus registry with the
// host's metrics, and a tracer. It is safe for concurrent use.
type Telemetry struct {
	reg     *prometheus.Registry
	m       *metrics
	tracer  trace.Tracer
	tracing bool

	exchanges cache[exchangeKey, prometheus.Observer]
	requests  cache[requestKey, observed]
}

// New returns the instruments, with the host's metrics registered.
func New(o Options) *Telemetry {
	t := &Telemetry{reg: prometheus.NewRegistry(), m: newMetrics()}
	t.m.register(t.reg)
	if !o.NoRuntimeMetrics {
		t.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	version := o.Version
	if version == "" {
		version = "dev"
	}
	t.m.build.WithLabelValues(version).Set(1)
	if o.TracerProvider != nil {
		t.tracer = o.TracerProvider.Tracer(instrumentationName, trace.WithInstrumentationVersion(version))
		t.tracing = true
	}
	return t
}

// instrumentationName names the tracer: the package that makes the spans.
const instrumentationName = "github.com/wasmcp/wasmcp/host"

// Registry returns the registry the metrics are in, to gather them or to
// register more (see MustRegister).
func (t *Telemetry) Registry() *prometheus.Registry { return t.reg }

// MustRegister adds collectors to the registry; it panics on a duplicate.
func (t *Telemetry) MustRegister(cs ...prometheus.Collector) {
	if t != nil {
		t.reg.MustRegister(cs...)
	}
}

// Handler serves the metrics in the Prometheus text format (or OpenMetrics,
// when the scraper asks for it), for /metrics.
func (t *Telemetry) Handler() http.Handler {
	return promhttp.HandlerFor(t.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// Tracing reports whether spans are recorded.
func (t *Telemetry) Tracing() bool { return t != nil && t.tracing }

// cache is a map read without a lock: a read loads the current map, and a
// miss copies it with the new entry, under mu. Its keys are bounded label
// sets, so it stops growing early and the copies stop with it.
type cache[K comparable, V any] struct {
	m  atomic.Pointer[map[K]V]
	mu sync.Mutex
}

// get returns the value of k, made by mk on the first get of k.
func (c *cache[K, V]) get(k K, mk func(K) V) V {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil {
		if v, ok := (*old)[k]; ok {
			return v
		}
	}
	n := make(map[K]V, 1+lenOf(old))
	if old != nil {
		for k, v := range *old {
			n[k] = v
		}
	}
	v := mk(k)
	n[k] = v
	c.m.Store(&n)
	return v
}

func lenOf[K comparable, V any](m *map[K]V) int {
	if m == nil {
		return 0
	}
	return len(*m)
}
