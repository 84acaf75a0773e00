package plan

import (
	"math"
	"regexp"
	"slices"
)

// idPattern keeps plan ids safe to use as label values, file names and URL
// segments without quoting.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,127}$`)

// weightTolerance absorbs binary rounding in weights such as 0.1+0.2+0.7.
const weightTolerance = 1e-9

const rfc3339Example = "2026-11-01T00:00:00Z"

func checkHeader(c *checker, p *Plan) {
	switch {
	case p.ID == "":
		c.add("id", "required: a short slug like checkout-v2")
	case !idPattern.MatchString(p.ID):
		c.add("id", "must be 1-128 lower-case letters, digits, '_', '.' or '-', starting with a letter or digit; got %q", p.ID)
	}
	if p.Start.IsZero() {
		c.add("start", "required: an RFC 3339 time like %s", rfc3339Example)
	}
	if p.End != nil && !p.Start.IsZero() && !p.End.After(p.Start) {
		c.add("end", "must be after start (%s), got %s", formatTime(p.Start), formatTime(*p.End))
	}
	if p.Unit == "" {
		c.add("unit", "must not be empty: the property identifying a unit (default %s)", DefaultUnit)
	}
}

func checkArms(c *checker, p *Plan) {
	if len(p.Arms) < 2 {
		c.add("arms", "need at least 2 arms (a control and a treatment), got %d", len(p.Arms))
	}
	seen := map[string]int{}
	sum := 0.0
	for i, arm := range p.Arms {
		switch prev, dup := seen[arm.Name]; {
		case arm.Name == "":
			c.add(fieldAt("arms", i, "name"), "required: the arm's value in the exposure event")
		case dup:
			c.add(fieldAt("arms", i, "name"), "duplicate arm name %q (also arms[%d])", arm.Name, prev)
		default:
			seen[arm.Name] = i
		}
		if !(arm.Weight > 0 && arm.Weight <= 1) {
			c.add(fieldAt("arms", i, "weight"), "must be in (0, 1], got %g", arm.Weight)
		}
		sum += arm.Weight
	}
	if len(p.Arms) > 0 && !c.failedUnder("arms") && math.Abs(sum-1) > weightTolerance {
		c.add("arms", "weights must sum to 1, got %g", sum)
	}
	switch names := p.ArmNames(); {
	case p.Control == "":
		c.add("control", "required: the name of the control arm")
	case len(names) > 0 && !c.failedUnder("arms") && !slices.Contains(names, p.Control):
		c.add("control", "must be one of the arms (%s), got %q", oneOf(names...), p.Control)
	}
}

func checkExposure(c *checker, e Exposure) {
	if e.Event == "" {
		c.add("exposure.event", "required: the event logged when a unit is exposed, e.g. experiment_viewed")
	}
	if e.ExperimentProperty == "" {
		c.add("exposure.experiment_property", "required: the exposure property holding the plan id, e.g. experiment_id")
	}
	if e.ArmProperty == "" {
		c.add("exposure.arm_property", "required: the exposure property holding the arm name, e.g. variation_id")
	}
}

func checkAnalysis(c *checker, a Analysis) {
	if !(a.Alpha > 0 && a.Alpha < 0.5) {
		c.add("analysis.alpha", "must be in (0, 0.5), got %g", a.Alpha)
	}
	if !slices.Contains([]string{CorrectionHolm, CorrectionBH, CorrectionNone}, a.Correction) {
		c.add("analysis.correction", "must be one of %s, got %q", oneOf(CorrectionHolm, CorrectionBH, CorrectionNone), a.Correction)
	}
	if a.MinUnitsPerArm < 2 {
		c.add("analysis.min_units_per_arm", "must be at least 2, got %d", a.MinUnitsPerArm)
	}
	if !(a.TuningN > 0) {
		c.add("analysis.tuning_n", "must be > 0 (total units at which the confidence sequence is tightest), got %g", a.TuningN)
	}
	if !(a.SRMThreshold > 0 && a.SRMThreshold < 1) {
		c.add("analysis.srm_threshold", "must be in (0, 1), got %g", a.SRMThreshold)
	}
}

func checkSegments(c *checker, segments []string) {
	seen := map[string]int{}
	for i, s := range segments {
		field := indexAt("segments", i)
		if s == "" {
			c.add(field, "must not be empty: a property of the exposure event, e.g. platform")
			continue
		}
		if prev, dup := seen[s]; dup {
			c.add(field, "duplicate segment %q (also segments[%d])", s, prev)
			continue
		}
		seen[s] = i
	}
}
