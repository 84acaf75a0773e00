package frames

import (
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/models"
)

// Bounds of a lift series, the value of its "bound" label.
const (
	BoundEstimate = "estimate"
	BoundLower    = "lower"
	BoundUpper    = "upper"
)

// seriesKey identifies one metric, arm and segment value.
type seriesKey struct{ metric, arm, segment string }

// liftSeries collects one key's points.
type liftSeries struct {
	times         []time.Time
	est, low, upp []*float64
}

// LiftOverTime is the cumulative effect with its interval at each
// evaluation instant: for every metric and arm (and segment value) kept by
// keep, three timeseries-multi frames labelled bound=estimate|lower|upper.
// With a sequential plan the intervals are confidence sequences, valid at
// every step at once. scale is models.ScaleRelative (lift, undefined points
// left null) or models.ScaleAbsolute.
func LiftOverTime(points []engine.LiftPoint, keep func(engine.MetricResult) bool, scale, executed string) data.Frames {
	var order []seriesKey
	series := map[seriesKey]*liftSeries{}
	alpha := 0.05
	for _, pt := range points {
		alpha = pt.Result.Alpha
		for _, r := range pt.Result.Results {
			if !keep(r) {
				continue
			}
			k := seriesKey{metric: r.Metric, arm: r.Arm}
			if r.SegmentValue != nil {
				k.segment = *r.SegmentValue
			}
			s, ok := series[k]
			if !ok {
				s = &liftSeries{}
				series[k] = s
				order = append(order, k)
			}
			e := &r.Absolute
			if scale != models.ScaleAbsolute {
				e = r.Relative // nil when the lift is undefined
			}
			s.times = append(s.times, pt.At)
			if e == nil {
				s.est, s.low, s.upp = append(s.est, nil), append(s.low, nil), append(s.upp, nil)
				continue
			}
			s.est, s.low, s.upp = append(s.est, num(e.Estimate)), append(s.low, num(e.CILower)), append(s.upp, num(e.CIUpper))
		}
	}

	name, unit := "lift", unitPercent
	if scale == models.ScaleAbsolute {
		name, unit = "effect", unitNone
	}
	level := fmt.Sprintf("%g%%", 100*(1-alpha))
	var out data.Frames
	for _, k := range order {
		s := series[k]
		for _, b := range []struct {
			bound, suffix string
			values        []*float64
		}{
			{BoundEstimate, "", s.est},
			{BoundLower, "lower " + level, s.low},
			{BoundUpper, "upper " + level, s.upp},
		} {
			labels := data.Labels{"metric": k.metric, "arm": k.arm, "bound": b.bound}
			if k.segment != "" {
				labels["segment"] = k.segment
			}
			f := data.NewFrame(name,
				data.NewField("time", nil, s.times),
				floatField(name, displayName(k.metric, k.arm, k.segment, b.suffix), unit, labels, b.values),
			)
			f.Meta = meta(data.FrameTypeTimeSeriesMulti, executed, data.VisTypeGraph)
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return emptySeries(name, executed)
	}
	return out
}
