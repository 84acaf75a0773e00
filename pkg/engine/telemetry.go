package engine

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// telemetryResults compares one telemetry (prometheus) metric per treatment
// arm over [plan start, evaluation end) on the metric's step grid. A
// missing, failing, slow or partial telemetry source yields
// insufficient_data with the reason (naming the query and the server),
// never a verdict and never a failed evaluation; so does a telemetry
// traffic split that does not match the plan.
func telemetryResults(ctx context.Context, p *plan.Plan, m plan.Metric, schedule []plan.ScheduledStage, scope events.Scope, opts Options, traffic *TrafficResult) []MetricResult {
	var out []MetricResult
	arms := treatmentArms(p)
	fail := func(reason string) []MetricResult {
		for _, arm := range arms {
			out = append(out, unavailable(p, m, arm, reason))
		}
		return out
	}
	if opts.Telemetry == nil {
		return fail("no telemetry source configured for prometheus metrics (give --prometheus URL)")
	}
	data, pm, err := fetchMetric(ctx, p, &m, telemetrySource(opts), p.Start, scope.End)
	if err != nil {
		return fail(fmt.Sprintf("telemetry unavailable: %v", err))
	}
	for _, arm := range arms {
		r := compareTelemetry(p, m, pm, data, arm)
		if traffic != nil && traffic.Status == TrafficMismatch && r.Verdict != stats.InsufficientData {
			r.Verdict = stats.InsufficientData
			r.Reason = "telemetry traffic split does not match the plan: " + traffic.Reason
		}
		out = append(out, r)
	}
	return out
}

// fetchMetric reads a prometheus metric for every arm over [from, to) on
// its step grid aligned to the plan's start.
func fetchMetric(ctx context.Context, p *plan.Plan, m *plan.Metric, src telemetry.Source, from, to time.Time) (*telemetry.Data, plan.PrometheusMetric, error) {
	pm := p.Resolved(m)
	grid, err := alignedGrid(p, from, to, pm.Step.D())
	if err != nil {
		return nil, pm, err
	}
	arms := telemetry.ArmsFromPlan(p, plan.TelemetryArms{Label: pm.ArmLabel, Values: pm.ArmValues, Step: pm.Step.D()})
	data, err := telemetry.Fetch(ctx, src, telemetry.MetricFromPlan(pm), arms, grid)
	return data, pm, err
}

// alignedGrid is the grid of step over [from, to) whose boundaries fall on
// the plan's start plus whole steps, so that every query and every event
// bucket of a plan shares the same windows.
func alignedGrid(p *plan.Plan, from, to time.Time, step time.Duration) (telemetry.Grid, error) {
	if step <= 0 {
		return telemetry.Grid{}, fmt.Errorf("telemetry step must be positive, got %s", step)
	}
	start := p.Start.UTC()
	if from.After(start) {
		start = start.Add(from.Sub(start).Truncate(step))
		if start.Before(from) {
			start = start.Add(step)
		}
	}
	return telemetry.NewGrid(start, to, step)
}

