package engine

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// Seasons for the anomaly check.
const (
	SeasonDaily  = 24 * time.Hour
	SeasonWeekly = 7 * 24 * time.Hour
)

// DefaultAnomalyThreshold is the |robust z| beyond which a window is
// anomalous (Iglewicz and Hoaglin's 3.5).
const DefaultAnomalyThreshold = 3.5

// AnomalyOptions choose the window and the earlier periods it is compared
// with.
type AnomalyOptions struct {
	// Metric names a prometheus metric or an event metric of the plan.
	Metric string
	// At ends the current window; zero means now.
	At time.Time
	// Window is the current window's length (default 1h).
	Window time.Duration
	// Season is the cycle to respect: SeasonDaily (default) compares with
	// the same hours on earlier days, SeasonWeekly with the same hours on
	// the same weekday of earlier weeks.
	Season time.Duration
	// Periods is how many earlier periods to use (default 7 daily, 4 weekly;
	// at least 3 must have data).
	Periods int
	// Threshold on |z| (default 3.5).
	Threshold float64
}

// AnomalyResult scores one arm's current window against the same window in
// earlier periods.
type AnomalyResult struct {
	Metric  string              `json:"metric"`
	Arm     string              `json:"arm"`
	Start   time.Time           `json:"start"`
	End     time.Time           `json:"end"`
	Current float64             `json:"current"`
	History []AnomalyWindow     `json:"history"`
	Score   stats.RobustZResult `json:"score"`
	// Anomalous is true when the window lies beyond the threshold on the
	// metric's bad side; a change towards the good side is reported in
	// Reason but not flagged.
	Anomalous bool   `json:"anomalous"`
	Defined   bool   `json:"defined"`
	Reason    string `json:"reason"`
}

// AnomalyWindow is one earlier window's value.
type AnomalyWindow struct {
	Start time.Time `json:"start"`
	Value float64   `json:"value"`
}

// Anomaly compares the current window of a metric with the same window in
// earlier periods, per arm, by a robust z-score (median and MAD), so a
// regression shows even where there is no control arm. Telemetry windows may
// lie before the plan's start; event-metric windows cannot (the store
// counts exposures to this experiment only), so an event metric needs the
// experiment to have run for a few periods.
func Anomaly(ctx context.Context, p *plan.Plan, ev events.Source, tel telemetry.Source, o AnomalyOptions) ([]AnomalyResult, error) {
	m, ok := p.MetricByName(o.Metric)
	if !ok {
		return nil, fmt.Errorf("plan %s has no metric %q", p.ID, o.Metric)
	}
	o = anomalyDefaults(o)
	if o.Window <= 0 || o.Season < o.Window || o.Season%o.Window != 0 {
		return nil, fmt.Errorf("anomaly window %s must be positive and divide the season %s", o.Window, o.Season)
	}
	at := o.At.UTC()
	values := map[string][]float64{} // arm -> [current, period 1, period 2, ...]
	starts := make([]time.Time, o.Periods+1)
	if m.Kind == plan.KindPrometheus {
		if tel == nil {
			return nil, fmt.Errorf("metric %s: no telemetry source configured", o.Metric)
		}
		for j := range starts {
			end := at.Add(-time.Duration(j) * o.Season)
			starts[j] = end.Add(-o.Window)
			d, err := telemetryWindow(ctx, p, m, tel, starts[j], end)
			if err != nil {
				return nil, err
			}
			for _, arm := range p.ArmNames() {
				values[arm] = append(values[arm], d.Window(arm, 0, d.Grid.Steps))
			}
		}
	} else {
		if ev == nil {
			return nil, fmt.Errorf("metric %s: no event source configured", o.Metric)
		}
		// Buckets of Window aligned to the plan's start; the current window
		// is the last whole bucket ending by At.
		last := int(at.Sub(p.Start)/o.Window) - 1
		if last < 0 {
			return nil, fmt.Errorf("no whole %s window between the plan's start and %s", o.Window, at.Format(time.RFC3339))
		}
		grid, err := telemetry.NewGrid(p.Start, p.Start.Add(time.Duration(last+1)*o.Window), o.Window)
		if err != nil {
			return nil, err
		}
		product, err := productByBucket(ctx, p, ev, m, grid, at)
		if err != nil {
			return nil, err
		}
		per := int(o.Season / o.Window)
		for j := range starts {
			k := last - j*per
			starts[j] = grid.WindowStart(k)
			for _, arm := range p.ArmNames() {
				v := math.NaN()
				if k >= 0 {
					v = product[arm][k]
				}
				values[arm] = append(values[arm], v)
			}
		}
	}
	var out []AnomalyResult
	for _, arm := range p.ArmNames() {
		out = append(out, scoreAnomaly(m, arm, starts, values[arm], o))
	}
	return out, nil
}

