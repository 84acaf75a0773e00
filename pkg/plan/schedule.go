package plan

import (
	"maps"
	"time"
)

// ScheduledStage is a rollout stage with its start resolved.
type ScheduledStage struct {
	Index       int
	Name        string
	Start       time.Time
	Weights     map[string]float64
	MinDuration time.Duration
	// MinUnitsPerArm is the stage's own gate, or analysis.min_units_per_arm.
	MinUnitsPerArm int
}

// ImplicitStageName names the single stage of a plan without stages.
const ImplicitStageName = "all"

// Schedule resolves the stages' start times. A stage starts at its explicit
// start when set; otherwise when the previous stage's min_duration has passed
// since the previous stage's start; the first stage at the plan's start. A
// plan without stages has one implicit stage, "all", weighted like its arms.
// Weights are copies: changing them does not change the plan.
func (p *Plan) Schedule() []ScheduledStage {
	minUnits := p.Analysis.MinUnitsPerArm
	if minUnits <= 0 {
		minUnits = DefaultMinUnitsPerArm
	}
	if len(p.Stages) == 0 {
		weights := make(map[string]float64, len(p.Arms))
		for _, a := range p.Arms {
			weights[a.Name] = a.Weight
		}
		return []ScheduledStage{{Name: ImplicitStageName, Start: p.Start, Weights: weights, MinUnitsPerArm: minUnits}}
	}
	out := make([]ScheduledStage, len(p.Stages))
	for i, s := range p.Stages {
		start := p.Start
		switch {
		case s.Start != nil:
			start = *s.Start
		case i > 0:
			start = out[i-1].Start.Add(out[i-1].MinDuration)
		}
		// A negative min_duration is rejected by validation; here it counts
		// as 0 so that an unvalidated plan still yields an ordered schedule.
		minDuration := max(s.MinDuration.D(), 0)
		units := minUnits
		if s.MinUnitsPerArm > 0 {
			units = s.MinUnitsPerArm
		}
		out[i] = ScheduledStage{
			Index:          i,
			Name:           s.Name,
			Start:          start,
			Weights:        maps.Clone(s.Weights),
			MinDuration:    minDuration,
			MinUnitsPerArm: units,
		}
	}
	return out
}

// StageAt returns the stage in force at t: the last one whose start is at or
// before t, or the first stage when t precedes them all.
func (p *Plan) StageAt(t time.Time) ScheduledStage {
	schedule := p.Schedule()
	current := schedule[0]
	for _, s := range schedule[1:] {
		if !s.Start.After(t) {
			current = s
		}
	}
	return current
}
