// Package frames turns engine answers into Grafana data frames that follow
// the data plane contract (https://grafana.com/developers/dataplane):
// numeric-long tables for comparisons, so Grafana Alerting can evaluate a
// verdict or an effect, and timeseries-multi for everything over time. It
// only reshapes numbers the engine computed.
package frames

import (
	"math"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Grafana field units used here.
const (
	unitPercent = "percentunit" // 0.05 shows as 5%
	unitShort   = "short"
	unitNone    = "none"
)

// typeVersion is the data plane version our frames follow.
var typeVersion = data.FrameTypeVersion{0, 1}

// meta is the frame metadata every frame carries: its data plane type and
// the engine call that produced it (Grafana's query inspector shows it).
func meta(t data.FrameType, executed string, vis data.VisType) *data.FrameMeta {
	return &data.FrameMeta{
		Type:                   t,
		TypeVersion:            typeVersion,
		PreferredVisualization: vis,
		ExecutedQueryString:    executed,
	}
}

// num maps a float to a nullable value: NaN and ±Inf become null, so no
// frame ever shows NaN where a number was expected.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// displayName joins non-empty parts with " · ".
func displayName(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " · ")
}

// floatField is a nullable float field with a display name and unit.
func floatField(name, display, unit string, labels data.Labels, values []*float64) *data.Field {
	f := data.NewField(name, labels, values)
	f.Config = &data.FieldConfig{DisplayNameFromDS: display, Unit: unit}
	return f
}

// stringField is a string field with a display name.
func stringField(name, display string, values []string) *data.Field {
	f := data.NewField(name, nil, values)
	if display != "" {
		f.Config = &data.FieldConfig{DisplayNameFromDS: display}
	}
	return f
}

// emptySeries is "no data" the data plane way: one typed frame without
// fields, so Grafana (and Alerting) can tell "no series" from "not a time
// series".
func emptySeries(name, executed string) data.Frames {
	f := data.NewFrame(name)
	f.Meta = meta(data.FrameTypeTimeSeriesMulti, executed, data.VisTypeGraph)
	return data.Frames{f}
}
