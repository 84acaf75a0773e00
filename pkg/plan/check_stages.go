package plan

import (
	"math"
	"slices"
	"time"
)

func checkStages(c *checker, p *Plan) {
	seen := map[string]int{}
	for i := range p.Stages {
		s := &p.Stages[i]
		name := fieldAt("stages", i, "name")
		switch prev, dup := seen[s.Name]; {
		case s.Name == "":
			c.add(name, "required: a name like canary")
		case !namePattern.MatchString(s.Name):
			c.add(name, "%s; got %q", nameRule, s.Name)
		case dup:
			c.add(name, "duplicate stage name %q (also stages[%d])", s.Name, prev)
		default:
			seen[s.Name] = i
		}
		checkStageWeights(c, indexAt("stages", i), p, s.Weights)
		if s.MinDuration < 0 {
			c.add(fieldAt("stages", i, "min_duration"), "must not be negative, got %s", s.MinDuration)
		}
		if s.MinUnitsPerArm != 0 && s.MinUnitsPerArm < 2 {
			c.add(fieldAt("stages", i, "min_units_per_arm"), "must be at least 2 (or left out to use analysis.min_units_per_arm), got %d", s.MinUnitsPerArm)
		}
	}
	checkStageStarts(c, p)
}

// checkStageWeights wants one weight per arm, summing to 1, with the control
// always receiving traffic (a stage without control units has no baseline).
func checkStageWeights(c *checker, at string, p *Plan, weights map[string]float64) {
	field := at + ".weights"
	arms := p.ArmNames()
	if len(weights) == 0 {
		c.add(field, "required: a weight for each arm (%s)", oneOf(arms...))
		return
	}
	if c.failedUnder("arms") {
		return // the arm list is unknown; comparing keys with it would mislead
	}
	for _, arm := range arms {
		if _, ok := weights[arm]; !ok && arm != "" {
			c.add(field, "missing a weight for arm %q (need exactly the arms: %s)", arm, oneOf(arms...))
		}
	}
	sum := 0.0
	for _, name := range sortedKeys(weights) {
		w := weights[name]
		sum += w
		wField := field + "." + name
		switch {
		case !slices.Contains(arms, name):
			c.add(wField, "not an arm; weights take exactly the arms: %s", oneOf(arms...))
		case !(w >= 0 && w <= 1):
			c.add(wField, "must be in [0, 1], got %g", w)
		case name == p.Control && !(w > 0):
			c.add(wField, "the control arm must keep a weight above 0, got %g", w)
		}
	}
	if !c.failedUnder(field) && math.Abs(sum-1) > weightTolerance {
		c.add(field, "weights must sum to 1, got %g", sum)
	}
}

// checkStageStarts wants explicit stage starts in order: the first not before
// the plan's start, each later one after the start of the stage before it
// (explicit or scheduled), and none at or after the plan's end.
func checkStageStarts(c *checker, p *Plan) {
	if p.Start.IsZero() || c.failedUnder("start") || c.failedUnder("stages") {
		return // the schedule is unknown; Schedule's ordering would mislead
	}
	schedule := p.Schedule()
	for i, s := range p.Stages {
		if s.Start == nil {
			continue
		}
		field := fieldAt("stages", i, "start")
		start := *s.Start
		switch {
		case start.Before(p.Start):
			c.add(field, "must not be before the plan's start (%s), got %s", formatTime(p.Start), formatTime(start))
		case i > 0 && !start.After(schedule[i-1].Start):
			c.add(field, "must be after the start of stage %q (%s), got %s", schedule[i-1].Name, formatTime(schedule[i-1].Start), formatTime(start))
		case p.End != nil && !start.Before(*p.End):
			c.add(field, "must be before the plan's end (%s), got %s", formatTime(*p.End), formatTime(start))
		}
	}
}

func formatTime(t time.Time) string { return t.Format(time.RFC3339Nano) }
