package collector

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/stats"
)

// Snapshotter is what the collector reads: the evaluator.
type Snapshotter interface {
	Snapshot() evaluator.Snapshot
}

// Collector exports the latest evaluations as liftgate_* metrics.
type Collector struct {
	src Snapshotter
	log *slog.Logger
}

// New returns a collector over src's snapshots.
func New(src Snapshotter, log *slog.Logger) *Collector {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Collector{src: src, log: log}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
}

// Collect implements prometheus.Collector. It reads one snapshot, so every
// series of a scrape comes from the same state.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.src.Snapshot()
	e := newEmitter(ch, c.log)
	collectPlans(e, s)
	for i := range s.Experiments {
		x := &s.Experiments[i]
		collectExperiment(e, x)
		collectEvaluation(e, x, s.Source)
		collectLateData(e, x)
		if x.Last.OK() {
			collectResult(e, x.Plan.ID, x.Last.Result)
		}
	}
}

func collectPlans(e *emitter, s evaluator.Snapshot) {
	e.flag(reloadSuccessful, s.Reload.OK)
	if !s.Reload.LastSuccess.IsZero() {
		e.gauge(reloadSuccessTimestamp, unixSeconds(s.Reload.LastSuccess))
	}
	for _, f := range s.Files {
		for _, status := range evaluator.FileStatuses() {
			e.flag(planFileStatus, f.Status == status, f.File, status)
		}
	}
}

func collectExperiment(e *emitter, x *evaluator.ExperimentView) {
	p := x.Plan
	id := p.ID
	e.gauge(experimentInfo, 1, id, p.Name, p.Owner, x.Hash, x.Stage, x.State, p.Control)
	e.flag(planOutdated, x.Outdated, id)
	e.gauge(significance, p.Analysis.Alpha, id)
	e.gauge(srmThreshold, p.Analysis.SRMThreshold, id)
	for _, st := range p.Schedule() {
		if st.Name == x.Stage {
			e.gauge(stageMinUnits, float64(st.MinUnitsPerArm), id)
		}
	}
	for _, m := range p.Metrics {
		e.gauge(metricInfo, 1, id, m.Name, m.Role, m.Kind, m.Direction)
		if m.Margin == nil {
			continue
		}
		if m.Margin.Relative != 0 {
			e.gauge(relativeMargin, m.Margin.Relative, id, m.Name)
		}
		if m.Margin.Absolute != 0 {
			e.gauge(absoluteMargin, m.Margin.Absolute, id, m.Name)
		}
	}

	// Every state of every state set is always present, so a gate's query
	// never comes back empty and `increase()` sees counters from zero.
	for _, cv := range x.Verdicts {
		for _, v := range stats.AllVerdicts() {
			e.flag(verdict, cv.Verdict == v, id, cv.Metric, cv.Arm, cv.Role, string(v))
			e.counter(verdictTransitions, float64(x.VerdictTransitions[cv.VerdictKey][v]), id, cv.Metric, cv.Arm, string(v))
		}
	}
	for _, a := range []string{engine.ActionProceed, engine.ActionHold, engine.ActionRollback} {
		e.flag(decision, x.Decision.Action == a, id, a)
		e.counter(decisionTransitions, float64(x.DecisionTransitions[a]), id, a)
	}
}

// collectEvaluation exports the evaluation meta-metrics per source: the
// event store always, Prometheus once a plan has queried it.
func collectEvaluation(e *emitter, x *evaluator.ExperimentView, store string) {
	id := x.Plan.ID
	if x.Last != nil {
		e.gauge(evaluationWall, x.Last.Duration.Seconds(), id)
	}
	seenStore := false
	for _, s := range x.Sources {
		seenStore = seenStore || s.Name == store
		e.counter(evaluations, float64(s.Evaluations), id, s.Name)
		e.counter(evaluationErrors, float64(s.Errors), id, s.Name)
		e.gauge(lastEvaluationTimestamp, unixSeconds(s.LastAt), id, s.Name)
		e.gauge(lastEvaluationDuration, s.Last.Duration.Seconds(), id, s.Name)
		e.flag(lastEvaluationSuccess, s.Last.OK(), id, s.Name)
		if !s.LastSuccess.IsZero() {
			e.gauge(lastSuccessTimestamp, unixSeconds(s.LastSuccess), id, s.Name)
		}
	}
	if !seenStore {
		// Counters exist from the start, so increase() sees the first error.
		e.counter(evaluations, 0, id, store)
		e.counter(evaluationErrors, 0, id, store)
	}
}

// collectResult exports the numbers of a current result. They are absent
// when the last evaluation failed: no stale numbers next to a verdict that
// says insufficient_data.
func collectResult(e *emitter, id string, r *engine.Result) {
	for _, a := range r.Arms {
		e.gauge(armUnits, float64(a.Units), id, a.Name)
		e.gauge(armExpectedShare, a.ExpectedWeight, id, a.Name)
	}
	e.gauge(excludedUnits, float64(r.ExcludedUnits), id, "multiple_arms")
	e.gauge(excludedUnits, float64(r.UnknownArmUnits), id, "unknown_arm")
	e.gauge(srmPValue, r.SRM.PValue, id)
	e.flag(srmMismatch, r.SRM.Mismatch, id)
	if h := r.Health; h != nil {
		for _, st := range []string{engine.HealthOK, engine.HealthWarn, engine.HealthBlock} {
			e.flag(dataHealth, h.Status == st, id, st)
		}
		if h.Watermark != nil {
			e.gauge(dataWatermark, unixSeconds(*h.Watermark), id)
		}
	}
	if tr := r.Traffic; tr != nil {
		for _, st := range []string{engine.TrafficOK, engine.TrafficMismatch, engine.TrafficInsufficientData} {
			e.flag(trafficSplit, tr.Status == st, id, st)
		}
		e.gauge(trafficPValue, tr.PValue, id)
	}
	for i := range r.Results {
		m := &r.Results[i]
		if m.SegmentValue != nil || m.Verdict == stats.InsufficientData && m.BaselineStats.N == 0 && m.ArmStats.N == 0 {
			// Segment results stay out of the metrics (cardinality); a
			// result without any data has no numbers worth a series.
			continue
		}
		// The baseline repeats once per treatment arm; the emitter keeps
		// the first copy, which is the same number.
		e.gauge(metricEstimate, m.BaselineStats.Mean, id, m.Metric, m.Baseline)
		e.gauge(metricEstimate, m.ArmStats.Mean, id, m.Metric, m.Arm)
		e.gauge(absoluteEffect, m.Absolute.Estimate, id, m.Metric, m.Arm)
		e.gauge(absoluteLower, m.Absolute.CILower, id, m.Metric, m.Arm)
		e.gauge(absoluteUpper, m.Absolute.CIUpper, id, m.Metric, m.Arm)
		if m.Relative != nil {
			e.gauge(relativeEffect, m.Relative.Estimate, id, m.Metric, m.Arm)
			e.gauge(relativeLower, m.Relative.CILower, id, m.Metric, m.Arm)
			e.gauge(relativeUpper, m.Relative.CIUpper, id, m.Metric, m.Arm)
		}
		e.gauge(pValue, m.PValue, id, m.Metric, m.Arm)
		e.gauge(adjustedPValue, m.AdjustedPValue, id, m.Metric, m.Arm)
	}
}

func unixSeconds(t time.Time) float64 {
	return float64(t.UnixMicro()) / 1e6
}
