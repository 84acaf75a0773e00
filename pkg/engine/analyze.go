package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// Options tune one evaluation.
type Options struct {
	// At is the evaluation time: exposures and events before it count.
	// Zero means now.
	At time.Time
	// Segment, when set, adds per-value results for one of the plan's
	// segments next to the overall ones.
	Segment string
	// IncludeSums adds the per-stage sufficient statistics to each result.
	IncludeSums bool
	// Trace, when set, is told how long each source query took (for
	// `liftgate analyze --timings` and the exporter's duration metrics).
	Trace func(source, op string, d time.Duration)
	// Telemetry is where prometheus metrics, the telemetry traffic check and
	// deployment markers are read; nil leaves them insufficient_data.
	Telemetry telemetry.Source
	// DataEnd, when set, pins the end of the event window instead of the
	// watermark and settling delay: re-evaluating a published window to
	// detect late data (see CompareResults).
	DataEnd time.Time
}

// traced runs one source query and reports its duration to opts.Trace.
func traced[T any](opts Options, source, op string, q func() (T, error)) (T, error) {
	start := time.Now()
	v, err := q()
	if opts.Trace != nil {
		opts.Trace(source, op, time.Since(start))
	}
	return v, err
}

// SourceError says which source failed, so a slow or broken store is named.
type SourceError struct {
	Source string
	Op     string
	Err    error
}

func (e *SourceError) Error() string { return fmt.Sprintf("%s %s: %v", e.Source, e.Op, e.Err) }
func (e *SourceError) Unwrap() error { return e.Err }

// Analyze evaluates a plan against an event source at opts.At.
func Analyze(ctx context.Context, p *plan.Plan, src events.Source, opts Options) (*Result, error) {
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	at = at.UTC()
	if opts.Segment != "" && !slices.Contains(p.Segments, opts.Segment) {
		return nil, fmt.Errorf("segment %q is not one of the plan's segments %v", opts.Segment, p.Segments)
	}

	schedule := p.Schedule()
	scope := scopeFor(p, evaluationEnd(p, at), schedule)
	res := &Result{
		Experiment:  p.ID,
		PlanHash:    p.Hash(),
		EvaluatedAt: at,
		Sequential:  p.Analysis.IsSequential(),
		Alpha:       p.Analysis.Alpha,
		Correction:  p.Analysis.Correction,
		Segment:     opts.Segment,
		Results:     []MetricResult{},
	}
	if !scope.End.After(p.Start) {
		// A preregistered plan is loaded before its start: that is the
		// point of preregistration, not a failure. No source is asked.
		return notStarted(p, res, schedule), nil
	}
	// Data health (health.go) first: event queries then count data only up
	// to the settled watermark. Telemetry keeps its own window.
	telemetryScope := scope
	health, err := checkHealth(ctx, p, src, scope, at, opts)
	if err != nil {
		return nil, err
	}
	res.Health, scope.End = health, health.DataEnd

	counts, err := traced(opts, src.Name(), "exposures", func() (events.ExposureCounts, error) { return src.Exposures(ctx, scope) })
	if err != nil {
		return nil, &SourceError{Source: src.Name(), Op: "exposures", Err: err}
	}
	a, err := checkAssignment(p, schedule, counts)
	if err != nil {
		return nil, err
	}
	res.Arms, res.Stages, res.SRM = a.arms, a.stages, a.srm
	res.ExcludedUnits = counts.MultiArmUnits
	res.UnknownArmUnits = counts.UnknownArmUnits

	res.Traffic = checkTraffic(ctx, p, telemetryScope, opts)
	var overall []int
	segmentFamilies := map[string][]int{}
	for _, m := range p.Metrics {
		if !isEventMetric(m) {
			rs := telemetryResults(ctx, p, m, schedule, telemetryScope, opts, res.Traffic)
			for _, r := range rs {
				overall = append(overall, len(res.Results))
				res.Results = append(res.Results, r)
			}
			continue
		}
		rows, err := traced(opts, src.Name(), "metric "+m.Name, func() ([]events.GroupSums, error) { return src.MetricSums(ctx, scope, storeMetric(m)) })
		if err != nil {
			return nil, &SourceError{Source: src.Name(), Op: "metric " + m.Name, Err: err}
		}
		bySeg := splitBySegment(rows, len(schedule))
		for _, arm := range treatmentArms(p) {
			r, err := compare(p, m, arm, bySeg[""], schedule, opts.IncludeSums)
			if err != nil {
				return nil, fmt.Errorf("metric %s, arm %s: %w", m.Name, arm, err)
			}
			overall = append(overall, len(res.Results))
			res.Results = append(res.Results, r)
		}
		if opts.Segment != "" {
			segScope := scope
			segScope.Segment = opts.Segment
			segRows, err := traced(opts, src.Name(), "metric "+m.Name+" by "+opts.Segment, func() ([]events.GroupSums, error) { return src.MetricSums(ctx, segScope, storeMetric(m)) })
			if err != nil {
				return nil, &SourceError{Source: src.Name(), Op: "metric " + m.Name + " by " + opts.Segment, Err: err}
			}
			segs := splitBySegment(segRows, len(schedule))
			for _, value := range sortedKeys(segs) {
				for _, arm := range treatmentArms(p) {
					r, err := compare(p, m, arm, segs[value], schedule, opts.IncludeSums)
					if err != nil {
						return nil, fmt.Errorf("metric %s, arm %s, %s=%s: %w", m.Name, arm, opts.Segment, value, err)
					}
					v := value
					r.SegmentValue = &v
					segmentFamilies[value] = append(segmentFamilies[value], len(res.Results))
					res.Results = append(res.Results, r)
				}
			}
		}
	}

	if res.SRM.Mismatch {
		for i := range res.Results {
			res.Results[i].Verdict = stats.InsufficientData
			res.Results[i].Reason = fmt.Sprintf("sample ratio mismatch (p = %.3g): the split is not what the plan says, so no comparison can be trusted", res.SRM.PValue)
		}
	}
	withholdOnHealth(res.Health, res.Results)
	if err := applyCorrection(res.Results, overall, p.Analysis.Correction, p.Analysis.Alpha); err != nil {
		return nil, err
	}
	for _, value := range sortedKeys(segmentFamilies) {
		if err := applyCorrection(res.Results, segmentFamilies[value], p.Analysis.Correction, p.Analysis.Alpha); err != nil {
			return nil, err
		}
	}
	res.Decision = holdOnHealth(res.Health, decide(p, schedule, at, a, res.Results))
	res.StageGates = stageGates(p, schedule, at, a, res.Results, res.Health)
	return res, nil
}

