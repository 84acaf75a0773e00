package plugin

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/liftgate/liftgate/pkg/models"
)

// niceSteps are the steps an automatic choice rounds up to, so series line
// up with Grafana's own intervals.
var niceSteps = []time.Duration{
	time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour,
}

// stepFor is the query's bucket when it sets one, else the smallest nice
// step that gives at most target points over the time range and is no finer
// than the panel's interval.
func stepFor(q *models.Query, dq backend.DataQuery, target int) time.Duration {
	if d, err := q.BucketDuration(); err == nil && d > 0 {
		return d
	}
	span := dq.TimeRange.To.Sub(dq.TimeRange.From)
	want := max(span/time.Duration(max(target, 1)), dq.Interval)
	for _, s := range niceSteps {
		if s >= want {
			return s
		}
	}
	return niceSteps[len(niceSteps)-1]
}
