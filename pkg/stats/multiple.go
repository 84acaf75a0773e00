package stats

import (
	"fmt"
	"math"
	"sort"
)

// HolmAdjust returns Holm's (1979) step-down adjusted p-values, in input
// order, equal to R's p.adjust(p, method = "holm"): sorted ascending, the i-th
// smallest (0-based) is multiplied by m-i, then a running maximum is taken and
// capped at 1. It controls the family-wise error rate.
func HolmAdjust(p []float64) ([]float64, error) {
	if err := validatePValues(p); err != nil {
		return nil, err
	}
	m := float64(len(p))
	order := sortedOrder(p, false)
	out := make([]float64, len(p))
	running := 0.0
	for i, idx := range order {
		running = math.Max(running, (m-float64(i))*p[idx])
		out[idx] = math.Min(1, running)
	}
	return out, nil
}

// BHAdjust returns Benjamini–Hochberg (1995) adjusted p-values, in input
// order, equal to R's p.adjust(p, method = "BH"): sorted descending, the
// p-value of rank r (1 = smallest) is multiplied by m/r, then a running
// minimum is taken and capped at 1. It controls the false discovery rate for
// independent or positively dependent tests (not, in general, for
// always-valid p-values under continuous monitoring; see docs/statistics.md).
func BHAdjust(p []float64) ([]float64, error) {
	if err := validatePValues(p); err != nil {
		return nil, err
	}
	m := float64(len(p))
	order := sortedOrder(p, true)
	out := make([]float64, len(p))
	running := math.Inf(1)
	for i, idx := range order {
		rank := m - float64(i)
		running = math.Min(running, m/rank*p[idx])
		out[idx] = math.Min(1, running)
	}
	return out, nil
}

func validatePValues(p []float64) error {
	for i, v := range p {
		if !(v >= 0 && v <= 1) {
			return inputErrorf(fmt.Sprintf("p[%d]", i), "must be a p-value between 0 and 1, got %v", v)
		}
	}
	return nil
}

// sortedOrder returns the indices of p sorted ascending (or descending),
// ties in input order like R's order().
func sortedOrder(p []float64, descending bool) []int {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		if descending {
			return p[idx[a]] > p[idx[b]]
		}
		return p[idx[a]] < p[idx[b]]
	})
	return idx
}
