package stats

import "math"

// inference turns an estimate and its standard error into an interval and a
// p-value: Welch t, z, or the always-valid confidence sequence.
type inference struct {
	kind       Kind
	cuped      bool
	sequential *confidenceSequence
	df         float64 // +Inf for z-based inference
	crit       float64 // fixed horizon: the two-sided critical value
}

// newInference chooses the procedure. Sequential inference is normal-based
// (df = +Inf). Fixed-horizon proportions use z like prop.test; everything
// else (and CUPED-adjusted proportions, no longer 0/1) uses Welch's t.
func newInference(in CompareInput, d difference, totalN float64) inference {
	inf := inference{kind: in.Kind, cuped: in.CUPED}
	switch {
	case in.Sequential != nil:
		cs := newConfidenceSequence(in.Alpha, totalN, in.Sequential.TuningN)
		inf.sequential = &cs
		inf.df = math.Inf(1)
	case in.Kind == KindProportion && !in.CUPED:
		inf.df = math.Inf(1)
	default:
		inf.df = d.df
	}
	if inf.sequential == nil {
		inf.crit = tQuantileUpper(in.Alpha/2, inf.df)
	}
	return inf
}

// interval is est ± half-width, the half-width from the critical value or
// the confidence sequence.
func (f inference) interval(est, se float64) Interval {
	hw := f.crit * se
	if f.sequential != nil {
		hw = f.sequential.halfWidth(se)
	}
	return Interval{Estimate: est, Lower: est - hw, Upper: est + hw, SE: se}
}

// pValue is the two-sided p-value of the difference against 0. Fixed-horizon
// proportions use the variance pooled under H0 (prop.test, correct=FALSE),
// while their interval uses the unpooled one.
func (f inference) pValue(d difference) float64 {
	est, se := d.estimate(), math.Sqrt(d.variance)
	switch {
	case f.sequential != nil:
		return f.sequential.pValue(est, se)
	case f.kind == KindProportion && !f.cuped:
		return twoSidedNormalP(est / math.Sqrt(d.nullVariance))
	default:
		return twoSidedTP(est/se, f.df)
	}
}
