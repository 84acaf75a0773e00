package stats

import (
	"fmt"
	"math"
	"sort"
)

// Correlation is a correlation coefficient with its two-sided p-value
// against 0 and a 1-Alpha interval. When Defined is false (fewer than 3
// pairs, or a series that does not vary) R is 0, PValue 1 and the interval
// [-1, 1]: nothing is known.
type Correlation struct {
	N       int     `json:"n"`
	R       float64 `json:"r"`
	PValue  float64 `json:"p_value"`
	Lower   float64 `json:"ci_lower"`
	Upper   float64 `json:"ci_upper"`
	Defined bool    `json:"defined"`
}

// undefinedCorrelation is what is known about n pairs that cannot be
// correlated.
func undefinedCorrelation(n int) Correlation {
	return Correlation{N: n, PValue: 1, Lower: -1, Upper: 1}
}

// Pearson is the product-moment correlation of paired samples with SciPy's
// pearsonr p-value (the exact null distribution of r for normal data,
// equivalently Student t with n-2 degrees of freedom) and its Fisher-z
// interval tanh(atanh r ± z₁₋α/₂/√(n-3)), as pearsonr's
// confidence_interval. The interval needs n ≥ 4; with n = 3 it is [-1, 1].
// The p-value assumes independent pairs: for time series use LeadLag, whose
// shift test does not.
func Pearson(x, y []float64, alpha float64) (Correlation, error) {
	if err := validatePairs(x, y, alpha); err != nil {
		return Correlation{}, err
	}
	r, ok := pearsonR(x, y)
	if !ok {
		return undefinedCorrelation(len(x)), nil
	}
	return correlationInference(r, len(x), alpha, 1), nil
}

// Spearman is the rank correlation (average ranks for ties) with SciPy's
// spearmanr p-value (Student t on n-2 degrees of freedom applied to the
// ranks' correlation) and a Fisher-z interval with the variance 1.06/(n-3)
// of Fieller, Hartley and Pearson (1957); SciPy offers no interval.
func Spearman(x, y []float64, alpha float64) (Correlation, error) {
	if err := validatePairs(x, y, alpha); err != nil {
		return Correlation{}, err
	}
	r, ok := pearsonR(ranks(x), ranks(y))
	if !ok {
		return undefinedCorrelation(len(x)), nil
	}
	return correlationInference(r, len(x), alpha, 1.06), nil
}

// correlationInference adds the t p-value and the Fisher-z interval with
// variance factor/(n-3) to a coefficient r from n pairs.
func correlationInference(r float64, n int, alpha, factor float64) Correlation {
	c := Correlation{N: n, R: r, Defined: true, Lower: -1, Upper: 1}
	df := float64(n - 2)
	switch {
	case math.Abs(r) >= 1:
		c.PValue = 0
	default:
		t := r * math.Sqrt(df/((1-r)*(1+r)))
		c.PValue = twoSidedTP(t, df)
	}
	if n >= 4 {
		if math.Abs(r) >= 1 {
			c.Lower, c.Upper = r, r
		} else {
			z, hw := math.Atanh(r), normalQuantile(1-alpha/2)*math.Sqrt(factor/float64(n-3))
			c.Lower, c.Upper = math.Tanh(z-hw), math.Tanh(z+hw)
		}
	}
	return c
}

// pearsonR is r computed around the means (two passes). ok is false when a
// series does not vary or the sums overflow.
func pearsonR(x, y []float64) (float64, bool) {
	mx, my := meanVar(x).mean, meanVar(y).mean
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if !(sxx > 0 && syy > 0) || !isFinite(sxx) || !isFinite(syy) || !isFinite(sxy) {
		return 0, false
	}
	// sxx·syy can underflow to 0 (or overflow) for extreme values; then the
	// square roots are taken separately.
	r := sxy / math.Sqrt(sxx*syy)
	if prod := sxx * syy; !(prod > 0) || math.IsInf(prod, 0) {
		r = sxy / (math.Sqrt(sxx) * math.Sqrt(syy))
	}
	if !isFinite(r) {
		return 0, false
	}
	return math.Max(-1, math.Min(1, r)), true
}

// ranks returns 1-based ranks with ties given their average rank.
func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	out := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			out[idx[k]] = avg
		}
		i = j
	}
	return out
}

func validatePairs(x, y []float64, alpha float64) error {
	if len(x) != len(y) {
		return inputErrorf("y", "has %d values, x has %d; they are paired", len(y), len(x))
	}
	if len(x) < 3 {
		return inputErrorf("x", "needs at least 3 pairs, got %d", len(x))
	}
	for i := range x {
		if !isFinite(x[i]) {
			return inputErrorf(fmt.Sprintf("x[%d]", i), "must be a finite number, got %v", x[i])
		}
		if !isFinite(y[i]) {
			return inputErrorf(fmt.Sprintf("y[%d]", i), "must be a finite number, got %v", y[i])
		}
	}
	if !(alpha > 0 && alpha < 1) {
		return inputErrorf("alpha", "must be in (0, 1), got %v", alpha)
	}
	return nil
}