func anomalyDefaults(o AnomalyOptions) AnomalyOptions {
	if o.At.IsZero() {
		o.At = time.Now()
	}
	if o.Window == 0 {
		o.Window = time.Hour
	}
	if o.Season == 0 {
		o.Season = SeasonDaily
	}
	if o.Periods == 0 {
		o.Periods = 7
		if o.Season == SeasonWeekly {
			o.Periods = 4
		}
	}
	if o.Threshold == 0 {
		o.Threshold = DefaultAnomalyThreshold
	}
	return o
}

// telemetryWindow reads a prometheus metric over one window, on a grid of
// the metric's step starting at the window's start.
func telemetryWindow(ctx context.Context, p *plan.Plan, m *plan.Metric, tel telemetry.Source, from, to time.Time) (*telemetry.Data, error) {
	pm := p.Resolved(m)
	grid, err := telemetry.NewGrid(from, to, pm.Step.D())
	if err != nil {
		return nil, err
	}
	arms := telemetry.ArmsFromPlan(p, plan.TelemetryArms{Label: pm.ArmLabel, Values: pm.ArmValues, Step: pm.Step.D()})
	return telemetry.Fetch(ctx, tel, telemetry.MetricFromPlan(pm), arms, grid)
}

// scoreAnomaly turns one arm's window values into a verdict.
func scoreAnomaly(m *plan.Metric, arm string, starts []time.Time, values []float64, o AnomalyOptions) AnomalyResult {
	r := AnomalyResult{Metric: m.Name, Arm: arm, Start: starts[0], End: starts[0].Add(o.Window), History: []AnomalyWindow{}}
	var history []float64
	for j := 1; j < len(values); j++ {
		if !math.IsNaN(values[j]) {
			history = append(history, values[j])
			r.History = append(r.History, AnomalyWindow{Start: starts[j], Value: values[j]})
		}
	}
	if math.IsNaN(values[0]) {
		r.Reason = "no data in the current window"
		return r
	}
	r.Current = values[0]
	if len(history) < stats.MinRobustHistory {
		r.Reason = fmt.Sprintf("only %d earlier windows have data; need at least %d", len(history), stats.MinRobustHistory)
		return r
	}
	score, err := stats.RobustZ(values[0], history)
	if err != nil {
		r.Reason = err.Error()
		return r
	}
	r.Score = score
	worse := values[0] > score.Median
	if m.Direction == plan.DirectionIncrease {
		worse = values[0] < score.Median
	}
	switch {
	case score.Constant:
		r.Defined = true
		r.Anomalous = worse
		r.Reason = fmt.Sprintf("every earlier window was %.4g; this one is %.4g", score.Median, values[0])
	case math.Abs(score.Z) > o.Threshold:
		r.Defined = true
		r.Anomalous = worse
		side := "bad"
		if !worse {
			side = "good"
		}
		r.Reason = fmt.Sprintf("robust z %.2f beyond ±%g on the %s side: %.4g against a median of %.4g over %d earlier periods", score.Z, o.Threshold, side, values[0], score.Median, len(history))
	default:
		r.Defined = true
		r.Reason = fmt.Sprintf("robust z %.2f within ±%g: %.4g against a median of %.4g over %d earlier periods", score.Z, o.Threshold, values[0], score.Median, len(history))
	}
	return r
}
