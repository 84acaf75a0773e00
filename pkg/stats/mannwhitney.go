package stats

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// MannWhitneyOptions configures MannWhitney.
type MannWhitneyOptions struct {
	// ConfLevel of the interval for the location shift; 0 means 0.95.
	ConfLevel float64
	// Correct applies the continuity correction (R's correct = TRUE).
	Correct bool
}

// MannWhitneyResult is the Wilcoxon rank-sum / Mann–Whitney test of x against
// y with the Hodges–Lehmann-type estimate of the shift x - y and its interval.
type MannWhitneyResult struct {
	W        float64 `json:"w"` // rank sum of x minus nx(nx+1)/2
	PValue   float64 `json:"p_value"`
	Estimate float64 `json:"estimate"`
	Lower    float64 `json:"lower"`
	Upper    float64 `json:"upper"`
}

// mwRootTol is R's tol.root for the estimate and interval.
const mwRootTol = 1e-4

// MannWhitney equals R's wilcox.test(x, y, conf.int = TRUE, exact = FALSE,
// correct = o.Correct, conf.level = o.ConfLevel): the normal approximation
// with tie correction, and the shift estimate and interval found as roots of
// the standardised statistic with R's root finder and tolerance (1e-4), so
// they agree with R to about that tolerance. Non-finite values are an input
// error (R silently drops NAs). Where R stops with an error because both
// samples are constant, MannWhitney returns the only shift consistent with the
// data, max(x) - min(y), as estimate and both bounds, and p = 1 when every
// observation is tied.
func MannWhitney(x, y []float64, o MannWhitneyOptions) (MannWhitneyResult, error) {
	if err := validateSample("x", x); err != nil {
		return MannWhitneyResult{}, err
	}
	if err := validateSample("y", y); err != nil {
		return MannWhitneyResult{}, err
	}
	conf := o.ConfLevel
	if conf == 0 {
		conf = 0.95
	}
	if !(conf > 0 && conf < 1) {
		return MannWhitneyResult{}, inputErrorf("ConfLevel", "must be strictly between 0 and 1 (or 0 for 0.95), got %v", o.ConfLevel)
	}
	rs := rankSum{x: x, y: y, nx: float64(len(x)), ny: float64(len(y))}

	var res MannWhitneyResult
	w, sigma := rs.statistic(0)
	res.W = w
	z := w - rs.nx*rs.ny/2
	if o.Correct {
		z -= sign(z) * 0.5
	}
	res.PValue = 1
	if sigma > 0 {
		res.PValue = math.Min(1, 2*normalCDF(-math.Abs(z/sigma)))
	}

	muMin := slices.Min(x) - slices.Max(y)
	muMax := slices.Max(x) - slices.Min(y)
	if !isFinite(muMin) || !isFinite(muMax) {
		return MannWhitneyResult{}, inputErrorf("x, y", "differences between the samples overflow float64")
	}
	if muMin == muMax { // both samples constant: the shift is known exactly
		res.Estimate, res.Lower, res.Upper = muMin, muMin, muMin
		return res, nil
	}
	alpha := 1 - conf
	zq := normalQuantile(1 - alpha/2)
	res.Lower = rs.bound(muMin, muMax, zq, o.Correct)
	res.Upper = rs.bound(muMin, muMax, -zq, o.Correct)
	res.Estimate = rs.estimate(muMin, muMax)
	return res, nil
}

func validateSample(name string, v []float64) error {
	if len(v) == 0 {
		return inputErrorf(name, "needs at least one observation")
	}
	for i, x := range v {
		if !isFinite(x) {
			return inputErrorf(fmt.Sprintf("%s[%d]", name, i), "must be a finite number, got %v", x)
		}
	}
	return nil
}

// rankSum evaluates the rank-sum statistic of x - d against y.
type rankSum struct {
	x, y   []float64
	nx, ny float64
}

// statistic ranks c(x - d, y) with average ranks for ties and returns
// W = Σ rank(x - d) - nx(nx+1)/2 and the tie-corrected null standard
// deviation of W.
func (rs rankSum) statistic(d float64) (w, sigma float64) {
	type obs struct {
		v   float64
		isX bool
	}
	all := make([]obs, 0, len(rs.x)+len(rs.y))
	for _, v := range rs.x {
		all = append(all, obs{v - d, true})
	}
	for _, v := range rs.y {
		all = append(all, obs{v, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	rankSumX, ties := 0.0, 0.0
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j averaged
		t := float64(j - i)
		ties += t*t*t - t
		for k := i; k < j; k++ {
			if all[k].isX {
				rankSumX += avg
			}
		}
		i = j
	}
	n := rs.nx + rs.ny
	w = rankSumX - rs.nx*(rs.nx+1)/2
	sigma = math.Sqrt(rs.nx * rs.ny / 12 * ((n + 1) - ties/(n*(n-1))))
	return w, sigma
}

// standardised is R's W(d) in wilcox.test: (dz - correction)/sigma with
// dz = W(d) - nx·ny/2; 0 when every value ties (sigma = 0).
func (rs rankSum) standardised(d float64, correct bool) float64 {
	w, sigma := rs.statistic(d)
	dz := w - rs.nx*rs.ny/2
	if correct {
		dz -= sign(dz) * 0.5
	}
	if sigma == 0 {
		return 0
	}
	return dz / sigma
}

// bound solves standardised(d) = zq for d in [lo, hi] as R's root() does:
// an endpoint when the root lies outside, else R's zeroin with tolerance 1e-4.
func (rs rankSum) bound(lo, hi, zq float64, correct bool) float64 {
	f := func(d float64) float64 { return rs.standardised(d, correct) - zq }
	fLo := f(lo)
	if fLo <= 0 {
		return lo
	}
	fHi := f(hi)
	if fHi >= 0 {
		return hi
	}
	r, _ := zeroin(f, lo, hi, fLo, fHi, mwRootTol, 1000)
	return r
}

// estimate is the shift where the uncorrected standardised statistic is 0
// (R sets correct <- FALSE before uniroot for the estimate). At lo every
// x - d ranks above every y and at hi below, so the signs differ.
func (rs rankSum) estimate(lo, hi float64) float64 {
	f := func(d float64) float64 { return rs.standardised(d, false) }
	r, _ := zeroin(f, lo, hi, f(lo), f(hi), mwRootTol, 1000)
	return r
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
