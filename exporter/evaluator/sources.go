package evaluator

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// TelemetrySourceName labels the Prometheus telemetry source in metrics:
// the server's URL would make a poor, changing label value.
const TelemetrySourceName = "prometheus"

// SourceOutcome is what one evaluation saw of one source.
type SourceOutcome struct {
	Name     string
	Queries  int
	Errors   int
	Duration time.Duration // time spent in this source's queries
	Err      error         // the first error
}

// OK reports whether every query of the source succeeded.
func (o SourceOutcome) OK() bool { return o.Errors == 0 }

// tally records the queries of one evaluation per source. The engine may
// query concurrently, hence the mutex.
type tally struct {
	mu      sync.Mutex
	sources map[string]*SourceOutcome
}

func (t *tally) observe(name string, d time.Duration, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sources == nil {
		t.sources = map[string]*SourceOutcome{}
	}
	o := t.sources[name]
	if o == nil {
		o = &SourceOutcome{Name: name}
		t.sources[name] = o
	}
	o.Queries++
	o.Duration += d
	if err != nil {
		if o.Errors == 0 {
			o.Err = err
		}
		o.Errors++
	}
}

// outcomes lists the sources queried, sorted by name.
func (t *tally) outcomes() []SourceOutcome {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]SourceOutcome, 0, len(t.sources))
	for _, o := range t.sources {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// trackedEvents times the event store's queries.
type trackedEvents struct {
	events.Source
	t *tally
}

func (s trackedEvents) Exposures(ctx context.Context, sc events.Scope) (events.ExposureCounts, error) {
	start := time.Now()
	c, err := s.Source.Exposures(ctx, sc)
	s.t.observe(s.Name(), time.Since(start), err)
	return c, err
}

func (s trackedEvents) MetricSums(ctx context.Context, sc events.Scope, m events.Metric) ([]events.GroupSums, error) {
	start := time.Now()
	r, err := s.Source.MetricSums(ctx, sc, m)
	s.t.observe(s.Name(), time.Since(start), err)
	return r, err
}

// trackedHealthEvents is trackedEvents for a store that runs data-health
// checks: the wrapper must offer exactly the optional interfaces the store
// offers, or the engine would skip (or wrongly expect) its checks.
type trackedHealthEvents struct {
	trackedEvents
	checker events.HealthChecker
}

func (s trackedHealthEvents) Health(ctx context.Context, sc events.Scope, req events.HealthRequest) (events.HealthReport, error) {
	start := time.Now()
	r, err := s.checker.Health(ctx, sc, req)
	s.t.observe(s.Name(), time.Since(start), err)
	return r, err
}

// trackEvents wraps the store for one evaluation's tally.
func trackEvents(src events.Source, t *tally) events.Source {
	te := trackedEvents{Source: src, t: t}
	if hc, ok := src.(events.HealthChecker); ok {
		return trackedHealthEvents{trackedEvents: te, checker: hc}
	}
	return te
}

// trackedTelemetry times the Prometheus queries. Their failures do not fail
// the evaluation (the engine turns them into insufficient_data for the
// telemetry metrics); they show in the source's own success metric.
type trackedTelemetry struct {
	telemetry.Source
	t *tally
}

func (s trackedTelemetry) QueryRange(ctx context.Context, query string, r telemetry.Range) ([]telemetry.Series, error) {
	start := time.Now()
	series, err := s.Source.QueryRange(ctx, query, r)
	s.t.observe(TelemetrySourceName, time.Since(start), err)
	return series, err
}

// SourceStats accumulates one source's outcomes for one experiment.
type SourceStats struct {
	Name                string
	Evaluations, Errors uint64
	// Last is the source's outcome in the latest evaluation that queried
	// it, at LastAt; LastSuccess is the latest evaluation time at which
	// all its queries succeeded.
	Last        SourceOutcome
	LastAt      time.Time
	LastSuccess time.Time
}
