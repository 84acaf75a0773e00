package stats

import (
	"fmt"
	"math"
)

// CompareInput is one treatment-vs-control comparison of one metric.
type CompareInput struct {
	Kind Kind
	// Control and Treatment hold one ArmSums per stratum (rollout stage), in
	// the same order; len >= 1.
	Control   []ArmSums
	Treatment []ArmSums
	// CUPED uses SumX/SumX2/SumXY as a pre-exposure covariate, with θ pooled
	// over both arms and all strata. Not supported for KindRatio.
	CUPED bool
	// Alpha is the error rate; intervals are 1-Alpha two-sided.
	Alpha float64
	// Sequential selects always-valid inference; nil means fixed horizon.
	Sequential *Sequential
	Direction  Direction
	Margin     Margin
	// MinUnits: fewer units than this in either arm (summed over strata)
	// gives InsufficientData.
	MinUnits float64
}

// ArmSummary is one arm's per-unit mean (the rate for proportions, ΣY/ΣD for
// ratios, CUPED-adjusted when CUPED) and its standard error. N counts every
// unit of the arm, including strata too small to be used.
type ArmSummary struct {
	N    float64 `json:"n"`
	Mean float64 `json:"mean"`
	SE   float64 `json:"se"`
}

// Interval is a point estimate with its two-sided 1-Alpha interval and
// standard error.
type Interval struct {
	Estimate float64 `json:"estimate"`
	Lower    float64 `json:"lower"`
	Upper    float64 `json:"upper"`
	SE       float64 `json:"se"`
}

// Comparison is the result of Compare. No field is ever NaN or ±Inf except DF,
// which is +Inf for normal-based (z) inference; its JSON form writes that as
// null (see MarshalJSON).
type Comparison struct {
	Control   ArmSummary `json:"control"`
	Treatment ArmSummary `json:"treatment"`
	// Absolute is treatment - control.
	Absolute Interval `json:"absolute"`
	// Relative is (treatment - control)/|control|, which is treatment/control - 1
	// for a positive control mean (delta method). Zero when !RelativeDefined.
	Relative        Interval `json:"relative"`
	RelativeDefined bool     `json:"relative_defined"`
	// DF is the degrees of freedom used: Welch–Satterthwaite for t-based
	// inference, +Inf for z-based (proportions, sequential), 0 when no
	// inference was made.
	DF float64 `json:"df"`
	// PValue is two-sided against 0 (always-valid when sequential); 1 when no
	// inference was made.
	PValue  float64 `json:"p_value"`
	Verdict Verdict `json:"verdict"`
	// Reason says in words why the verdict was reached.
	Reason string `json:"reason"`
}

// Compare compares treatment with control for one metric. Input that cannot be
// analysed returns an *InputError; valid but degenerate data returns a
// Comparison with Verdict InsufficientData and a Reason.
func Compare(in CompareInput) (Comparison, error) {
	if err := validateCompareInput(in); err != nil {
		return Comparison{}, err
	}
	controlN, treatmentN := totalUnits(in.Control), totalUnits(in.Treatment)
	if reason := unitShortage(controlN, treatmentN, in.MinUnits); reason != "" {
		return insufficient(in, reason), nil
	}

	var cov cupedCovariate
	if in.CUPED {
		cov = pooledCovariate(in.Control, in.Treatment)
	}
	strata, dropped := estimateStrata(in, cov)
	if len(strata) == 0 {
		return insufficient(in, "no stratum has at least 2 units in both arms"+droppedNote(dropped)), nil
	}
	diff := combineStrata(strata)
	if diff.variance <= 0 {
		return insufficient(in, "both arms have zero variance: the data cannot show any uncertainty"), nil
	}

	c := Comparison{
		Control:   ArmSummary{N: controlN, Mean: diff.control.mean, SE: math.Sqrt(diff.control.varMean)},
		Treatment: ArmSummary{N: treatmentN, Mean: diff.treatment.mean, SE: math.Sqrt(diff.treatment.varMean)},
	}
	inf := newInference(in, diff, controlN+treatmentN)
	c.DF = inf.df
	c.Absolute = inf.interval(diff.estimate(), math.Sqrt(diff.variance))
	if in.Kind == KindProportion && !in.CUPED {
		// A difference of two proportions lies in [-1, 1]; prop.test clips
		// its interval there too.
		c.Absolute.Lower = math.Max(c.Absolute.Lower, -1)
		c.Absolute.Upper = math.Min(c.Absolute.Upper, 1)
	}
	c.PValue = inf.pValue(diff)
	if rel, ok := relativeLift(diff); ok {
		c.Relative = inf.interval(rel.estimate, rel.se)
		c.RelativeDefined = finiteInterval(c.Relative)
		if !c.RelativeDefined {
			c.Relative = Interval{}
		}
	}
	if !finiteComparison(c) {
		return Comparison{}, inputErrorf("sums", "values are too large for float64 arithmetic")
	}
	c.Verdict = Decide(c, in.Direction, in.Margin)
	c.Reason = verdictReason(c, in)
	if len(dropped) > 0 {
		c.Reason += droppedNote(dropped)
	}
	return c, nil
}

// totalUnits sums N over strata.
func totalUnits(arm []ArmSums) float64 {
	n := 0.0
	for _, s := range arm {
		n += s.N
	}
	return n
}

// unitShortage explains why there are too few units, or returns "".
func unitShortage(controlN, treatmentN, minUnits float64) string {
	if controlN < minUnits || treatmentN < minUnits {
		return fmt.Sprintf("fewer than the minimum %g units per arm (control %g, treatment %g)", minUnits, controlN, treatmentN)
	}
	if controlN < 2 || treatmentN < 2 {
		return fmt.Sprintf("each arm needs at least 2 units (control %g, treatment %g)", controlN, treatmentN)
	}
	return ""
}

// insufficient builds the InsufficientData comparison: unit counts and, where
// they exist, the plain pooled means, with no inference.
func insufficient(in CompareInput, reason string) Comparison {
	return Comparison{
		Control:   ArmSummary{N: totalUnits(in.Control), Mean: pooledMean(in.Kind, in.Control)},
		Treatment: ArmSummary{N: totalUnits(in.Treatment), Mean: pooledMean(in.Kind, in.Treatment)},
		PValue:    1,
		Verdict:   InsufficientData,
		Reason:    reason,
	}
}

// pooledMean is the unadjusted mean of an arm over all strata, or 0 when it is
// undefined, for display next to an InsufficientData verdict.
func pooledMean(kind Kind, arm []ArmSums) float64 {
	var total ArmSums
	for _, s := range arm {
		total = total.Add(s)
	}
	den := total.N
	if kind == KindRatio {
		den = total.SumD
	}
	m := total.SumY / den
	if den == 0 || math.IsNaN(m) || math.IsInf(m, 0) {
		return 0
	}
	return m
}

func droppedNote(dropped []int) string {
	if len(dropped) == 0 {
		return ""
	}
	return fmt.Sprintf(" (strata %v skipped: fewer than 2 units in an arm or a zero ratio denominator)", dropped)
}

func finiteInterval(iv Interval) bool {
	return isFinite(iv.Estimate) && isFinite(iv.Lower) && isFinite(iv.Upper) && isFinite(iv.SE)
}

func finiteComparison(c Comparison) bool {
	return isFinite(c.Control.Mean) && isFinite(c.Control.SE) &&
		isFinite(c.Treatment.Mean) && isFinite(c.Treatment.SE) &&
		finiteInterval(c.Absolute) && finiteInterval(c.Relative) &&
		isFinite(c.PValue) && !math.IsNaN(c.DF)
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
