package stats

import "math"

// relativeEstimate is the relative lift and its standard error.
type relativeEstimate struct{ estimate, se float64 }

// relativeLift is L = Δ/|μ_A|, with Δ the (possibly CUPED-adjusted) difference
// and μ_A the unadjusted control mean; for μ_A > 0 it is treatment/control - 1.
// Dividing by |μ_A| keeps the sign of L equal to the sign of Δ, so "bad side"
// means the same for both intervals even when the control mean is negative.
//
// Its delta-method variance is
//
//	Var(L) = [Var(Δ) + L'² Var(μ_A) + 2 L' Cov(m_A, μ_A)] / μ_A², L' = Δ/μ_A,
//
// using Cov(Δ, μ_A) = -Cov(m_A, μ_A). Without CUPED m_A = μ_A and this is
// GrowthBook's variance_of_ratios, s_B²/(n_B μ_A²) + s_A² m_B²/(n_A μ_A⁴); with
// CUPED it is frequentist_variance_relative_cuped. ok is false when the
// control mean is 0 or the result is not finite.
func relativeLift(d difference) (relativeEstimate, bool) {
	mu := d.control.rawMean
	if mu == 0 || !isFinite(mu) {
		return relativeEstimate{}, false
	}
	delta := d.estimate()
	r := delta / mu
	v := (d.variance + r*r*d.control.varRaw + 2*r*d.control.covAdjRaw) / (mu * mu)
	rel := relativeEstimate{estimate: delta / math.Abs(mu), se: math.Sqrt(math.Max(0, v))}
	if !isFinite(rel.estimate) || !isFinite(rel.se) {
		return relativeEstimate{}, false
	}
	return rel, true
}
