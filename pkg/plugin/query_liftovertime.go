package plugin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/frames"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/plan"
)

// Each lift-over-time point is a full evaluation, so the series is kept
// short: about liftTargetPoints when the step is automatic, and at most
// liftMaxPoints when the query names a step.
const (
	liftTargetPoints = 48
	liftMaxPoints    = 200
	// liftParallel evaluations run at once: enough to overlap one store
	// round trip with the next, few enough to leave the store to others.
	liftParallel = 2
)

// handleLiftOverTime is the cumulative effect with its always-valid band
// at each step of the time range.
func (ds *Datasource) handleLiftOverTime(ctx context.Context, q *models.Query, dq backend.DataQuery) (data.Frames, error) {
	p, hash, err := ds.planFor(ctx, q.Experiment)
	if err != nil {
		return nil, err
	}
	keep, err := selection(p, q, false)
	if err != nil {
		return nil, err
	}
	step := stepFor(q, dq, liftTargetPoints)
	points, err := ds.liftPoints(ctx, p, hash, dq.TimeRange.From, ds.evaluationTime(dq.TimeRange.To), step, q.Segment)
	if err != nil {
		return nil, err
	}
	scale := q.Scale
	if scale == "" {
		scale = models.ScaleRelative
	}
	executed := ds.describe("lift_over_time", "experiment="+p.ID, "plan="+hash, "step="+plan.Duration(step).String(),
		"from="+dq.TimeRange.From.UTC().Format(time.RFC3339), "to="+dq.TimeRange.To.UTC().Format(time.RFC3339), "segment="+q.Segment)
	out := frames.LiftOverTime(points, keep, scale, executed)
	if !p.Analysis.IsSequential() && len(out) > 0 {
		out[0].AppendNotices(data.Notice{Severity: data.NoticeSeverityWarning,
			Text: "This plan uses fixed-horizon intervals: each band is valid for one look only, not for watching the series."})
	}
	return out, nil
}

// liftPoints evaluates the plan at each step in [from, to], shared through
// the cache (lift-over-time panels and annotations use the same series).
func (ds *Datasource) liftPoints(ctx context.Context, p *plan.Plan, hash string, from, to time.Time, step time.Duration, segment string) ([]engine.LiftPoint, error) {
	steps, err := engine.LiftSteps(p, from, to, step, liftMaxPoints)
	if errors.Is(err, engine.ErrTooManySteps) {
		return nil, &models.QueryError{Field: models.FieldBucket, Message: fmt.Sprintf("%s gives more than %d evaluations over this time range; choose a longer bucket or leave it empty", plan.Duration(step), liftMaxPoints)}
	}
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("lift\x00%s\x00%s\x00%d\x00%d\x00%d\x00%s", p.ID, hash, from.UnixNano(), to.UnixNano(), step, segment)
	v, _, err := ds.cache.do(ctx, key, ds.cfg.Timeout, func(ctx context.Context) (any, error) {
		return engine.LiftOverTime(ctx, p, ds.events, steps, engine.Options{Segment: segment, Telemetry: ds.telemetry}, liftParallel)
	})
	if err != nil {
		return nil, err
	}
	return v.([]engine.LiftPoint), nil
}
