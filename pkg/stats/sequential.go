package stats

import "math"

// DefaultTuningN is the default N*: the total sample size (both arms) at which
// the confidence sequence is tightest (GrowthBook's default).
const DefaultTuningN = 5000

// confidenceSequence is the asymptotic confidence sequence of Waudby-Smith et
// al. (2023, eq. 9 and the p-value of eq. 155), as GrowthBook implements it.
// It is the same object as Johari et al.'s normal-mixture mSPRT with mixing
// variance τ² = ρ²σ̂², so its intervals and p-values stay valid however often
// the data are looked at.
type confidenceSequence struct {
	alpha float64
	n     float64 // N = n_A + n_B, the units of both arms
	rho   float64
}

// newConfidenceSequence picks ρ so that the sequence is tightest at N*:
// ρ = sqrt((-2 ln α + ln(-2 ln α + 1)) / N*).
func newConfidenceSequence(alpha, n, tuningN float64) confidenceSequence {
	if tuningN == 0 {
		tuningN = DefaultTuningN
	}
	l := -2 * math.Log(alpha)
	return confidenceSequence{alpha: alpha, n: n, rho: math.Sqrt((l + math.Log(l+1)) / tuningN)}
}

// halfWidth is σ̂·sqrt(2(Nρ²+1)/(N²ρ²)·ln(sqrt(Nρ²+1)/α)) with σ̂² = se²·N,
// written in terms of se.
func (cs confidenceSequence) halfWidth(se float64) float64 {
	nr2 := cs.n * cs.rho * cs.rho
	return se * math.Sqrt(2*(nr2+1)/nr2*math.Log(math.Sqrt(nr2+1)/cs.alpha))
}

// pValue is min(1, 1/e) with e = exp(ρ²S/(2(Nρ²+1)))/sqrt(Nρ²+1) and
// S = est²N/se², computed in logs so that strong evidence gives 0, not NaN.
func (cs confidenceSequence) pValue(est, se float64) float64 {
	if est == 0 {
		return 1
	}
	nr2 := cs.n * cs.rho * cs.rho
	z := est / se
	logE := nr2*z*z/(2*(nr2+1)) - 0.5*math.Log1p(nr2)
	return math.Min(1, math.Exp(-logE))
}
