package plugin

import (
	"context"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/frames"
	"github.com/liftgate/liftgate/pkg/models"
)

// handleComparison is the comparison table of a planned experiment at the
// end of the time range, the same evaluation `liftgate analyze --at` runs.
// With numericValue it is one number per row, for alert rules.
func (ds *Datasource) handleComparison(ctx context.Context, q *models.Query, dq backend.DataQuery) (data.Frames, error) {
	p, hash, err := ds.planFor(ctx, q.Experiment)
	if err != nil {
		return nil, err
	}
	keep, err := selection(p, q, false)
	if err != nil {
		return nil, err
	}
	at := ds.evaluationTime(dq.TimeRange.To)
	res, err := ds.analyze(ctx, p, hash, at, q.Segment)
	if err != nil {
		return nil, err
	}
	executed := ds.describe("analyze", "experiment="+p.ID, "plan="+hash, "at="+at.Format(time.RFC3339Nano), "segment="+q.Segment)
	rows := filterResults(res, keep)
	if q.NumericValue != "" {
		f, err := frames.ComparisonNumeric(res, rows, q.NumericValue, executed)
		if err != nil {
			return nil, err
		}
		return data.Frames{f}, nil
	}
	return frames.Comparison(res, rows, executed), nil
}
