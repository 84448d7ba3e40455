package host

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/wasmcp/wasmcp/host/auth"
	"github.com/wasmcp/wasmcp/internal/telemetry"
)

// The host's hooks into package telemetry: the instruments of a Host
// (Options.Telemetry), the collector read at each scrape, and the span and
// histogram of the token exchange. See internal/telemetry for what is
// recorded, and the README, "Metrics" and "Traces".

// setTelemetry gives the host its instruments, before any plugin loads:
// the gate's refusals, the exchanges, and the pools read when scraped. A
// Telemetry serves one Host.
func (h *Host) setTelemetry(t *telemetry.Telemetry) {
	if t == nil {
		return
	}
	h.tel = t
	h.gate.tel = t
	h.exchanger = &observedExchanger{next: h.exchanger, tel: t, mock: isMock(h.exchanger)}
	t.ObserveHost(h.telemetrySample)
}

func isMock(e auth.Exchanger) bool {
	_, ok := e.(*auth.Mock)
	return ok
}

// telemetrySample is the state of the host's plugins, pools and caps, for
// a scrape.
func (h *Host) telemetrySample() telemetry.HostSample {
	pls := h.reg.list()
	s := telemetry.HostSample{Plugins: make([]telemetry.PoolSample, 0, len(pls)), InFlight: h.gate.inFlightNow()}
	for _, pl := range pls {
		st := pl.Stats()
		s.Plugins = append(s.Plugins, telemetry.PoolSample{
			Plugin: pl.Name(), Idle: st.Idle, Warm: st.Warm,
			Created: st.Created, Reused: st.Reused, Fresh: st.Fresh, Discarded: st.Discarded,
			Resets: st.Resets, Waits: st.Waited, InstanceBytes: pl.footprint.Load(),
			Resident: pl.Resident(), CodeLoads: pl.loads.Load(), CodeUnloads: pl.unloads.Load(),
			FromTemplate: pl.cloned.Load(),
		})
	}
	if b := h.loader.budget; b != nil {
		b.mu.Lock()
		s.BudgetUsed, s.BudgetLimit = b.used, b.max
		b.mu.Unlock()
	}
	return s
}

// inFlightNow is the number of calls admitted and not yet released.
func (g *gate) inFlightNow() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inFlight
}

// observedExchanger times each exchange, by provider, outcome and backend
// status, under a span of its own. The status of a successful exchange
// with the backend is 200, the only one it accepts; mock mode has none.
type observedExchanger struct {
	next auth.Exchanger
	tel  *telemetry.Telemetry
	mock bool
}

func (e *observedExchanger) Exchange(ctx context.Context, c auth.Credentials) (string, *auth.Error) {
	ctx, span := e.tel.StartExchange(ctx, c.ProviderID)
	start := time.Now()
	token, aerr := e.next.Exchange(ctx, c)
	outcome, status := telemetry.OutcomeOK, 200
	switch {
	case aerr != nil:
		outcome, status = aerr.Code, aerr.Status
	case e.mock:
		status = 0
	}
	e.tel.ExchangeDone(span, c.ProviderID, outcome, status, time.Since(start))
	return token, aerr
}

// endMetaSpan ends the span of _meta validation, failed with the error's
// code if there is one.
func endMetaSpan(span trace.Span, aerr *auth.Error) {
	code := ""
	if aerr != nil {
		code = aerr.Code
	}
	telemetry.End(span, code)
}

// endInstanceSpan ends the span of getting an instance, failed with the
// call's outcome (over_budget, instance_error) when err is not nil.
func endInstanceSpan(span trace.Span, err error) {
	code := ""
	var budget *errBudget
	switch {
	case errors.As(err, &budget):
		code = "over_budget"
	case err != nil:
		code = "instance_error"
	}
	telemetry.End(span, code)
}
