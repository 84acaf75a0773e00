package plugin

import (
	"context"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/frames"
	"github.com/liftgate/liftgate/pkg/models"
)

// handleHealth is the data-health table of a planned experiment at the end
// of the time range. It reads the health section of the very evaluation
// the comparison uses (the same cache key), so a dashboard showing both
// evaluates once and the table explains the verdicts next to it.
func (ds *Datasource) handleHealth(ctx context.Context, q *models.Query, dq backend.DataQuery) (data.Frames, error) {
	p, hash, err := ds.planFor(ctx, q.Experiment)
	if err != nil {
		return nil, err
	}
	at := ds.evaluationTime(dq.TimeRange.To)
	res, err := ds.analyze(ctx, p, hash, at, "")
	if err != nil {
		return nil, err
	}
	executed := ds.describe("analyze", "experiment="+p.ID, "plan="+hash, "at="+at.Format(time.RFC3339Nano), "section=health")
	return data.Frames{frames.Health(res, executed)}, nil
}
