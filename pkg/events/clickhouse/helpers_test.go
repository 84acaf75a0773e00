package clickhouse

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// t0 is the start of every hand-built scenario.
var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// testCtx bounds a test's queries so a hang fails instead of stalling CI.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// openTestSource opens a Source on a fresh database of srv with the mapping
// (liftgate's own when zero), as the password user.
func openTestSource(t testing.TB, srv *testserver.ClickHouseServer, mapping events.Mapping) (*Source, string) {
	t.Helper()
	db := srv.CreateDatabase(t)
	return openOn(t, srv, db, mapping), db
}

// openOn opens a Source on an existing database.
func openOn(t testing.TB, srv *testserver.ClickHouseServer, db string, mapping events.Mapping) *Source {
	t.Helper()
	s, err := Open(testCtx(t), Config{
		Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password), Mapping: mapping,
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// mustInsert stores events and checks that all were new.
func mustInsert(t testing.TB, s *Source, evs []events.Event) {
	t.Helper()
	n, err := s.Insert(testCtx(t), evs)
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if n != int64(len(evs)) {
		t.Fatalf("Insert stored %d of %d events", n, len(evs))
	}
}

// ev builds an event.
func ev(id, name, unit string, at time.Time, props map[string]any) events.Event {
	if props == nil {
		props = map[string]any{}
	}
	return events.Event{ID: id, Name: name, Unit: unit, Time: at, Properties: props}
}

// exposure builds an exposure event of liftgate's usual shape.
func exposure(id, unit string, at time.Time, experiment, arm string, extra map[string]any) events.Event {
	props := map[string]any{"experiment": experiment, "arm": arm}
	for k, v := range extra {
		props[k] = v
	}
	return ev(id, "exposure", unit, at, props)
}

// baseScope is the scenario's scope: two arms, ten days, no breakdowns.
func baseScope() events.Scope {
	return events.Scope{
		Experiment: "exp1",
		Unit:       "user_id",
		Exposure:   events.Exposure{Event: "exposure", ExperimentProperty: "experiment", ArmProperty: "arm"},
		Arms:       []string{"control", "treatment"},
		Start:      t0,
		End:        t0.Add(10 * day),
	}
}

const day = 24 * time.Hour

// sumsOf computes the sufficient statistics of per-unit values the slow,
// obvious way: the reference the stores are checked against.
func sumsOf(y, d, x []float64) stats.ArmSums {
	var a stats.ArmSums
	for i := range y {
		a.N++
		a.SumY += y[i]
		a.SumY2 += y[i] * y[i]
		if d != nil {
			a.SumD += d[i]
			a.SumD2 += d[i] * d[i]
			a.SumYD += y[i] * d[i]
		}
		if x != nil {
			a.SumX += x[i]
			a.SumX2 += x[i] * x[i]
			a.SumXY += x[i] * y[i]
		}
	}
	return a
}

// sumsClose compares sums with a relative tolerance: ClickHouse adds in
// parallel, so the last bits may differ from a sequential sum.
func sumsClose(a, b stats.ArmSums) bool {
	close := func(x, y float64) bool {
		return math.Abs(x-y) <= 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
	}
	return close(a.N, b.N) && close(a.SumY, b.SumY) && close(a.SumY2, b.SumY2) &&
		close(a.SumD, b.SumD) && close(a.SumD2, b.SumD2) && close(a.SumYD, b.SumYD) &&
		close(a.SumX, b.SumX) && close(a.SumX2, b.SumX2) && close(a.SumXY, b.SumXY)
}
