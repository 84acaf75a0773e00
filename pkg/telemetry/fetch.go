package telemetry

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/liftgate/liftgate/pkg/plan"
)

// Metric is what to read for one telemetry metric: one of the three forms
// of a plan's prometheus block.
type Metric struct {
	Form        string // plan.FormQuery, plan.FormRatio or plan.FormHistogram
	Query       string
	Numerator   string
	Denominator string
	Histogram   string
	Quantile    float64
}

// MetricFromPlan takes the form and expressions of a prometheus block.
func MetricFromPlan(pm plan.PrometheusMetric) Metric {
	return Metric{Form: pm.Form(), Query: pm.Query, Numerator: pm.Numerator, Denominator: pm.Denominator,
		Histogram: pm.Histogram, Quantile: pm.Quantile}
}

// Data is one metric's per-arm data on a grid. Each step holds the parts
// that add up over time: [value, 1] for a query (so a window's value is the
// mean of its steps), [numerator, denominator] increases for a ratio, and
// the buckets' increases for a histogram. A window's value is computed from
// the parts summed over its steps: the mean, Σnum/Σden, or the quantile of
// the summed buckets, never an average of per-step ratios or quantiles.
type Data struct {
	Grid   Grid
	Metric Metric
	// Bounds are the histogram's bucket upper bounds, in order.
	Bounds []float64
	// Parts maps each arm to its steps; a nil step is missing.
	Parts map[string][][]float64
}

// Fetch reads one metric for every arm over the grid.
func Fetch(ctx context.Context, src Source, m Metric, arms Arms, g Grid) (*Data, error) {
	d := &Data{Grid: g, Metric: m, Parts: map[string][][]float64{}}
	if g.Steps == 0 {
		return d, nil
	}
	for _, arm := range arms.Names {
		var parts [][]float64
		var err error
		switch m.Form {
		case plan.FormQuery:
			parts, err = fetchQuery(ctx, src, m.Query, arms, arm, g)
		case plan.FormRatio:
			parts, err = fetchRatio(ctx, src, m, arms, arm, g)
		case plan.FormHistogram:
			var bounds []float64
			parts, bounds, err = fetchHistogram(ctx, src, m.Histogram, arms, arm, g)
			if err == nil {
				if d.Bounds, parts, err = mergeBounds(d, bounds, parts); err != nil {
					err = fmt.Errorf("%s: %w", src.Name(), err)
				}
			}
		default:
			err = fmt.Errorf("unknown telemetry metric form %q", m.Form)
		}
		if err != nil {
			return nil, err
		}
		d.Parts[arm] = parts
	}
	return d, nil
}

// fetchQuery evaluates the per-arm expression at the end of every step; it
// must give at most one series per arm.
func fetchQuery(ctx context.Context, src Source, template string, arms Arms, arm string, g Grid) ([][]float64, error) {
	q, err := arms.Query(template, arm)
	if err != nil {
		return nil, err
	}
	series, err := src.QueryRange(ctx, q, windowEndRange(g))
	if err != nil {
		return nil, err
	}
	parts := make([][]float64, g.Steps)
	switch len(series) {
	case 0:
		return parts, nil
	case 1:
	default:
		return nil, &QueryError{Server: src.Name(), Query: q, Range: windowEndRange(g),
			Err: fmt.Errorf("returned %d series for arm %s (e.g. %s); aggregate it to one series per arm, e.g. sum(...) or histogram_quantile(0.99, sum by (le) (...))", len(series), arm, formatLabels(series[0].Labels))}
	}
	for _, p := range series[0].Points {
		if k := g.windowEndIndex(p.T); k >= 0 && !math.IsNaN(p.V) {
			parts[k] = []float64{p.V, 1}
		}
	}
	return parts, nil
}

// FetchCounter reads a counter selector for one arm at the grid's
// boundaries and returns its increase per step, summed over the selected
// series (NaN where no series has both boundaries).
func FetchCounter(ctx context.Context, src Source, selector string, arms Arms, arm string, g Grid) ([]float64, error) {
	q, err := arms.Query(selector, arm)
	if err != nil {
		return nil, err
	}
	series, err := src.QueryRange(ctx, q, boundaryRange(g))
	if err != nil {
		return nil, err
	}
	total := nanSteps(g.Steps)
	for _, s := range series {
		addSteps(total, counterSteps(g, s))
	}
	return total, nil
}

func fetchRatio(ctx context.Context, src Source, m Metric, arms Arms, arm string, g Grid) ([][]float64, error) {
	num, err := FetchCounter(ctx, src, m.Numerator, arms, arm, g)
	if err != nil {
		return nil, err
	}
	den, err := FetchCounter(ctx, src, m.Denominator, arms, arm, g)
	if err != nil {
		return nil, err
	}
	parts := make([][]float64, g.Steps)
	for k := range parts {
		switch {
		case math.IsNaN(den[k]):
		case math.IsNaN(num[k]):
			// Requests but no error series yet: errors that never
			// happened are not exported by most clients until the first.
			parts[k] = []float64{0, den[k]}
		default:
			parts[k] = []float64{num[k], den[k]}
		}
	}
	return parts, nil
}

