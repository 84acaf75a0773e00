package duckdb

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// t0 is the scopes' start in these tests.
var t0 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// at is t0 plus h hours.
func at(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }

func openMem(t testing.TB) *Store {
	t.Helper()
	s, err := OpenWithOptions("", Options{MemoryLimitMiB: 512, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func mustAppend(t testing.TB, s *Store, evs ...events.Event) AppendResult {
	t.Helper()
	res, err := s.Append(context.Background(), evs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// exposure builds an exposure event of experiment exp to arm.
func exposure(unit string, h float64, exp, arm string) events.Event {
	return events.Event{Name: "exposure", Unit: unit, Time: at(h), Properties: map[string]any{"experiment": exp, "arm": arm}}
}

// event builds a metric event with optional properties.
func event(name, unit string, h float64, props map[string]any) events.Event {
	return events.Event{Name: name, Unit: unit, Time: at(h), Properties: props}
}

func baseScope() events.Scope {
	return events.Scope{
		Experiment: "exp1",
		Unit:       "user_id",
		Exposure:   events.Exposure{Event: "exposure", ExperimentProperty: "experiment", ArmProperty: "arm"},
		Arms:       []string{"control", "treatment"},
		Start:      t0,
		End:        at(240),
	}
}

// sumsOf builds the sufficient statistics of per-unit values listed by hand:
// each unit is {y, d, x}.
func sumsOf(units ...[3]float64) stats.ArmSums {
	var a stats.ArmSums
	for _, u := range units {
		y, d, x := u[0], u[1], u[2]
		a.N++
		a.SumY += y
		a.SumY2 += y * y
		a.SumD += d
		a.SumD2 += d * d
		a.SumYD += y * d
		a.SumX += x
		a.SumX2 += x * x
		a.SumXY += x * y
	}
	return a
}

func closeSums(a, b stats.ArmSums) bool {
	fa := []float64{a.N, a.SumY, a.SumY2, a.SumD, a.SumD2, a.SumYD, a.SumX, a.SumX2, a.SumXY}
	fb := []float64{b.N, b.SumY, b.SumY2, b.SumD, b.SumD2, b.SumYD, b.SumX, b.SumX2, b.SumXY}
	for i := range fa {
		if math.Abs(fa[i]-fb[i]) > 1e-9*math.Max(1, math.Abs(fb[i])) {
			return false
		}
	}
	return true
}

func metricSums(t testing.TB, s *Store, sc events.Scope, m events.Metric) []events.GroupSums {
	t.Helper()
	got, err := s.MetricSums(context.Background(), sc, m)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func exposures(t testing.TB, s *Store, sc events.Scope) events.ExposureCounts {
	t.Helper()
	got, err := s.Exposures(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// checkGroups compares group sums with expected ones, in order.
func checkGroups(t *testing.T, got []events.GroupSums, want []events.GroupSums) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d groups, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range want {
		if !sameKey(got[i].GroupKey, want[i].GroupKey) {
			t.Errorf("group %d: key %+v, want %+v", i, got[i].GroupKey, want[i].GroupKey)
		}
		if !closeSums(got[i].Sums, want[i].Sums) {
			t.Errorf("group %d (%+v):\n got %+v\nwant %+v", i, want[i].GroupKey, got[i].Sums, want[i].Sums)
		}
	}
}

func sameKey(a, b events.GroupKey) bool {
	return a.Arm == b.Arm && a.Stage == b.Stage && a.Segment == b.Segment && a.Bucket.Equal(b.Bucket)
}

func jsonNumber(s string) json.Number { return json.Number(s) }
