package plugin

import (
	"context"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/frames"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
)

// armSeriesTargetPoints is the automatic bucket's aim: one store query
// answers every bucket, so the series can be as fine as a panel shows.
const armSeriesTargetPoints = 100

// handleArmSeries is a product metric (or the units exposed) per arm per
// exposure bucket.
func (ds *Datasource) handleArmSeries(ctx context.Context, q *models.Query, dq backend.DataQuery) (data.Frames, error) {
	p, hash, err := ds.planFor(ctx, q.Experiment)
	if err != nil {
		return nil, err
	}
	if _, err := selection(p, q, true); err != nil {
		return nil, err
	}
	var metric *plan.Metric
	if q.Series != models.SeriesUnits {
		m, _ := p.MetricByName(q.Metric)
		if m.Kind == plan.KindPrometheus {
			return nil, &models.QueryError{Field: models.FieldMetric, Message: fmt.Sprintf("%q is a Prometheus metric; chart it with the telemetry by arm query type", q.Metric)}
		}
		metric = m
	}
	bucket := stepFor(q, dq, armSeriesTargetPoints)
	at := ds.evaluationTime(dq.TimeRange.To)
	opts := engine.SeriesOptions{From: dq.TimeRange.From.Add(-bucket), At: at, Bucket: bucket, Segment: q.Segment}
	key := fmt.Sprintf("series\x00%s\x00%s\x00%s\x00%d\x00%d\x00%d\x00%s", p.ID, hash, q.Metric, opts.From.UnixNano(), at.UnixNano(), bucket, q.Segment)
	v, _, err := ds.cache.do(ctx, key, ds.cfg.Timeout, func(ctx context.Context) (any, error) {
		if metric == nil {
			return engine.ExposureSeries(ctx, p, ds.events, opts)
		}
		return engine.ArmSeries(ctx, p, ds.events, metric.Name, opts)
	})
	if err != nil {
		return nil, err
	}
	call := "arm_series"
	if metric == nil {
		call = "exposure_series"
	}
	executed := ds.describe(call, "experiment="+p.ID, "plan="+hash, "metric="+q.Metric, "bucket="+plan.Duration(bucket).String(),
		"at="+at.Format(time.RFC3339Nano), "segment="+q.Segment)
	var buckets []engine.ArmBucket
	for _, b := range v.([]engine.ArmBucket) {
		if q.Arm == "" || b.Arm == q.Arm {
			buckets = append(buckets, b)
		}
	}
	return frames.ArmSeries(buckets, metric, executed), nil
}
