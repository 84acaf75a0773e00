package telemetry

import (
	"math"
	"sort"
)

// BucketQuantile is the q-quantile of a classic histogram as Prometheus's
// histogram_quantile() computes it: cumulative counts per upper bound (the
// last bound +Inf), the quantile's rank located by linear interpolation
// within its bucket, the lowest bucket starting at 0 when its bound is
// positive, and the highest finite bound returned when the rank falls in
// the +Inf bucket. Counts are made monotonic first, as Prometheus does for
// buckets scraped at slightly different times. ok is false when there is no
// observation or no +Inf bucket.
func BucketQuantile(q float64, upper, cumulative []float64) (float64, bool) {
	n := len(upper)
	if n < 2 || len(cumulative) != n || !(q >= 0 && q <= 1) {
		return 0, false
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return upper[idx[a]] < upper[idx[b]] })
	ub, c := make([]float64, n), make([]float64, n)
	for i, j := range idx {
		ub[i], c[i] = upper[j], cumulative[j]
	}
	if !math.IsInf(ub[n-1], 1) {
		return 0, false
	}
	for i := 1; i < n; i++ {
		c[i] = math.Max(c[i], c[i-1])
	}
	total := c[n-1]
	if !(total > 0) {
		return 0, false
	}
	rank := q * total
	b := sort.Search(n-1, func(i int) bool { return c[i] >= rank })
	if b == n-1 {
		return ub[n-2], true
	}
	if b == 0 && ub[0] <= 0 {
		return ub[0], true
	}
	start, count := 0.0, c[b]
	if b > 0 {
		start = ub[b-1]
		count -= c[b-1]
		rank -= c[b-1]
	}
	if count == 0 {
		return ub[b], true
	}
	return start + (ub[b]-start)*(rank/count), true
}
