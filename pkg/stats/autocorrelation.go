package stats

import "math"

// maxLag1 caps the autocorrelation used for batch sizing: at 0.99 a batch
// would need thousands of steps, and the AR(1) model is no longer credible.
const maxLag1 = 0.99

// Lag1Autocorrelation estimates the lag-1 autocorrelation φ of a time series
// taken at a fixed step, for sizing batches. NaN marks a missing step: only
// pairs of consecutive present steps count, around the mean of the present
// values. The estimate is bias-corrected for the series length (Kendall
// 1954: E[r] ≈ φ - (1+3φ)/n, so r + (1+3r)/n) and clipped to [0, 0.99]:
// negative autocorrelation only makes batch means conservative, so it gets
// no correction. ok is false when fewer than 3 pairs exist or the series is
// constant.
func Lag1Autocorrelation(x []float64) (phi float64, ok bool) {
	sum, n := 0.0, 0
	for _, v := range x {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n < 4 {
		return 0, false
	}
	mean := sum / float64(n)
	var num, den float64
	pairs := 0
	for i, v := range x {
		if math.IsNaN(v) {
			continue
		}
		den += (v - mean) * (v - mean)
		if i+1 < len(x) && !math.IsNaN(x[i+1]) {
			num += (v - mean) * (x[i+1] - mean)
			pairs++
		}
	}
	if pairs < 3 || den == 0 || !isFinite(num) || !isFinite(den) {
		return 0, false
	}
	r := num / den
	r += (1 + 3*r) / float64(n)
	return math.Max(0, math.Min(maxLag1, r)), true
}

// BatchMeanLag1 is the lag-1 autocorrelation of adjacent means of m steps of
// a stationary AR(1) series with coefficient phi:
//
//	φ(1-φ^m)² / (m(1-φ²) - 2φ(1-φ^m)),
//
// the covariance of adjacent batch sums over the variance of one.
func BatchMeanLag1(phi float64, m int) float64 {
	if phi <= 0 || m < 1 {
		return 0
	}
	pm := math.Pow(phi, float64(m))
	num := phi * (1 - pm) * (1 - pm)
	den := float64(m)*(1-phi*phi) - 2*phi*(1-pm)
	if den <= 0 {
		return 1
	}
	return num / den
}

// BatchTargetLag1 is the batch-mean autocorrelation BatchSteps aims below;
// what remains is corrected for by BatchInflation. Simulation (see
// docs/statistics.md) shows the pair keeps the false-positive rate at alpha.
const BatchTargetLag1 = 0.1

// BatchSteps is the batch length, a whole multiple of minSteps, at which
// adjacent batch means of an AR(1) series with coefficient phi correlate by
// at most BatchTargetLag1. It stops growing at maxSteps (the caller's series
// length over its minimum number of batches).
func BatchSteps(phi float64, minSteps, maxSteps int) int {
	if minSteps < 1 {
		minSteps = 1
	}
	m := minSteps
	for BatchMeanLag1(phi, m) > BatchTargetLag1 && m+minSteps <= maxSteps {
		m += minSteps
	}
	return m
}

// BatchInflation is the factor by which the variance of the mean of b batch
// means, estimated as s²/b, must grow when the underlying steps follow an
// AR(1) process with coefficient phi and each batch holds m steps. Adjacent
// batch means correlate by ρ₁ = BatchMeanLag1(phi, m) and batches k apart by
// ρ₁·φ^(m(k-1)), so Var(mean) = σ²/b·c with c = 1 + 2Σₖ(1-k/b)ρₖ, while
// E[s²] = σ²(b-c)/(b-1). The factor c(b-1)/(b-c) removes both biases. ok is
// false when b - c ≤ 1: the batches then hold too little independent
// information for s² to estimate anything.
func BatchInflation(phi float64, m, b int) (factor float64, ok bool) {
	if phi <= 0 || b < 2 {
		return 1, true
	}
	r1 := BatchMeanLag1(phi, m)
	decay := math.Pow(phi, float64(m))
	c, rk := 1.0, r1
	for k := 1; k < b; k++ {
		c += 2 * (1 - float64(k)/float64(b)) * rk
		rk *= decay
		if rk < 1e-16 {
			break
		}
	}
	fb := float64(b)
	if fb-c <= 1 {
		return 0, false
	}
	return c * (fb - 1) / (fb - c), true
}

// PlanBatches chooses how to batch two step-level series for CompareBatches
// from their paired differences (NaN marks a missing step): φ is estimated
// with ShiftRobustLag1 (0 when it cannot be), so a regression that starts
// partway through the window is not mistaken for autocorrelation, and the
// batch length is
// BatchSteps(φ, minSteps, ...) with at least minBatches batches in the
// series. ok is false when no such length brings the batch-mean
// autocorrelation down to BatchTargetLag1: the series is too autocorrelated
// for its length, and a verdict would rest on the AR(1) correction alone
// (which simulation shows is then too optimistic). The caller forms the
// batch values (means, ratios of sums, quantiles of summed buckets) over
// consecutive runs of steps and passes lag1 and steps on to CompareBatches.
func PlanBatches(diffs []float64, minSteps, minBatches int) (steps int, lag1 float64, ok bool) {
	minSteps = max(minSteps, 1)
	minBatches = max(minBatches, 1)
	phi, _, estimated := ShiftRobustLag1(diffs)
	if !estimated {
		phi = 0
	}
	phi = conservativeLag1(phi, diffs)
	steps = BatchSteps(phi, minSteps, max(len(diffs)/minBatches, minSteps))
	return steps, phi, BatchMeanLag1(phi, steps) <= BatchTargetLag1 && len(diffs)/steps >= minBatches
}

// conservativeLag1 raises an estimate of φ by one standard error,
// √((1-φ²)/n) (Bartlett), capped at maxLag1. Sizing batches and correcting
// their variance with the point estimate leaves the false-positive rate a
// little above alpha when φ is large (the estimate is too often low); one
// standard error brings it back under alpha in the simulation of
// docs/statistics.md at a small cost in power.
func conservativeLag1(phi float64, x []float64) float64 {
	n := 0
	for _, v := range x {
		if !math.IsNaN(v) {
			n++
		}
	}
	if n < 2 {
		return phi
	}
	return math.Min(maxLag1, phi+math.Sqrt((1-phi*phi)/float64(n)))
}
