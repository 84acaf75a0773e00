package plugin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/exporterclient"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
)

// plannedExperiment is a plan as the exporter evaluates it, with its hash.
type plannedExperiment struct {
	plan *plan.Plan
	hash string
}

// planFor fetches an experiment's plan from the exporter. Plans are cached
// like results, so a dashboard's panels ask the exporter once.
func (ds *Datasource) planFor(ctx context.Context, id string) (*plan.Plan, string, error) {
	v, _, err := ds.cache.do(ctx, "plan\x00"+id, ds.cfg.Timeout, func(ctx context.Context) (any, error) {
		p, hash, err := ds.plans.Plan(ctx, id)
		if err != nil {
			return nil, ds.planError(ctx, id, err)
		}
		return plannedExperiment{plan: p, hash: hash}, nil
	})
	if err != nil {
		return nil, "", err
	}
	pe := v.(plannedExperiment)
	return pe.plan, pe.hash, nil
}

// planError explains a failed plan lookup: an unknown experiment is the
// query's mistake (listing the ones that exist), anything else the
// exporter's.
func (ds *Datasource) planError(ctx context.Context, id string, err error) error {
	if !errors.Is(err, exporterclient.ErrNotFound) {
		return &sourceError{source: "liftgate exporter at " + ds.cfg.Settings.ExporterURL, err: err}
	}
	known := "none"
	if list, lerr := ds.plans.ListPlans(ctx); lerr == nil && len(list) > 0 {
		ids := make([]string, len(list))
		for i, s := range list {
			ids[i] = s.ID
		}
		known = strings.Join(ids, ", ")
	}
	return userErrorf("experiment %q is not evaluated by the liftgate exporter at %s (it has: %s)", id, ds.cfg.Settings.ExporterURL, known)
}

// analyze is engine.Analyze at one instant, shared through the cache: every
// panel of an experiment at the same time range uses one evaluation.
func (ds *Datasource) analyze(ctx context.Context, p *plan.Plan, hash string, at time.Time, segment string) (*engine.Result, error) {
	key := fmt.Sprintf("analyze\x00%s\x00%s\x00%d\x00%s", p.ID, hash, at.UnixNano(), segment)
	v, _, err := ds.cache.do(ctx, key, ds.cfg.Timeout, func(ctx context.Context) (any, error) {
		return engine.Analyze(ctx, p, ds.events, engine.Options{At: at, Segment: segment, Telemetry: ds.telemetry})
	})
	if err != nil {
		return nil, err
	}
	return v.(*engine.Result), nil
}

// evaluationTime is the instant a query's numbers describe: the end of its
// time range, or now when the range reaches into the future.
func (ds *Datasource) evaluationTime(to time.Time) time.Time {
	now := ds.now()
	if to.IsZero() || to.After(now) {
		return now.UTC()
	}
	return to.UTC()
}

// selection checks the query's metric, arm and segment against the plan
// and returns which results to keep. Comparisons have no row for the
// control arm, so naming it is an error unless allowControl.
func selection(p *plan.Plan, q *models.Query, allowControl bool) (func(engine.MetricResult) bool, error) {
	if q.Metric != "" {
		if _, ok := p.MetricByName(q.Metric); !ok {
			return nil, &models.QueryError{Field: models.FieldMetric, Message: fmt.Sprintf("%q is not a metric of experiment %s (it has: %s)", q.Metric, p.ID, strings.Join(metricNames(p), ", "))}
		}
	}
	if q.Arm != "" {
		if !slices.Contains(p.ArmNames(), q.Arm) {
			return nil, &models.QueryError{Field: models.FieldArm, Message: fmt.Sprintf("%q is not an arm of experiment %s (it has: %s)", q.Arm, p.ID, strings.Join(p.ArmNames(), ", "))}
		}
		if q.Arm == p.Control && !allowControl {
			return nil, &models.QueryError{Field: models.FieldArm, Message: fmt.Sprintf("%q is the control arm; results compare the other arms against it", q.Arm)}
		}
	}
	if q.Segment != "" && !slices.Contains(p.Segments, q.Segment) {
		segs := "none"
		if len(p.Segments) > 0 {
			segs = strings.Join(p.Segments, ", ")
		}
		return nil, &models.QueryError{Field: models.FieldSegment, Message: fmt.Sprintf("%q is not a segment of experiment %s (it has: %s)", q.Segment, p.ID, segs)}
	}
	return func(r engine.MetricResult) bool {
		return (q.Metric == "" || r.Metric == q.Metric) && (q.Arm == "" || r.Arm == q.Arm)
	}, nil
}

// filterResults keeps the results a selection accepts.
func filterResults(res *engine.Result, keep func(engine.MetricResult) bool) []engine.MetricResult {
	var out []engine.MetricResult
	for _, r := range res.Results {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func metricNames(p *plan.Plan) []string {
	out := make([]string, len(p.Metrics))
	for i, m := range p.Metrics {
		out[i] = m.Name
	}
	return out
}

// describe is a query's executed-query string: the engine call and the
// source it read, shown in Grafana's query inspector.
func (ds *Datasource) describe(call string, args ...string) string {
	return call + " " + strings.Join(append(args, "events="+ds.events.Name()), " ")
}