// fetchHistogram reads the _bucket series and sums their increases per
// upper bound.
func fetchHistogram(ctx context.Context, src Source, selector string, arms Arms, arm string, g Grid) ([][]float64, []float64, error) {
	q, err := arms.Query(selector, arm)
	if err != nil {
		return nil, nil, err
	}
	series, err := src.QueryRange(ctx, q, boundaryRange(g))
	if err != nil {
		return nil, nil, err
	}
	byBound := map[float64][]float64{}
	for _, s := range series {
		le, ok := s.Labels["le"]
		if !ok {
			return nil, nil, &QueryError{Server: src.Name(), Query: q, Range: boundaryRange(g),
				Err: fmt.Errorf("series %s has no le label; histogram must select a classic histogram's _bucket series", formatLabels(s.Labels))}
		}
		bound, err := strconv.ParseFloat(le, 64)
		if err != nil {
			return nil, nil, &QueryError{Server: src.Name(), Query: q, Range: boundaryRange(g),
				Err: fmt.Errorf("series %s: le %q is not a number", formatLabels(s.Labels), le)}
		}
		steps, seen := byBound[bound]
		if !seen {
			steps = nanSteps(g.Steps)
			byBound[bound] = steps
		}
		addSteps(steps, counterSteps(g, s))
	}
	bounds := make([]float64, 0, len(byBound))
	for b := range byBound {
		bounds = append(bounds, b)
	}
	sort.Float64s(bounds)
	parts := make([][]float64, g.Steps)
	for k := range parts {
		step := make([]float64, len(bounds))
		present := false
		for i, b := range bounds {
			v := byBound[b][k]
			if !math.IsNaN(v) {
				step[i], present = v, true
			}
		}
		if present {
			parts[k] = step
		}
	}
	return parts, bounds, nil
}

// mergeBounds makes every arm's histogram parts use one list of bounds; an
// arm that lacks a bound has no observations in it beyond the bucket below.
func mergeBounds(d *Data, bounds []float64, parts [][]float64) ([]float64, [][]float64, error) {
	if len(bounds) == 0 {
		return d.Bounds, parts, nil
	}
	if d.Bounds == nil {
		return bounds, parts, nil
	}
	if slicesEqual(d.Bounds, bounds) {
		return d.Bounds, parts, nil
	}
	return nil, nil, fmt.Errorf("arms use different histogram buckets (%v and %v); compare histograms with the same bucket layout", d.Bounds, bounds)
}

func slicesEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// value computes a window's value from parts summed over its steps.
func (d *Data) value(sum []float64) (float64, bool) {
	switch d.Metric.Form {
	case plan.FormQuery, plan.FormRatio:
		if !(sum[1] > 0) {
			return math.NaN(), false
		}
		v := sum[0] / sum[1]
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	case plan.FormHistogram:
		// _bucket series are cumulative (le = "less or equal"), and so are
		// their increases: the sum is a cumulative histogram of the window.
		return BucketQuantile(d.Metric.Quantile, d.Bounds, sum)
	}
	return math.NaN(), false
}

// Window is the value of an arm over steps [from, to), or NaN when no step
// in it has data.
func (d *Data) Window(arm string, from, to int) float64 {
	parts := d.Parts[arm]
	var sum []float64
	for k := max(from, 0); k < min(to, len(parts)); k++ {
		if parts[k] == nil {
			continue
		}
		if sum == nil {
			sum = make([]float64, len(parts[k]))
		}
		for i, x := range parts[k] {
			sum[i] += x
		}
	}
	if sum == nil {
		return math.NaN()
	}
	v, ok := d.value(sum)
	if !ok {
		return math.NaN()
	}
	return v
}

// Steps is the value of every step for an arm (NaN where missing).
func (d *Data) Steps(arm string) []float64 {
	out := make([]float64, d.Grid.Steps)
	for k := range out {
		out[k] = d.Window(arm, k, k+1)
	}
	return out
}

// Batches is the value of consecutive batches of n steps from the start of
// the grid; a trailing partial batch is left out.
func (d *Data) Batches(arm string, n int) []float64 {
	if n < 1 {
		return nil
	}
	out := make([]float64, d.Grid.Steps/n)
	for b := range out {
		out[b] = d.Window(arm, b*n, (b+1)*n)
	}
	return out
}

// HasData reports whether the arm has any step with data.
func (d *Data) HasData(arm string) bool {
	for _, p := range d.Parts[arm] {
		if p != nil {
			return true
		}
	}
	return false
}

func formatLabels(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(l[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
