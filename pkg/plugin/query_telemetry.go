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

// telemetryTargetPoints is the automatic step's aim for telemetry charts.
const telemetryTargetPoints = 300

// handleTelemetryByArm is a PromQL expression (or a Prometheus metric of
// the plan) per arm, on a grid aligned to the plan's start like the
// product metrics' buckets.
func (ds *Datasource) handleTelemetryByArm(ctx context.Context, q *models.Query, dq backend.DataQuery) (data.Frames, error) {
	if ds.telemetry == nil {
		return nil, errNoPrometheus
	}
	p, hash, err := ds.planFor(ctx, q.Experiment)
	if err != nil {
		return nil, err
	}
	// The plan's own step unless the query or the range asks for coarser.
	step := max(stepFor(q, dq, telemetryTargetPoints), planStep(p, q))
	if d, _ := q.BucketDuration(); d > 0 {
		step = d
	}
	tp, name, err := telemetryMetric(p, q, q.Expr, q.Metric, step)
	if err != nil {
		return nil, err
	}
	from, to := dq.TimeRange.From, ds.evaluationTime(dq.TimeRange.To)
	key := fmt.Sprintf("telemetry\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%d\x00%d", p.ID, hash, q.Expr, q.Metric, q.ArmLabel, from.UnixNano(), to.UnixNano(), step)
	v, _, err := ds.cache.do(ctx, key, ds.cfg.Timeout, func(ctx context.Context) (any, error) {
		s, err := engine.TelemetryByArm(ctx, tp, name, ds.telemetry, from, to)
		if err != nil {
			return nil, &sourceError{source: ds.telemetry.Name(), err: err}
		}
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	label := q.Metric
	if q.Expr != "" {
		label = q.Expr
	}
	m, _ := tp.MetricByName(name)
	resolved := tp.Resolved(m)
	// The expression goes last and unquoted, as the user wrote it.
	executed := fmt.Sprintf("telemetry_by_arm experiment=%s arm_label=%s step=%s from=%s to=%s prometheus=%s query=%s",
		p.ID, resolved.ArmLabel, plan.Duration(step), from.UTC().Format(time.RFC3339), to.Format(time.RFC3339), ds.cfg.Settings.PrometheusURL, label)
	return frames.TelemetryByArm(v.(*engine.TelemetrySeries), label, executed), nil
}

// behaviourTargetBuckets is the automatic bucket's aim: enough pairs for a
// correlation, few enough that each bucket has units in it.
const behaviourTargetBuckets = 48

// handleTelemetryBehaviour joins a PromQL expression with a product metric
// per arm on common buckets: the joined series, the correlations with the
// best lag, and the scatter.
func (ds *Datasource) handleTelemetryBehaviour(ctx context.Context, q *models.Query, dq backend.DataQuery) (data.Frames, error) {
	if ds.telemetry == nil {
		return nil, errNoPrometheus
	}
	p, hash, err := ds.planFor(ctx, q.Experiment)
	if err != nil {
		return nil, err
	}
	m, ok := p.MetricByName(q.Metric)
	if !ok || m.Kind == plan.KindPrometheus {
		return nil, &models.QueryError{Field: models.FieldMetric, Message: fmt.Sprintf("%q is not an event metric of experiment %s (it has: %v)", q.Metric, p.ID, metricNames(p))}
	}
	tp, name, err := telemetryMetric(p, q, q.Expr, "", 0)
	if err != nil {
		return nil, err
	}
	tm, _ := tp.MetricByName(name)
	step := tp.Resolved(tm).Step.D()
	// The bucket is a whole number of telemetry steps.
	bucket := stepFor(q, dq, behaviourTargetBuckets)
	bucket = max(step, (bucket+step-1)/step*step)
	maxLag, _ := q.MaxLagDuration()
	from, to := dq.TimeRange.From, ds.evaluationTime(dq.TimeRange.To)
	opts := engine.BehaviourOptions{Telemetry: name, Product: q.Metric, Bucket: bucket, MaxLag: maxLag, From: from, To: to}
	key := fmt.Sprintf("behaviour\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%d\x00%d\x00%d", p.ID, hash, q.Expr, q.Metric, q.ArmLabel, from.UnixNano(), to.UnixNano(), bucket, maxLag)
	v, _, err := ds.cache.do(ctx, key, ds.cfg.Timeout, func(ctx context.Context) (any, error) {
		return engine.TelemetryBehaviour(ctx, tp, ds.events, ds.telemetry, opts)
	})
	if err != nil {
		return nil, err
	}
	executed := fmt.Sprintf("telemetry_behaviour experiment=%s metric=%s bucket=%s max_lag=%s from=%s to=%s prometheus=%s events=%s query=%s",
		p.ID, q.Metric, plan.Duration(bucket), plan.Duration(maxLag), from.UTC().Format(time.RFC3339), to.Format(time.RFC3339),
		ds.cfg.Settings.PrometheusURL, ds.events.Name(), q.Expr)
	return frames.Behaviour(v.(*engine.BehaviourResult), q.Expr, executed), nil
}

// planStep is the telemetry step the plan (or the query's metric) uses.
func planStep(p *plan.Plan, q *models.Query) time.Duration {
	if m, ok := p.MetricByName(q.Metric); ok && m.Kind == plan.KindPrometheus && q.Expr == "" {
		return p.Resolved(m).Step.D()
	}
	return p.TelemetryArms("", nil, 0).Step
}
