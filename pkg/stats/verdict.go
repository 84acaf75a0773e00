package stats

import (
	"fmt"
	"strconv"
)

// Decide applies the direction-aware verdict rules to a comparison's intervals:
//
//   - Beneficial: the absolute interval lies wholly on the good side of 0.
//   - Harmful: the interval lies wholly on the bad side beyond the margin:
//     with no margin, beyond 0; with Margin.Absolute m, beyond m on the
//     absolute interval; with Margin.Relative r, beyond r on the relative
//     interval. When the relative lift is undefined (control mean 0) a
//     relative margin cannot be applied and the strictest margin, 0 on the
//     absolute interval, is used instead: for a rollout gate a missed harm
//     costs more than a false alarm.
//   - Inconclusive: anything else.
//
// A comparison already marked InsufficientData stays so. Decide lets a caller
// re-judge a comparison under another direction or margin without
// recomputing it.
func Decide(c Comparison, dir Direction, m Margin) Verdict {
	if c.Verdict == InsufficientData {
		return InsufficientData
	}
	good, bad := orient(c.Absolute, dir)
	if good > 0 {
		return Beneficial
	}
	switch {
	case m.Relative != 0 && c.RelativeDefined:
		_, relBad := orient(c.Relative, dir)
		if relBad < -m.Relative {
			return Harmful
		}
	case m.Relative != 0: // relative lift undefined: margin 0
		if bad < 0 {
			return Harmful
		}
	default:
		if bad < -m.Absolute {
			return Harmful
		}
	}
	return Inconclusive
}

// orient returns the interval's bounds in "good is positive" terms: good is
// the bound nearest the bad side (the interval lies wholly on the good side
// when good > 0) and bad the bound farthest toward the good side (the
// interval lies wholly on the bad side when bad < 0).
func orient(iv Interval, dir Direction) (good, bad float64) {
	if dir == Decrease {
		return -iv.Upper, -iv.Lower
	}
	return iv.Lower, iv.Upper
}

// verdictReason explains a verdict in one sentence.
func verdictReason(c Comparison, in CompareInput) string {
	kind := "confidence interval"
	if in.Sequential != nil {
		kind = "confidence sequence"
	}
	level := strconv.FormatFloat(100*(1-in.Alpha), 'g', 6, 64) + "%"
	span := fmt.Sprintf("the %s %s of treatment - control, [%.4g, %.4g],", level, kind, c.Absolute.Lower, c.Absolute.Upper)
	goodSide := "above"
	if in.Direction == Decrease {
		goodSide = "below"
	}
	switch c.Verdict {
	case Beneficial:
		return fmt.Sprintf("%s lies wholly %s 0, the good side", span, goodSide)
	case Harmful:
		switch {
		case in.Margin.Relative != 0 && c.RelativeDefined:
			return fmt.Sprintf("the %s %s of the relative lift, [%.4g, %.4g], lies wholly beyond the %g relative margin on the bad side",
				level, kind, c.Relative.Lower, c.Relative.Upper, in.Margin.Relative)
		case in.Margin.Relative != 0:
			return fmt.Sprintf("%s lies wholly on the bad side of 0 (the relative margin cannot apply: the control mean is 0)", span)
		case in.Margin.Absolute != 0:
			return fmt.Sprintf("%s lies wholly beyond the %g margin on the bad side", span, in.Margin.Absolute)
		default:
			return fmt.Sprintf("%s lies wholly on the bad side of 0", span)
		}
	default:
		return fmt.Sprintf("%s is not wholly on the good side of 0 nor wholly beyond the margin on the bad side", span)
	}
}
