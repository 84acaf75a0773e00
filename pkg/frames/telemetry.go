package frames

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
)

// TelemetryByArm is one timeseries-multi frame per arm: the telemetry
// metric on its step grid, each point at the start of its step. name labels
// the series (the plan metric, or the query's expression).
func TelemetryByArm(s *engine.TelemetrySeries, name, executed string) data.Frames {
	var out data.Frames
	for _, a := range s.Arms {
		times := make([]time.Time, len(a.Points))
		values := make([]*float64, len(a.Points))
		for i, p := range a.Points {
			times[i], values[i] = p.Time, num(p.Value)
		}
		labels := data.Labels{"arm": a.Arm, "metric": name}
		f := data.NewFrame("telemetry",
			data.NewField("time", nil, times),
			floatField("value", displayName(name, a.Arm), "", labels, values),
		)
		f.Meta = meta(data.FrameTypeTimeSeriesMulti, executed, data.VisTypeGraph)
		out = append(out, f)
	}
	if len(out) == 0 {
		return emptySeries("telemetry", executed)
	}
	return out
}

// Behaviour is the telemetry-to-behaviour join in three parts:
//
//   - "joined": per arm, the telemetry and the product metric on the
//     common buckets (timeseries-multi, labelled series=telemetry|product);
//   - "correlation": per arm, Pearson and Spearman at lag 0 with their
//     intervals and p-values, and the best lag with its search-corrected
//     p-values (numeric-long);
//   - "scatter": every bucket's (telemetry, product) pair per arm, for an
//     XY chart.
func Behaviour(r *engine.BehaviourResult, telemetryName, executed string) data.Frames {
	var out data.Frames
	for _, a := range r.Arms {
		n := len(a.Scatter)
		times := make([]time.Time, n)
		tel, prod := make([]*float64, n), make([]*float64, n)
		for i, s := range a.Scatter {
			times[i], tel[i], prod[i] = s.Time, num(s.Telemetry), num(s.Product)
		}
		for _, s := range []struct {
			series, display string
			values          []*float64
		}{{"telemetry", telemetryName, tel}, {"product", r.Product, prod}} {
			f := data.NewFrame("joined",
				data.NewField("time", nil, times),
				floatField("value", displayName(s.display, a.Arm), "", data.Labels{"arm": a.Arm, "series": s.series}, s.values),
			)
			f.Meta = meta(data.FrameTypeTimeSeriesMulti, executed, data.VisTypeGraph)
			out = append(out, f)
		}
	}
	return append(out, correlationFrame(r, executed), scatterFrame(r, telemetryName, executed))
}

func correlationFrame(r *engine.BehaviourResult, executed string) *data.Frame {
	f := data.NewFrame("correlation",
		stringField("arm", "Arm", nil),
		floatField("buckets", "Buckets", unitShort, nil, nil),
		floatField("pearson_r", "Pearson r", unitNone, nil, nil),
		floatField("pearson_lower", "Pearson r lower", unitNone, nil, nil),
		floatField("pearson_upper", "Pearson r upper", unitNone, nil, nil),
		floatField("pearson_p_value", "Pearson p-value", unitNone, nil, nil),
		floatField("spearman_r", "Spearman ρ", unitNone, nil, nil),
		floatField("spearman_p_value", "Spearman p-value", unitNone, nil, nil),
		floatField("best_lag_seconds", "Best lag (telemetry leads)", "s", nil, nil),
		floatField("best_lag_r", "r at best lag", unitNone, nil, nil),
		floatField("best_lag_bonferroni_p", "Best lag p (Bonferroni)", unitNone, nil, nil),
		floatField("best_lag_shift_p", "Best lag p (circular shifts)", unitNone, nil, nil),
	)
	for _, a := range r.Arms {
		defined := func(ok bool, v float64) *float64 {
			if !ok {
				return nil
			}
			return num(v)
		}
		ll := a.LeadLag
		f.AppendRow(a.Arm, num(float64(a.Buckets)),
			defined(a.Pearson.Defined, a.Pearson.R), defined(a.Pearson.Defined, a.Pearson.Lower), defined(a.Pearson.Defined, a.Pearson.Upper), num(a.Pearson.PValue),
			defined(a.Spearman.Defined, a.Spearman.R), num(a.Spearman.PValue),
			defined(ll.Defined, a.BestLag.Seconds()), defined(ll.Defined && ll.Pearson.Defined, ll.Pearson.R),
			defined(ll.Defined, ll.BonferroniP), defined(ll.ShiftPDefined, ll.ShiftP),
		)
	}
	f.Meta = meta(data.FrameTypeNumericLong, executed, data.VisTypeTable)
	return f
}

func scatterFrame(r *engine.BehaviourResult, telemetryName, executed string) *data.Frame {
	f := data.NewFrame("scatter",
		stringField("arm", "Arm", nil),
		data.NewField("time", nil, []time.Time{}),
		floatField("telemetry", telemetryName, "", nil, nil),
		floatField("product", r.Product, "", nil, nil),
	)
	for _, a := range r.Arms {
		for _, s := range a.Scatter {
			f.AppendRow(a.Arm, s.Time, num(s.Telemetry), num(s.Product))
		}
	}
	f.Meta = &data.FrameMeta{ExecutedQueryString: executed, PreferredVisualization: data.VisTypeTable}
	return f
}