// compareTelemetry judges one treatment arm against the control.
func compareTelemetry(p *plan.Plan, m plan.Metric, pm plan.PrometheusMetric, data *telemetry.Data, arm string) MetricResult {
	r := unavailable(p, m, arm, "")
	if m.Margin != nil {
		mg := statsMargin(m.Margin)
		r.Margin = &mg
	}
	for _, a := range []string{p.Control, arm} {
		if !data.HasData(a) {
			r.Reason = fmt.Sprintf("no telemetry data for arm %s (%s=%q) between %s and %s", a, pm.ArmLabel, pm.ArmValues[a],
				data.Grid.Start.Format(time.RFC3339), data.Grid.End().Format(time.RFC3339))
			return r
		}
	}
	control, treatment := data.Steps(p.Control), data.Steps(arm)
	if pm.Method == plan.MethodMannWhitney {
		return kayentaResult(r, m, pm, present(control), present(treatment))
	}

	diffs := make([]float64, len(control))
	for k := range diffs {
		diffs[k] = treatment[k] - control[k] // NaN when either is missing
	}
	minSteps := int(pm.Batch.D() / pm.Step.D())
	steps, lag1, ok := stats.PlanBatches(diffs, minSteps, stats.DefaultMinBatches)
	if !ok {
		r.Reason = fmt.Sprintf("%d steps of %s are too few for %d batches whose means are nearly independent (lag-1 autocorrelation of the arm difference about %.2f); let the comparison run longer",
			data.Grid.Steps, pm.Step, stats.DefaultMinBatches, lag1)
		return r
	}
	cb, tb := pairedBatches(data.Batches(p.Control, steps), data.Batches(arm, steps))
	in := stats.BatchInput{
		Control: cb, Treatment: tb, Lag1: lag1, StepsPerBatch: steps,
		Alpha: p.Analysis.Alpha, Direction: statsDirection(m.Direction), Margin: statsMargin(m.Margin),
	}
	if p.Analysis.IsSequential() {
		in.Sequential = &stats.Sequential{}
	}
	c, err := stats.CompareBatches(in)
	if err != nil {
		r.Reason = fmt.Sprintf("telemetry comparison failed: %v", err)
		return r
	}
	r.BaselineStats = ArmStats{N: c.Control.N, Mean: c.Control.Mean, SE: c.Control.SE}
	r.ArmStats = ArmStats{N: c.Treatment.N, Mean: c.Treatment.Mean, SE: c.Treatment.SE}
	r.Absolute = effect(c.Absolute)
	if c.RelativeDefined {
		rel := effect(c.Relative)
		r.Relative = &rel
	}
	r.PValue, r.AdjustedPValue = c.PValue, c.PValue
	r.Verdict, r.Reason = c.Verdict, c.Reason
	return r
}

// kayentaResult fills r with Kayenta's Mann–Whitney judgement of every step.
func kayentaResult(r MetricResult, m plan.Metric, pm plan.PrometheusMetric, control, treatment []float64) MetricResult {
	k, err := stats.KayentaClassify(stats.KayentaInput{
		Canary: treatment, Baseline: control, Tolerance: pm.Tolerance, Direction: statsDirection(m.Direction),
	})
	if err != nil {
		r.Reason = fmt.Sprintf("telemetry comparison failed: %v", err)
		return r
	}
	r.BaselineStats = ArmStats{N: float64(len(control)), Mean: k.BaselineMean}
	r.ArmStats = ArmStats{N: float64(len(treatment)), Mean: k.CanaryMean}
	r.Absolute = Effect{Estimate: k.MannWhitney.Estimate, CILower: k.MannWhitney.Lower, CIUpper: k.MannWhitney.Upper}
	// Kayenta's effect size is the mean ratio, which has no interval: the
	// relative effect is left out rather than shown with a false one.
	r.Relative = nil
	r.PValue, r.AdjustedPValue = k.MannWhitney.PValue, k.MannWhitney.PValue
	r.Margin = nil
	r.Verdict, r.Reason = k.Verdict, k.Reason
	return r
}

// present drops missing steps.
func present(x []float64) []float64 {
	var out []float64
	for _, v := range x {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

// pairedBatches keeps the batches where both arms have a value.
func pairedBatches(control, treatment []float64) (c, t []float64) {
	for i := range control {
		if !math.IsNaN(control[i]) && !math.IsNaN(treatment[i]) {
			c = append(c, control[i])
			t = append(t, treatment[i])
		}
	}
	return c, t
}

// tracedSource reports each telemetry query's duration to Options.Trace,
// as the event store's queries are (liftgate analyze --timings).
type tracedSource struct {
	telemetry.Source
	trace func(source, op string, d time.Duration)
}

func (t tracedSource) QueryRange(ctx context.Context, q string, r telemetry.Range) ([]telemetry.Series, error) {
	start := time.Now()
	s, err := t.Source.QueryRange(ctx, q, r)
	t.trace(t.Name(), "query "+q, time.Since(start))
	return s, err
}

// telemetrySource is opts.Telemetry, traced when opts.Trace is set.
func telemetrySource(opts Options) telemetry.Source {
	if opts.Telemetry == nil || opts.Trace == nil {
		return opts.Telemetry
	}
	return tracedSource{Source: opts.Telemetry, trace: opts.Trace}
}
