package stats

import (
	"fmt"
	"math"
)

// minLagPairs is the fewest pairs a lag is scored with.
const minLagPairs = 5

// minShifts is the fewest circular shifts for a shift-test p-value; with
// fewer the smallest attainable p-value would exceed 0.05.
const minShifts = 19

// LagCorrelation is Pearson's r between x and y shifted by Lag steps.
type LagCorrelation struct {
	Lag int     `json:"lag"`
	N   int     `json:"n"`
	R   float64 `json:"r"`
}

// LeadLagResult is the lag at which x best leads y, with two honest
// p-values for "no association at any lag in 0..MaxLag".
type LeadLagResult struct {
	// Lag is the step count by which x leads y at the strongest |r|.
	Lag int `json:"lag"`
	// Pearson and Spearman describe the pairs at that lag (their own
	// p-values ignore both the lag search and autocorrelation).
	Pearson  Correlation      `json:"pearson"`
	Spearman Correlation      `json:"spearman"`
	Lags     []LagCorrelation `json:"lags"`
	// BonferroniP is Pearson's p-value at the chosen lag times the number of
	// lags tried (capped at 1): it corrects for the search, not for
	// autocorrelation.
	BonferroniP float64 `json:"bonferroni_p"`
	// ShiftP is the circular-shift test: the share of circular shifts of y
	// (far from the lags searched) whose best |r| over the same lags is at
	// least the observed one, counting the observed arrangement itself. It
	// keeps each series' autocorrelation, so two smooth but unrelated series
	// do not look related. Defined only with at least 19 shifts; at most 199
	// shifts are used, spread evenly over the allowed ones.
	ShiftP        float64 `json:"shift_p"`
	Shifts        int     `json:"shifts"`
	ShiftPDefined bool    `json:"shift_p_defined"`
	Defined       bool    `json:"defined"`
}

// LeadLag correlates x[t] with y[t+k] for every lag k in 0..maxLag (x leads
// y by k steps) and picks the lag with the largest |r|, the smallest lag on
// ties. x and y share one time grid; NaN marks a missing step, and a pair is
// used only when both values are present. Defined is false when no lag has
// at least 5 pairs with variation in both series.
func LeadLag(x, y []float64, maxLag int, alpha float64) (LeadLagResult, error) {
	if len(x) != len(y) {
		return LeadLagResult{}, inputErrorf("y", "has %d steps, x has %d; they share one time grid", len(y), len(x))
	}
	if maxLag < 0 || maxLag >= len(x) {
		return LeadLagResult{}, inputErrorf("maxLag", "must be in [0, %d) for %d steps, got %d", len(x), len(x), maxLag)
	}
	if !(alpha > 0 && alpha < 1) {
		return LeadLagResult{}, inputErrorf("alpha", "must be in (0, 1), got %v", alpha)
	}
	for i := range x {
		if math.IsInf(x[i], 0) {
			return LeadLagResult{}, inputErrorf(fmt.Sprintf("x[%d]", i), "must be finite or NaN (missing), got %v", x[i])
		}
		if math.IsInf(y[i], 0) {
			return LeadLagResult{}, inputErrorf(fmt.Sprintf("y[%d]", i), "must be finite or NaN (missing), got %v", y[i])
		}
	}

	res := LeadLagResult{ShiftP: 1, BonferroniP: 1}
	best := -1.0
	for k := 0; k <= maxLag; k++ {
		xs, ys := laggedPairs(x, y, k)
		lc := LagCorrelation{Lag: k, N: len(xs)}
		if len(xs) >= minLagPairs {
			if r, ok := pearsonR(xs, ys); ok {
				lc.R = r
				if math.Abs(r) > best {
					best, res.Lag = math.Abs(r), k
				}
			}
		}
		res.Lags = append(res.Lags, lc)
	}
	if best < 0 {
		res.Pearson, res.Spearman = undefinedCorrelation(0), undefinedCorrelation(0)
		return res, nil
	}
	res.Defined = true
	xs, ys := laggedPairs(x, y, res.Lag)
	var err error
	if res.Pearson, err = Pearson(xs, ys, alpha); err != nil {
		return LeadLagResult{}, err
	}
	if res.Spearman, err = Spearman(xs, ys, alpha); err != nil {
		return LeadLagResult{}, err
	}
	res.BonferroniP = math.Min(1, float64(maxLag+1)*res.Pearson.PValue)

	// The shift test: y rotated by s steps keeps its own autocorrelation but
	// loses any alignment with x. Shifts that would bring the searched lags
	// back near the true alignment (within a guard of a tenth of the series)
	// are left out.
	n := len(x)
	guard := maxLag + max(2, n/10)
	rotated := make([]float64, n)
	exceed := 0
	for _, s := range shifts(guard, n-guard) {
		for t := range rotated {
			rotated[t] = y[(t+s)%n]
		}
		if bestAbsR(x, rotated, maxLag) >= best-1e-12 {
			exceed++
		}
		res.Shifts++
	}
	if res.Shifts >= minShifts {
		res.ShiftP = float64(1+exceed) / float64(1+res.Shifts)
		res.ShiftPDefined = true
	}
	return res, nil
}

// maxShifts bounds the shift test's work (shifts × lags × steps); beyond it
// the shifts are spread evenly over the allowed range, which keeps the
// p-value's resolution at 1/200.
const maxShifts = 199

// shifts lists the circular shifts from lo to hi, or maxShifts of them
// spread evenly when there are more.
func shifts(lo, hi int) []int {
	count := hi - lo + 1
	if count <= 0 {
		return nil
	}
	if count <= maxShifts {
		out := make([]int, count)
		for i := range out {
			out[i] = lo + i
		}
		return out
	}
	out := make([]int, maxShifts)
	for i := range out {
		out[i] = lo + i*(count-1)/(maxShifts-1)
	}
	return out
}

// laggedPairs returns the pairs (x[t], y[t+k]) where both are present.
func laggedPairs(x, y []float64, k int) (xs, ys []float64) {
	for t := 0; t+k < len(x); t++ {
		if !math.IsNaN(x[t]) && !math.IsNaN(y[t+k]) {
			xs = append(xs, x[t])
			ys = append(ys, y[t+k])
		}
	}
	return xs, ys
}

// bestAbsR is the largest |r| over lags 0..maxLag (0 when none is defined).
func bestAbsR(x, y []float64, maxLag int) float64 {
	best := 0.0
	for k := 0; k <= maxLag; k++ {
		xs, ys := laggedPairs(x, y, k)
		if len(xs) < minLagPairs {
			continue
		}
		if r, ok := pearsonR(xs, ys); ok {
			best = math.Max(best, math.Abs(r))
		}
	}
	return best
}
