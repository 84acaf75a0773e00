// Package remote serves any events.Source over HTTP and reads one back: the
// exporter owns the embedded DuckDB file and serves it with Handler; the
// Grafana plugin (built without cgo) reads it with Client. The wire format
// is versioned JSON (/api/v1/...) with explicit field names, so either side
// can change its Go types without breaking the other.
package remote

import (
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// Paths served by Handler, relative to its mount point.
const (
	PathExposures  = "/api/v1/events/exposures"
	PathMetricSums = "/api/v1/events/metric-sums"
)

type wireExposure struct {
	Event              string `json:"event"`
	ExperimentProperty string `json:"experiment_property"`
	ArmProperty        string `json:"arm_property"`
}

type wireStage struct {
	Name  string    `json:"name"`
	Start time.Time `json:"start"`
}

type wireScope struct {
	Experiment    string       `json:"experiment"`
	Unit          string       `json:"unit"`
	Exposure      wireExposure `json:"exposure"`
	Arms          []string     `json:"arms"`
	Start         time.Time    `json:"start"`
	End           time.Time    `json:"end"`
	Stages        []wireStage  `json:"stages"`
	Segment       string       `json:"segment,omitempty"`
	BucketSeconds float64      `json:"bucket_seconds,omitempty"`
}

type wireValue struct {
	Event    string `json:"event"`
	Property string `json:"property,omitempty"`
}

type wireMetric struct {
	Kind                 string    `json:"kind"`
	Value                wireValue `json:"value"`
	Numerator            wireValue `json:"numerator"`
	Denominator          wireValue `json:"denominator"`
	WindowSeconds        float64   `json:"window_seconds,omitempty"`
	CUPEDLookbackSeconds float64   `json:"cuped_lookback_seconds,omitempty"`
}

type wireKey struct {
	Arm     string    `json:"arm"`
	Stage   int       `json:"stage"`
	Segment string    `json:"segment,omitempty"`
	Bucket  time.Time `json:"bucket,omitzero"`
}

type wireGroupSums struct {
	wireKey
	Sums stats.ArmSums `json:"sums"`
}

type wireGroupCount struct {
	wireKey
	Units int64 `json:"units"`
}

type exposuresRequest struct {
	Scope wireScope `json:"scope"`
}

type exposuresResponse struct {
	Groups          []wireGroupCount `json:"groups"`
	MultiArmUnits   int64            `json:"multi_arm_units"`
	UnknownArmUnits int64            `json:"unknown_arm_units"`
}

type metricSumsRequest struct {
	Scope  wireScope  `json:"scope"`
	Metric wireMetric `json:"metric"`
}

type metricSumsResponse struct {
	Groups []wireGroupSums `json:"groups"`
}

// errorResponse is every non-2xx body.
type errorResponse struct {
	Error string `json:"error"`
}

func seconds(d time.Duration) float64 { return d.Seconds() }

func duration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func toWireScope(s events.Scope) wireScope {
	w := wireScope{
		Experiment: s.Experiment, Unit: s.Unit,
		Exposure: wireExposure{Event: s.Exposure.Event, ExperimentProperty: s.Exposure.ExperimentProperty, ArmProperty: s.Exposure.ArmProperty},
		Arms:     s.Arms, Start: s.Start, End: s.End, Segment: s.Segment, BucketSeconds: seconds(s.Bucket),
	}
	for _, st := range s.Stages {
		w.Stages = append(w.Stages, wireStage{Name: st.Name, Start: st.Start})
	}
	return w
}

func fromWireScope(w wireScope) events.Scope {
	s := events.Scope{
		Experiment: w.Experiment, Unit: w.Unit,
		Exposure: events.Exposure{Event: w.Exposure.Event, ExperimentProperty: w.Exposure.ExperimentProperty, ArmProperty: w.Exposure.ArmProperty},
		Arms:     w.Arms, Start: w.Start, End: w.End, Segment: w.Segment, Bucket: duration(w.BucketSeconds),
	}
	for _, st := range w.Stages {
		s.Stages = append(s.Stages, events.StageStart{Name: st.Name, Start: st.Start})
	}
	return s
}

func toWireMetric(m events.Metric) wireMetric {
	return wireMetric{
		Kind:                 string(m.Kind),
		Value:                wireValue(m.Value),
		Numerator:            wireValue(m.Numerator),
		Denominator:          wireValue(m.Denominator),
		WindowSeconds:        seconds(m.Window),
		CUPEDLookbackSeconds: seconds(m.CUPEDLookback),
	}
}

func fromWireMetric(w wireMetric) events.Metric {
	return events.Metric{
		Kind:          events.MetricKind(w.Kind),
		Value:         events.EventValue(w.Value),
		Numerator:     events.EventValue(w.Numerator),
		Denominator:   events.EventValue(w.Denominator),
		Window:        duration(w.WindowSeconds),
		CUPEDLookback: duration(w.CUPEDLookbackSeconds),
	}
}

func toWireKey(k events.GroupKey) wireKey {
	return wireKey{Arm: k.Arm, Stage: k.Stage, Segment: k.Segment, Bucket: k.Bucket}
}

func fromWireKey(k wireKey) events.GroupKey {
	return events.GroupKey{Arm: k.Arm, Stage: k.Stage, Segment: k.Segment, Bucket: k.Bucket}
}
