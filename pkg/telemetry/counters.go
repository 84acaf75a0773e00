package telemetry

import (
	"math"
	"time"
)

// boundaryValues places one series' samples on the grid's boundaries
// 0..Steps (NaN where the series has no sample).
func boundaryValues(g Grid, s Series) []float64 {
	v := make([]float64, g.Steps+1)
	for i := range v {
		v[i] = math.NaN()
	}
	for _, p := range s.Points {
		if k := g.boundaryIndex(p.T); k >= 0 {
			v[k] = p.V
		}
	}
	return v
}

// counterSteps turns one counter series, read at the grid's boundaries, into
// its growth in each step: the difference of the values at the step's two
// boundaries, or the later value when it is smaller (the counter was reset,
// as Prometheus's increase() assumes). A step with a missing boundary is
// NaN. Unlike increase(x[step]), nothing is extrapolated, so the steps add
// up to the counter's exact growth between grid points whatever the scrape
// interval.
func counterSteps(g Grid, s Series) []float64 {
	v := boundaryValues(g, s)
	out := make([]float64, g.Steps)
	for k := range out {
		prev, cur := v[k], v[k+1]
		switch {
		case math.IsNaN(prev) || math.IsNaN(cur):
			out[k] = math.NaN()
		case cur < prev:
			out[k] = cur
		default:
			out[k] = cur - prev
		}
	}
	return out
}

// addSteps adds src into dst step by step; a step stays NaN only when no
// series had a value for it.
func addSteps(dst, src []float64) {
	for k, x := range src {
		switch {
		case math.IsNaN(x):
		case math.IsNaN(dst[k]):
			dst[k] = x
		default:
			dst[k] += x
		}
	}
}

func nanSteps(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

// boundaryRange is the query range that reads a series at every boundary of
// g: Start, Start+Step, …, End.
func boundaryRange(g Grid) Range {
	return Range{Start: g.Start, End: g.End(), Step: g.Step}
}

// windowEndRange is the query range that evaluates an expression at the end
// of every step: Start+Step, …, End. The value at the end of step k
// describes step k (a rate over the last step, a gauge's latest value).
func windowEndRange(g Grid) Range {
	return Range{Start: g.Start.Add(g.Step), End: g.End(), Step: g.Step}
}

// windowEndIndex maps an evaluation time at the end of a step to the step.
func (g Grid) windowEndIndex(t time.Time) int {
	k := g.boundaryIndex(t)
	if k <= 0 {
		return -1
	}
	return k - 1
}
