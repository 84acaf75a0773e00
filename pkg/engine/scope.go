package engine

import (
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// scopeFor maps a plan and an evaluation time to what every store query
// shares. Units are always stratified by the stage in force at their first
// exposure, so weight changes across stages cannot bias an estimate.
func scopeFor(p *plan.Plan, end time.Time, schedule []plan.ScheduledStage) events.Scope {
	stages := make([]events.StageStart, len(schedule))
	for i, s := range schedule {
		stages[i] = events.StageStart{Name: s.Name, Start: s.Start}
	}
	return events.Scope{
		Experiment: p.ID,
		Unit:       p.Unit,
		Exposure: events.Exposure{
			Event:              p.Exposure.Event,
			ExperimentProperty: p.Exposure.ExperimentProperty,
			ArmProperty:        p.Exposure.ArmProperty,
		},
		Arms:   p.ArmNames(),
		Start:  p.Start,
		End:    end,
		Stages: stages,
	}
}

// evaluationEnd is the instant data is counted up to: the evaluation time,
// or the plan's end when it is earlier.
func evaluationEnd(p *plan.Plan, at time.Time) time.Time {
	if p.End != nil && p.End.Before(at) {
		return *p.End
	}
	return at
}

// isEventMetric reports whether the metric is computed from the event store.
func isEventMetric(m plan.Metric) bool {
	switch m.Kind {
	case plan.KindConversion, plan.KindCount, plan.KindMean, plan.KindRatio:
		return true
	}
	return false
}

// storeMetric maps a plan metric to the store's per-unit definition.
func storeMetric(m plan.Metric) events.Metric {
	out := events.Metric{Window: m.Window.D()}
	switch m.Kind {
	case plan.KindConversion:
		out.Kind = events.Conversion
		out.Value = events.EventValue{Event: m.Event}
	case plan.KindCount:
		out.Kind = events.Count
		out.Value = events.EventValue{Event: m.Event}
	case plan.KindMean:
		out.Kind = events.Mean
		out.Value = events.EventValue{Event: m.Event, Property: m.Property}
	case plan.KindRatio:
		out.Kind = events.Ratio
		if m.Numerator != nil {
			out.Numerator = events.EventValue{Event: m.Numerator.Event, Property: m.Numerator.Property}
		}
		if m.Denominator != nil {
			out.Denominator = events.EventValue{Event: m.Denominator.Event, Property: m.Denominator.Property}
		}
	}
	if m.CUPED != nil {
		out.CUPEDLookback = m.CUPED.Lookback.D()
	}
	return out
}

// statsKind maps a plan metric kind to the estimator the statistics use.
func statsKind(kind string) stats.Kind {
	switch kind {
	case plan.KindConversion:
		return stats.KindProportion
	case plan.KindRatio:
		return stats.KindRatio
	default:
		return stats.KindMean
	}
}

// statsDirection maps the plan's direction word.
func statsDirection(d string) stats.Direction {
	if d == "decrease" {
		return stats.Decrease
	}
	return stats.Increase
}

// statsMargin maps the plan's optional margin.
func statsMargin(m *plan.Margin) stats.Margin {
	if m == nil {
		return stats.Margin{}
	}
	return stats.Margin{Relative: m.Relative, Absolute: m.Absolute}
}