// compare runs the statistics for one metric and one treatment arm.
func compare(p *plan.Plan, m plan.Metric, arm string, strata armStrata, schedule []plan.ScheduledStage, withSums bool) (MetricResult, error) {
	n := len(schedule)
	if strata == nil {
		strata = armStrata{}
	}
	control := strata.stratumOrZero(p.Control, n)
	treatment := strata.stratumOrZero(arm, n)
	in := stats.CompareInput{
		Kind:      statsKind(m.Kind),
		Control:   control,
		Treatment: treatment,
		CUPED:     m.CUPED != nil,
		Alpha:     p.Analysis.Alpha,
		Direction: statsDirection(m.Direction),
		Margin:    statsMargin(m.Margin),
		MinUnits:  float64(p.Analysis.MinUnitsPerArm),
	}
	if p.Analysis.IsSequential() {
		in.Sequential = &stats.Sequential{TuningN: p.Analysis.TuningN}
	}
	c, err := stats.Compare(in)
	if err != nil {
		return MetricResult{}, err
	}
	r := MetricResult{
		Metric:        m.Name,
		Role:          m.Role,
		Kind:          m.Kind,
		Direction:     m.Direction,
		Arm:           arm,
		Baseline:      p.Control,
		BaselineStats: ArmStats{N: c.Control.N, Mean: c.Control.Mean, SE: c.Control.SE},
		ArmStats:      ArmStats{N: c.Treatment.N, Mean: c.Treatment.Mean, SE: c.Treatment.SE},
		Absolute:      effect(c.Absolute),
		CUPED:         m.CUPED != nil,
		PValue:        c.PValue,
		Verdict:       c.Verdict,
		Reason:        c.Reason,
	}
	if c.RelativeDefined {
		rel := effect(c.Relative)
		r.Relative = &rel
	}
	if m.Margin != nil {
		mg := statsMargin(m.Margin)
		r.Margin = &mg
	}
	if withSums {
		for i, s := range schedule {
			r.Sums = append(r.Sums, StageSums{Stage: s.Name, Baseline: control[i], Arm: treatment[i]})
		}
	}
	return r, nil
}

func effect(iv stats.Interval) Effect {
	return Effect{Estimate: iv.Estimate, CILower: iv.Lower, CIUpper: iv.Upper, SE: iv.SE}
}

// unavailable is a result that could not be computed, with the reason.
func unavailable(p *plan.Plan, m plan.Metric, arm, reason string) MetricResult {
	return MetricResult{
		Metric: m.Name, Role: m.Role, Kind: m.Kind, Direction: m.Direction,
		Arm: arm, Baseline: p.Control, PValue: 1, AdjustedPValue: 1,
		Verdict: stats.InsufficientData, Reason: reason,
	}
}

// treatmentArms are the plan's arms other than the control, in plan order.
func treatmentArms(p *plan.Plan) []string {
	var out []string
	for _, a := range p.ArmNames() {
		if a != p.Control {
			out = append(out, a)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
