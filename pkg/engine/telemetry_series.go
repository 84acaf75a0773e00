package engine

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// TelemetrySeries is a telemetry metric per arm on its step grid, for
// plotting arms side by side.
type TelemetrySeries struct {
	Metric string         `json:"metric"`
	Step   time.Duration  `json:"step"`
	Arms   []TelemetryArm `json:"arms"`
}

// TelemetryArm is one arm's values; steps without data are left out.
type TelemetryArm struct {
	Arm        string           `json:"arm"`
	LabelValue string           `json:"label_value"`
	Points     []TelemetryPoint `json:"points"`
}

// TelemetryPoint is the value of the step that starts at Time.
type TelemetryPoint struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
}

// TelemetryByArm reads a prometheus metric of the plan for every arm over
// [from, to) on its step grid (aligned to the plan's start). Each step's
// value is what the comparison uses: the query's value, the step's ratio of
// counter increases, or the quantile of the step's bucket increases.
func TelemetryByArm(ctx context.Context, p *plan.Plan, metric string, src telemetry.Source, from, to time.Time) (*TelemetrySeries, error) {
	m, err := prometheusMetric(p, metric)
	if err != nil {
		return nil, err
	}
	if src == nil {
		return nil, fmt.Errorf("metric %s: no telemetry source configured", metric)
	}
	data, pm, err := fetchMetric(ctx, p, m, src, from, to)
	if err != nil {
		return nil, err
	}
	out := &TelemetrySeries{Metric: metric, Step: pm.Step.D()}
	for _, arm := range p.ArmNames() {
		as := TelemetryArm{Arm: arm, LabelValue: pm.ArmValues[arm], Points: []TelemetryPoint{}}
		for k, v := range data.Steps(arm) {
			if !math.IsNaN(v) {
				as.Points = append(as.Points, TelemetryPoint{Time: data.Grid.WindowStart(k), Value: v})
			}
		}
		out.Arms = append(out.Arms, as)
	}
	return out, nil
}

// prometheusMetric finds a prometheus metric of the plan by name.
func prometheusMetric(p *plan.Plan, name string) (*plan.Metric, error) {
	m, ok := p.MetricByName(name)
	if !ok {
		return nil, fmt.Errorf("plan %s has no metric %q", p.ID, name)
	}
	if m.Kind != plan.KindPrometheus {
		return nil, fmt.Errorf("metric %s is kind %s, not prometheus", name, m.Kind)
	}
	return m, nil
}
