package postgres

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// t0 is the start of every hand-built scope.
var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// openTestSource opens a source on a fresh database of srv with the mapping.
func openTestSource(t testing.TB, srv *testserver.PostgresServer, mapping events.Mapping) (*Source, string) {
	t.Helper()
	db := srv.CreateDatabase(t)
	src, err := Open(context.Background(), Config{
		Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password),
		TLS: TLS{Mode: "disable"}, Mapping: mapping,
	})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src, db
}

// loadEvents creates liftgate's schema and inserts the events.
func loadEvents(t testing.TB, src *Source, evs []events.Event) {
	t.Helper()
	ctx := context.Background()
	if err := src.CreateLiftgateSchema(ctx); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	n, err := src.Insert(ctx, evs)
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
	if n != int64(len(evs)) {
		t.Fatalf("inserted %d of %d events", n, len(evs))
	}
}

func ev(id, name, unit string, ts time.Time, props map[string]any) events.Event {
	return events.Event{ID: id, Name: name, Unit: unit, Time: ts, Properties: props}
}

// exposureEv is an exposure of experiment "exp" to arm, with extra props.
func exposureEv(id, unit string, ts time.Time, arm string, extra map[string]any) events.Event {
	props := map[string]any{"experiment": "exp", "arm": arm}
	for k, v := range extra {
		props[k] = v
	}
	return ev(id, "exposure", unit, ts, props)
}

func baseScope() events.Scope {
	return events.Scope{
		Experiment: "exp",
		Unit:       "user_id",
		Exposure:   events.Exposure{Event: "exposure", ExperimentProperty: "experiment", ArmProperty: "arm"},
		Arms:       []string{"control", "treatment"},
		Start:      t0,
		End:        t0.Add(10 * 24 * time.Hour),
	}
}

// sumsOf builds the sufficient statistics of per-unit values written out in
// a test: ys, and optionally ds and xs of the same length.
func sumsOf(ys, ds, xs []float64) stats.ArmSums {
	var a stats.ArmSums
	for i, y := range ys {
		a.N++
		a.SumY += y
		a.SumY2 += y * y
		if ds != nil {
			a.SumD += ds[i]
			a.SumD2 += ds[i] * ds[i]
			a.SumYD += y * ds[i]
		}
		if xs != nil {
			a.SumX += xs[i]
			a.SumX2 += xs[i] * xs[i]
			a.SumXY += xs[i] * y
		}
	}
	return a
}

func closeEnough(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func sumsEqual(a, b stats.ArmSums) bool {
	pa := []float64{a.N, a.SumY, a.SumY2, a.SumD, a.SumD2, a.SumYD, a.SumX, a.SumX2, a.SumXY}
	pb := []float64{b.N, b.SumY, b.SumY2, b.SumD, b.SumD2, b.SumYD, b.SumX, b.SumX2, b.SumXY}
	for i := range pa {
		if !closeEnough(pa[i], pb[i]) {
			return false
		}
	}
	return true
}

// checkSums compares groups by key with the wanted sums; order matters
// (plan arm order, then stage, segment, bucket).
func checkSums(t *testing.T, got []events.GroupSums, want []events.GroupSums) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d groups, want %d:\ngot  %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i].GroupKey != want[i].GroupKey || !sumsEqual(got[i].Sums, want[i].Sums) {
			t.Errorf("group %d:\ngot  %+v %+v\nwant %+v %+v", i, got[i].GroupKey, got[i].Sums, want[i].GroupKey, want[i].Sums)
		}
	}
}

func mustSums(t *testing.T, src events.Source, sc events.Scope, m events.Metric) []events.GroupSums {
	t.Helper()
	got, err := src.MetricSums(context.Background(), sc, m)
	if err != nil {
		t.Fatalf("metric sums: %v", err)
	}
	return got
}

func mustExposures(t *testing.T, src events.Source, sc events.Scope) events.ExposureCounts {
	t.Helper()
	got, err := src.Exposures(context.Background(), sc)
	if err != nil {
		t.Fatalf("exposures: %v", err)
	}
	return got
}
