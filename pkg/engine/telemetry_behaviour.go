package engine

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// BehaviourOptions choose what TelemetryBehaviour joins.
type BehaviourOptions struct {
	// Telemetry names a prometheus metric of the plan, Product an event
	// metric.
	Telemetry string
	Product   string
	// Bucket is the common time bucket, a whole number of the telemetry
	// metric's steps; 0 means one step.
	Bucket time.Duration
	// MaxLag is how far ahead of behaviour telemetry may lead (rounded down
	// to whole buckets); 0 looks at the same bucket only.
	MaxLag time.Duration
	// From and To bound the buckets; zero means the plan's start and end (or
	// now).
	From, To time.Time
	// Alpha for the correlation intervals; 0 means the plan's alpha.
	Alpha float64
}

// BehaviourResult ties a telemetry series to a product metric per arm.
type BehaviourResult struct {
	Telemetry string         `json:"telemetry"`
	Product   string         `json:"product"`
	Bucket    time.Duration  `json:"bucket"`
	MaxLag    time.Duration  `json:"max_lag"`
	Arms      []ArmBehaviour `json:"arms"`
}

// ArmBehaviour is the join for one arm. Pearson and Spearman describe the
// same buckets (lag 0); LeadLag searches lags 0..MaxLag, telemetry leading,
// with a Bonferroni and a circular-shift p-value that respect the search
// and, for the shift test, the autocorrelation of both series.
type ArmBehaviour struct {
	Arm      string              `json:"arm"`
	Buckets  int                 `json:"buckets"`
	Pearson  stats.Correlation   `json:"pearson"`
	Spearman stats.Correlation   `json:"spearman"`
	BestLag  time.Duration       `json:"best_lag"`
	LeadLag  stats.LeadLagResult `json:"lead_lag"`
	Scatter  []ScatterPoint      `json:"scatter"`
}

// ScatterPoint is one bucket of one arm: telemetry against behaviour, for a
// latency-versus-conversion scatter.
type ScatterPoint struct {
	Time      time.Time `json:"time"`
	Telemetry float64   `json:"telemetry"`
	Product   float64   `json:"product"`
}

// TelemetryBehaviour aligns a product metric per time bucket (from the event
// store: the metric over the units first exposed in the bucket, per arm,
// as ArmSeries gives it) with a
// telemetry metric on the same buckets (UTC, aligned to the plan's start),
// and correlates them per arm.
func TelemetryBehaviour(ctx context.Context, p *plan.Plan, ev events.Source, tel telemetry.Source, o BehaviourOptions) (*BehaviourResult, error) {
	tm, err := prometheusMetric(p, o.Telemetry)
	if err != nil {
		return nil, err
	}
	pmMetric, ok := p.MetricByName(o.Product)
	if !ok || !isEventMetric(*pmMetric) {
		return nil, fmt.Errorf("plan %s has no event metric %q", p.ID, o.Product)
	}
	if ev == nil || tel == nil {
		return nil, fmt.Errorf("telemetry behaviour needs both an event source and a telemetry source")
	}
	step := p.Resolved(tm).Step.D()
	bucket := o.Bucket
	if bucket == 0 {
		bucket = step
	}
	if bucket < step || bucket%step != 0 {
		return nil, fmt.Errorf("bucket %s must be a whole number of the metric's %s steps", bucket, step)
	}
	from, to := o.From, o.To
	if from.IsZero() {
		from = p.Start
	}
	if to.IsZero() {
		to = evaluationEnd(p, time.Now().UTC())
	}
	alpha := o.Alpha
	if alpha == 0 {
		alpha = p.Analysis.Alpha
	}
	data, _, err := fetchMetric(ctx, p, tm, tel, from, to)
	if err != nil {
		return nil, err
	}
	grid, err := alignedGrid(p, from, to, bucket)
	if err != nil {
		return nil, err
	}
	product, err := productByBucket(ctx, p, ev, pmMetric, grid, to)
	if err != nil {
		return nil, err
	}
	maxLag := int(o.MaxLag / bucket)
	res := &BehaviourResult{Telemetry: o.Telemetry, Product: o.Product, Bucket: bucket, MaxLag: time.Duration(maxLag) * bucket}
	perBucket := int(bucket / step)
	offset := int(grid.Start.Sub(data.Grid.Start) / step)
	for _, arm := range p.ArmNames() {
		x := make([]float64, grid.Steps)
		for b := range x {
			x[b] = data.Window(arm, offset+b*perBucket, offset+(b+1)*perBucket)
		}
		y := product[arm]
		ab := ArmBehaviour{Arm: arm, Scatter: []ScatterPoint{}}
		var xs, ys []float64
		for b := range x {
			if !math.IsNaN(x[b]) && !math.IsNaN(y[b]) {
				xs, ys = append(xs, x[b]), append(ys, y[b])
				ab.Scatter = append(ab.Scatter, ScatterPoint{Time: grid.WindowStart(b), Telemetry: x[b], Product: y[b]})
			}
		}
		ab.Buckets = len(xs)
		ab.Pearson, ab.Spearman = correlate(xs, ys, alpha)
		if maxLag < grid.Steps {
			if ll, err := stats.LeadLag(x, y, maxLag, alpha); err == nil {
				ab.LeadLag = ll
				if ll.Defined {
					ab.BestLag = time.Duration(ll.Lag) * bucket
				}
			}
		}
		res.Arms = append(res.Arms, ab)
	}
	return res, nil
}

// correlate is Pearson and Spearman, undefined below 3 pairs.
func correlate(x, y []float64, alpha float64) (stats.Correlation, stats.Correlation) {
	undefined := stats.Correlation{N: len(x), PValue: 1, Lower: -1, Upper: 1}
	if len(x) < 3 {
		return undefined, undefined
	}
	p, err1 := stats.Pearson(x, y, alpha)
	s, err2 := stats.Spearman(x, y, alpha)
	if err1 != nil || err2 != nil {
		return undefined, undefined
	}
	return p, s
}

// productByBucket reads an event metric per arm and bucket of first
// exposure on the grid (see ArmSeries): NaN where a bucket has no value.
func productByBucket(ctx context.Context, p *plan.Plan, ev events.Source, m *plan.Metric, grid telemetry.Grid, at time.Time) (map[string][]float64, error) {
	buckets, err := ArmSeries(ctx, p, ev, m.Name, SeriesOptions{From: grid.Start, At: at, Bucket: grid.Step})
	if err != nil {
		return nil, err
	}
	out := map[string][]float64{}
	for _, arm := range p.ArmNames() {
		out[arm] = make([]float64, grid.Steps)
		for k := range out[arm] {
			out[arm][k] = math.NaN()
		}
	}
	for _, b := range buckets {
		if k := grid.Index(b.Bucket); k >= 0 && b.Defined && b.Segment == "" {
			if v, ok := out[b.Arm]; ok {
				v[k] = b.Value
			}
		}
	}
	return out, nil
}
