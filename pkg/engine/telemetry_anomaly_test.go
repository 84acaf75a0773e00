package engine

import (
	"context"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/telemetry"
)

// seasonalSource answers every query with one series whose value depends
// only on the evaluation time, so the windows Anomaly reads are known.
type seasonalSource struct {
	value func(t time.Time) float64
	asked []telemetry.Range
}

func (s *seasonalSource) Name() string { return "seasonal" }
func (s *seasonalSource) QueryRange(ctx context.Context, q string, r telemetry.Range) ([]telemetry.Series, error) {
	s.asked = append(s.asked, r)
	var pts []telemetry.Point
	for t := r.Start; !t.After(r.End); t = t.Add(r.Step) {
		pts = append(pts, telemetry.Point{T: t, V: s.value(t)})
	}
	return []telemetry.Series{{Points: pts}}, nil
}

// plainRobustZ is median and MAD by sorting, written out for the test.
func plainRobustZ(current float64, history []float64) float64 {
	median := func(x []float64) float64 {
		s := append([]float64(nil), x...)
		sort.Float64s(s)
		if len(s)%2 == 1 {
			return s[len(s)/2]
		}
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	m := median(history)
	dev := make([]float64, len(history))
	for i, v := range history {
		dev[i] = math.Abs(v - m)
	}
	return (current - m) / (1.4826 * median(dev))
}

func TestAnomalyTelemetryDailySeason(t *testing.T) {
	fx, _ := loadTelFixture(t)
	p := parseTelPlan(t, telPlanYAML(`http_requests_total{job="checkout"}`))
	at := time.Date(2026, 11, 10, 15, 0, 0, 0, time.UTC)
	// Latency: 0.100 plus a little per day; 0.180 in the last hour before at
	// (a regression), 0.05 on the same hour 3 days ago (an incident the
	// median shrugs off).
	dayValue := func(t time.Time) float64 { return 0.1 + 0.001*float64(t.Day()%4) }
	src := &seasonalSource{value: func(tm time.Time) float64 {
		switch {
		case tm.After(at.Add(-time.Hour)) && !tm.After(at):
			return 0.18
		case tm.After(at.Add(-73*time.Hour)) && !tm.After(at.Add(-72*time.Hour)):
			return 0.05
		}
		return dayValue(tm)
	}}
	res, err := Anomaly(context.Background(), p, fixtureEvents{fx: fx, bucket: 5 * time.Minute}, src,
		AnomalyOptions{Metric: "latency", At: at, Window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || len(src.asked) != 2*8 {
		t.Fatalf("%d results from %d queries, want 2 arms from 16 (8 windows each)", len(res), len(src.asked))
	}
	for _, r := range res {
		var history []float64
		for j := 1; j <= 7; j++ {
			start := at.Add(-time.Duration(j)*24*time.Hour - time.Hour)
			v := dayValue(start)
			if j == 3 {
				v = 0.05
			}
			history = append(history, v)
			if !r.History[j-1].Start.Equal(start) || math.Abs(r.History[j-1].Value-v) > 1e-12 {
				t.Errorf("%s: window %d = %+v, want %s %g", r.Arm, j, r.History[j-1], start, v)
			}
		}
		want := plainRobustZ(0.18, history)
		if !r.Defined || !r.Anomalous || math.Abs(r.Score.Z-want) > 1e-9 || math.Abs(r.Current-0.18) > 1e-12 {
			t.Errorf("%s: %+v, want z %g and anomalous", r.Arm, r, want)
		}
	}

	// Faster than usual is a change to the good side: scored, not flagged.
	src.value = func(tm time.Time) float64 {
		if tm.After(at.Add(-time.Hour)) && !tm.After(at) {
			return 0.01
		}
		return dayValue(tm)
	}
	res, err = Anomaly(context.Background(), p, nil, src, AnomalyOptions{Metric: "latency", At: at, Window: time.Hour, Season: SeasonWeekly})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Anomalous || !r.Defined || r.Score.Z > -3.5 || len(r.History) != 4 {
		t.Errorf("weekly, faster: %+v", r)
	}
}

// TestAnomalyEventMetric scores the fixture's last 5-minute bucket of
// conversion against the same bucket in the 5 previous hours.
func TestAnomalyEventMetric(t *testing.T) {
	fx, _ := loadTelFixture(t)
	p := parseTelPlan(t, telPlanYAML(`http_requests_total{job="checkout"}`))
	at := time.Unix(fx.Start, 0).UTC().Add(6 * time.Hour)
	res, err := Anomaly(context.Background(), p, fixtureEvents{fx: fx, bucket: 5 * time.Minute}, nil,
		AnomalyOptions{Metric: "conversion", At: at, Window: 5 * time.Minute, Season: time.Hour, Periods: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		rows := fx.Product[r.Arm]
		last := len(rows) - 1
		rate := func(b int) float64 { return rows[b].Conversions / rows[b].Units }
		var history []float64
		for j := 1; j <= 5; j++ {
			history = append(history, rate(last-12*j))
		}
		want := plainRobustZ(rate(last), history)
		if r.Current != rate(last) || len(r.History) != 5 || math.Abs(r.Score.Z-want) > 1e-9 {
			t.Errorf("%s: current %g z %g, want %g and %g", r.Arm, r.Current, r.Score.Z, rate(last), want)
		}
		if r.Anomalous != (want < -3.5) {
			t.Errorf("%s: anomalous %v with z %g (lower conversion is worse)", r.Arm, r.Anomalous, want)
		}
	}
	// Too few earlier periods inside the experiment: no score, no flag.
	res, err = Anomaly(context.Background(), p, fixtureEvents{fx: fx, bucket: 5 * time.Minute}, nil,
		AnomalyOptions{Metric: "conversion", At: at, Window: 5 * time.Minute, Season: 3 * time.Hour, Periods: 7})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Defined || r.Anomalous || len(r.History) != 1 {
		t.Errorf("two windows in 6 hours: %+v", r)
	}
	if _, err := Anomaly(context.Background(), p, nil, nil, AnomalyOptions{Metric: "conversion", Window: 7 * time.Minute}); err == nil {
		t.Error("a window that does not divide the season accepted")
	}
}
