package frames

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
)

// ArmSeries is one timeseries-multi frame per arm (and segment value): the
// metric over each exposure cohort, or the units exposed when metric is
// nil. Buckets without a value (no units, zero denominator) are null.
func ArmSeries(buckets []engine.ArmBucket, metric *plan.Metric, executed string) data.Frames {
	name, unit, label := "units", unitShort, "units exposed"
	if metric != nil {
		name, unit, label = "value", metricUnit(metric.Kind), metricValueLabel(metric.Kind)
	}
	type series struct {
		times  []time.Time
		values []*float64
	}
	var order []seriesKey
	all := map[seriesKey]*series{}
	for _, b := range buckets {
		k := seriesKey{arm: b.Arm, segment: b.Segment}
		s, ok := all[k]
		if !ok {
			s = &series{}
			all[k] = s
			order = append(order, k)
		}
		s.times = append(s.times, b.Bucket)
		if b.Defined {
			s.values = append(s.values, num(b.Value))
		} else {
			s.values = append(s.values, nil)
		}
	}
	var out data.Frames
	for _, k := range order {
		s := all[k]
		labels := data.Labels{"arm": k.arm}
		metricName := ""
		if metric != nil {
			metricName = metric.Name
			labels["metric"] = metric.Name
		}
		if k.segment != "" {
			labels["segment"] = k.segment
		}
		f := data.NewFrame(name,
			data.NewField("time", nil, s.times),
			floatField(name, displayName(metricName, k.arm, k.segment, label), unit, labels, s.values),
		)
		f.Meta = meta(data.FrameTypeTimeSeriesMulti, executed, data.VisTypeGraph)
		out = append(out, f)
	}
	if len(out) == 0 {
		return emptySeries(name, executed)
	}
	return out
}

// metricUnit is how a metric's per-unit value reads: conversion rates as
// percentages, everything else as plain numbers.
func metricUnit(kind string) string {
	if kind == plan.KindConversion {
		return unitPercent
	}
	return unitNone
}

// metricValueLabel names what an arm series plots for a metric kind.
func metricValueLabel(kind string) string {
	switch kind {
	case plan.KindConversion:
		return "conversion rate"
	case plan.KindRatio:
		return "ratio"
	case plan.KindCount:
		return "events per unit"
	}
	return "mean per unit"
}
