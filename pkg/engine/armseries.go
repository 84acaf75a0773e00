package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// ArmBucket is one arm's cohort of units first exposed in one time bucket
// (and, with a segment, one segment value), pooled over stages.
type ArmBucket struct {
	Arm     string
	Bucket  time.Time // start of the bucket, aligned to the plan's start
	Segment string    // "" unless a segment was asked for
	Units   float64   // units of the cohort
	// Value is the metric over the cohort with the data up to the
	// evaluation time: the conversion rate, the mean per unit (count and
	// mean metrics) or Σnumerator/Σdenominator (ratio). Defined is false when
	// it has no value (no units, or a zero denominator) rather than NaN.
	Value   float64
	Defined bool
}

// SeriesOptions select the buckets of an arm series.
type SeriesOptions struct {
	// From and At bound the buckets: those starting in [From, At) are
	// returned; data up to At counts (At zero means now).
	From, At time.Time
	// Bucket is the bucket width (required, > 0).
	Bucket time.Duration
	// Segment, when set, splits each bucket by one of the plan's segments.
	Segment string
}

// ArmSeries returns an event metric per arm per exposure bucket. Buckets
// group units by their first exposure, so each point is a cohort whose
// value uses the same data the comparison does; the per-bucket values are
// descriptive (no intervals), for seeing trends and novelty effects.
func ArmSeries(ctx context.Context, p *plan.Plan, src events.Source, metric string, opts SeriesOptions) ([]ArmBucket, error) {
	m, ok := p.MetricByName(metric)
	if !ok {
		return nil, fmt.Errorf("metric %q is not in plan %s (it has %v)", metric, p.ID, metricNames(p))
	}
	if !isEventMetric(*m) {
		return nil, fmt.Errorf("metric %q is a %s metric, not an event metric; chart it with its query per arm instead", metric, m.Kind)
	}
	scope, err := seriesScope(p, opts)
	if err != nil {
		return nil, err
	}
	rows, err := src.MetricSums(ctx, scope, storeMetric(*m))
	if err != nil {
		return nil, &SourceError{Source: src.Name(), Op: "metric " + m.Name + " by bucket", Err: err}
	}
	pooled := map[bucketKey]stats.ArmSums{}
	for _, r := range rows {
		k := bucketKey{r.Arm, r.Bucket, r.Segment}
		pooled[k] = pooled[k].Add(r.Sums)
	}
	out := make([]ArmBucket, 0, len(pooled))
	for k, s := range pooled {
		if k.bucket.Before(opts.From) {
			continue
		}
		b := ArmBucket{Arm: k.arm, Bucket: k.bucket, Segment: k.segment, Units: s.N}
		num, den := s.SumY, s.N
		if m.Kind == plan.KindRatio {
			den = s.SumD
		}
		if den != 0 {
			b.Value, b.Defined = num/den, true
		}
		out = append(out, b)
	}
	sortBuckets(p, out)
	return out, nil
}

// ExposureSeries returns the units first exposed per arm per bucket.
func ExposureSeries(ctx context.Context, p *plan.Plan, src events.Source, opts SeriesOptions) ([]ArmBucket, error) {
	scope, err := seriesScope(p, opts)
	if err != nil {
		return nil, err
	}
	counts, err := src.Exposures(ctx, scope)
	if err != nil {
		return nil, &SourceError{Source: src.Name(), Op: "exposures by bucket", Err: err}
	}
	pooled := map[bucketKey]float64{}
	for _, g := range counts.Groups {
		pooled[bucketKey{g.Arm, g.Bucket, g.Segment}] += float64(g.Units)
	}
	out := make([]ArmBucket, 0, len(pooled))
	for k, n := range pooled {
		if k.bucket.Before(opts.From) {
			continue
		}
		out = append(out, ArmBucket{Arm: k.arm, Bucket: k.bucket, Segment: k.segment, Units: n, Value: n, Defined: true})
	}
	sortBuckets(p, out)
	return out, nil
}

type bucketKey struct {
	arm     string
	bucket  time.Time
	segment string
}

// seriesScope is the plan's scope with the bucket and segment breakdown.
func seriesScope(p *plan.Plan, opts SeriesOptions) (events.Scope, error) {
	if opts.Bucket <= 0 {
		return events.Scope{}, fmt.Errorf("bucket must be positive, got %s", opts.Bucket)
	}
	if opts.Segment != "" && !slices.Contains(p.Segments, opts.Segment) {
		return events.Scope{}, fmt.Errorf("segment %q is not one of the plan's segments %v", opts.Segment, p.Segments)
	}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	scope := scopeFor(p, evaluationEnd(p, at.UTC()), p.Schedule())
	scope.Bucket = opts.Bucket
	scope.Segment = opts.Segment
	return scope, nil
}

// sortBuckets orders by arm (plan order), segment, then time.
func sortBuckets(p *plan.Plan, b []ArmBucket) {
	order := map[string]int{}
	for i, a := range p.ArmNames() {
		order[a] = i
	}
	sort.Slice(b, func(i, j int) bool {
		if b[i].Arm != b[j].Arm {
			return order[b[i].Arm] < order[b[j].Arm]
		}
		if b[i].Segment != b[j].Segment {
			return b[i].Segment < b[j].Segment
		}
		return b[i].Bucket.Before(b[j].Bucket)
	})
}

func metricNames(p *plan.Plan) []string {
	out := make([]string, len(p.Metrics))
	for i, m := range p.Metrics {
		out[i] = m.Name
	}
	return out
}
