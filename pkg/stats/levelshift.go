package stats

import "math"

// A regression that starts partway through a telemetry window is a level
// shift in the treatment-minus-control series. Around the series' overall
// mean the shift looks like persistence: every step after it sits on the
// same side of the mean as its neighbour, so Lag1Autocorrelation reads
// 0.8-0.99 on series whose noise is nearly independent, batch planning
// gives up as "too autocorrelated", and the guardrail stays
// insufficient_data exactly while the regression runs. The functions here
// estimate φ from the residuals around the best single change in the mean
// instead, but only when a test that is conservative about autocorrelation
// finds that change; docs/statistics.md §14 gives the reasoning and the
// simulation.

// LevelShiftAlpha is the level of the test for a change in the mean: with
// no shift (every A/A comparison: load both arms share cancels in the
// difference), the residual estimate replaces the plain one in at most
// about this share of comparisons.
const LevelShiftAlpha = 0.01

// minShiftSegment is the fewest present steps on either side of a change
// point: the residual estimate needs a mean and a few pairs on each side.
const minShiftSegment = 5

// LevelShift is the best single change in the mean of a series: the split
// into two runs of steps that leaves the smallest sum of squares around the
// two runs' means.
type LevelShift struct {
	// At is the index in the series of the first step after the change.
	At int
	// Before and After are the means of the present steps on either side,
	// Count1 and Count2 their numbers.
	Before, After  float64
	Count1, Count2 int
	// Lag1 is the lag-1 autocorrelation of the residuals around the two
	// means, bias-corrected for the two estimated means and clipped to
	// [0, 0.99].
	Lag1 float64
	// Statistic is |After - Before| over its standard error, the residual
	// variance scaled to the long-run variance (1+φ)/(1-φ) with φ = Lag1
	// raised by one standard error; Critical is the Student t quantile
	// (n-2 df) at LevelShiftAlpha, Bonferroni-corrected over the candidate
	// change points.
	Statistic, Critical float64
}

// Significant reports whether the change in the mean is real at
// LevelShiftAlpha.
func (s LevelShift) Significant() bool { return s.Statistic > s.Critical }

// FindLevelShift finds the best single change in the mean of x (NaN marks a
// missing step), with at least max(5, n/20) present steps on either side.
// ok is false when the series is too short for two such runs or the
// residuals do not vary.
//
// The test is built to rarely find a change that is not there, even in an
// autocorrelated series: the long-run variance uses φ raised by one
// standard error (a segment mean of m AR(1) steps varies by less than
// σ²(1+φ)/((1-φ)m), so short runs are judged conservatively), and the
// Bonferroni correction over every candidate split holds whatever the
// correlation between the splits' statistics.
func FindLevelShift(x []float64) (LevelShift, bool) {
	var idx []int
	for i, v := range x {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	n := len(idx)
	minSeg := max(minShiftSegment, n/20)
	if n < 2*minSeg {
		return LevelShift{}, false
	}
	// Prefix sums of deviations from the overall mean, for accuracy when
	// the values are large and close together.
	total := 0.0
	for _, i := range idx {
		total += x[i]
	}
	center := total / float64(n)
	prefix := make([]float64, n+1)
	for k, i := range idx {
		prefix[k+1] = prefix[k] + (x[i] - center)
	}
	if !isFinite(prefix[n]) {
		return LevelShift{}, false
	}
	// The split after k present steps removes n1·n2/n·(m1-m2)² from the
	// sum of squares; the best split maximises it.
	best, bestGain := -1, -1.0
	for k := minSeg; k <= n-minSeg; k++ {
		n1, n2 := float64(k), float64(n-k)
		m1, m2 := prefix[k]/n1, (prefix[n]-prefix[k])/n2
		gain := n1 * n2 / float64(n) * (m1 - m2) * (m1 - m2)
		if gain > bestGain {
			best, bestGain = k, gain
		}
	}
	n1, n2 := best, n-best
	m1 := prefix[best] / float64(n1)
	m2 := (prefix[n] - prefix[best]) / float64(n2)
	s := LevelShift{At: idx[best], Before: center + m1, After: center + m2, Count1: n1, Count2: n2}

	// Residuals around the two means; pairs of consecutive present steps.
	resid := func(i int) float64 {
		if i < s.At {
			return x[i] - center - m1
		}
		return x[i] - center - m2
	}
	var num, den float64
	for _, i := range idx {
		r := resid(i)
		den += r * r
		if i+1 < len(x) && !math.IsNaN(x[i+1]) {
			num += r * resid(i+1)
		}
	}
	if !(den > 0) || !isFinite(num) || !isFinite(den) {
		return LevelShift{}, false
	}
	fn := float64(n)
	r := num / den
	// Each estimated mean biases r down by about (1+φ)/n (Marriott & Pope
	// 1954), and the lag product by 2φ/n: r + (2+4r)/n undoes both, the
	// two-mean form of Kendall's r + (1+3r)/n.
	r += (2 + 4*r) / fn
	s.Lag1 = math.Max(0, math.Min(maxLag1, r))

	phi := math.Min(maxLag1, s.Lag1+math.Sqrt((1-s.Lag1*s.Lag1)/fn))
	longRun := den / (fn - 2) * (1 + phi) / (1 - phi)
	se := math.Sqrt(longRun * (1/float64(n1) + 1/float64(n2)))
	s.Statistic = math.Abs(m2-m1) / se
	splits := float64(n - 2*minSeg + 1)
	s.Critical = tQuantileUpper(LevelShiftAlpha/(2*splits), fn-2)
	if !isFinite(s.Statistic) || !isFinite(s.Before) || !isFinite(s.After) {
		return LevelShift{}, false
	}
	return s, true
}

// ShiftRobustLag1 is the lag-1 autocorrelation for sizing batches of a
// paired difference series that may hold a level shift: the residual
// estimate of FindLevelShift when its change is significant and the
// residuals are less autocorrelated than the series, otherwise
// Lag1Autocorrelation. Without a significant change it is exactly
// Lag1Autocorrelation, so a genuinely autocorrelated series without a shift
// keeps its estimate in all but about LevelShiftAlpha of cases.
func ShiftRobustLag1(x []float64) (phi float64, shift *LevelShift, ok bool) {
	phi, ok = Lag1Autocorrelation(x)
	s, found := FindLevelShift(x)
	if found && s.Significant() && (!ok || s.Lag1 < phi) {
		return s.Lag1, &s, true
	}
	return phi, nil, ok
}
