package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

func TestLiftSteps(t *testing.T) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(48 * time.Hour)
	p := &plan.Plan{Start: start}
	ended := &plan.Plan{Start: start, End: &end}
	h := time.Hour
	at := func(hours ...float64) []time.Time {
		var out []time.Time
		for _, x := range hours {
			out = append(out, start.Add(time.Duration(x*float64(h))))
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		p        *plan.Plan
		from, to time.Time
		step     time.Duration
		want     []time.Time
	}{
		{"grid from the start, then the range end", p, start, start.Add(20 * h), 6 * h, at(6, 12, 18, 20)},
		{"a range end on the grid is not repeated", p, start, start.Add(18 * h), 6 * h, at(6, 12, 18)},
		{"a range before the start", p, start.Add(-10 * h), start.Add(7 * h), 6 * h, at(6, 7)},
		{"a range inside keeps the plan's grid", p, start.Add(7 * h), start.Add(19 * h), 6 * h, at(12, 18, 19)},
		{"from on the grid starts after it", p, start.Add(12 * h), start.Add(19 * h), 6 * h, at(18, 19)},
		{"an ended plan stops at its end", ended, start.Add(40 * h), start.Add(60 * h), 6 * h, at(42, 48)},
		{"a range entirely before the start", p, start.Add(-5 * h), start, 6 * h, nil},
		{"a range entirely after the end", ended, start.Add(50 * h), start.Add(60 * h), 6 * h, nil},
	} {
		got, err := LiftSteps(tc.p, tc.from, tc.to, tc.step, 100)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if !got[i].Equal(tc.want[i]) {
				t.Errorf("%s: step %d at %s, want %s", tc.name, i, got[i], tc.want[i])
			}
		}
	}
	if _, err := LiftSteps(p, start, start.Add(100*h), h, 10); !errors.Is(err, ErrTooManySteps) {
		t.Errorf("101 steps with a limit of 10: %v", err)
	}
	if _, err := LiftSteps(p, start, start.Add(10*h), h, 10); err != nil {
		t.Errorf("exactly 10 steps with a limit of 10: %v", err)
	}
	if _, err := LiftSteps(p, start, start.Add(h), 0, 10); err == nil {
		t.Error("a zero step was accepted")
	}
}

// One failing evaluation fails the series and names the instant.
func TestLiftOverTimeNamesTheFailingInstant(t *testing.T) {
	p := mustPlan(t, decisionPlan)
	at := []time.Time{p.Start.Add(time.Hour), p.Start.Add(2 * time.Hour), p.Start.Add(3 * time.Hour)}
	_, err := LiftOverTime(context.Background(), p, brokenSource{}, at, Options{}, 2)
	var se *SourceError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "evaluation at 2026-11-01T0") || errors.Is(err, context.Canceled) {
		t.Fatalf("want the store's error naming an instant, not a cancellation, got %v", err)
	}
}

// Each point is the evaluation at its instant: it carries that evaluation
// time, in order, whatever the parallelism.
func TestLiftOverTimeKeepsOrder(t *testing.T) {
	p := mustPlan(t, decisionPlan)
	var at []time.Time
	for i := 1; i <= 7; i++ {
		at = append(at, p.Start.Add(time.Duration(i)*time.Hour))
	}
	points, err := LiftOverTime(context.Background(), p, cohortSource{}, at, Options{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, pt := range points {
		if !pt.At.Equal(at[i]) || !pt.Result.EvaluatedAt.Equal(at[i]) {
			t.Errorf("point %d: at %s evaluated %s, want %s", i, pt.At, pt.Result.EvaluatedAt, at[i])
		}
	}
}

// cohortSource answers with fixed groups: units of both arms in two stages
// and two buckets, so pooling can be checked by hand.
type cohortSource struct{}

func (cohortSource) Name() string { return "cohorts" }
func (cohortSource) Close() error { return nil }

var cohortStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func (cohortSource) Exposures(_ context.Context, s events.Scope) (events.ExposureCounts, error) {
	var out events.ExposureCounts
	for _, r := range cohortRows(s) {
		out.Groups = append(out.Groups, events.GroupCount{GroupKey: r.GroupKey, Units: int64(r.Sums.N)})
	}
	return out, nil
}

func (cohortSource) MetricSums(_ context.Context, s events.Scope, _ events.Metric) ([]events.GroupSums, error) {
	return cohortRows(s), nil
}

func cohortRows(s events.Scope) []events.GroupSums {
	bucket := func(k int) time.Time {
		if s.Bucket == 0 {
			return time.Time{}
		}
		return cohortStart.Add(time.Duration(k) * s.Bucket)
	}
	row := func(arm string, stage, b int, n, y, d float64) events.GroupSums {
		return events.GroupSums{GroupKey: events.GroupKey{Arm: arm, Stage: stage, Bucket: bucket(b)}, Sums: stats.ArmSums{N: n, SumY: y, SumY2: y, SumD: d, SumD2: d * d}}
	}
	return []events.GroupSums{
		row("control", 0, 0, 300, 30, 600), row("control", 1, 0, 200, 10, 400),
		row("treatment", 0, 0, 250, 25, 500), row("treatment", 1, 0, 250, 50, 0),
		row("control", 1, 1, 400, 40, 800), row("treatment", 1, 1, 0, 0, 0),
	}
}
