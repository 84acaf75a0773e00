package clickhouse

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

const hour = time.Hour

// scenarioEvents is a small history whose per-unit values can be read off
// by eye. End is t0+10d; stages start at t0 and t0+2d.
//
//	u1  control, first t0+1h, US.     purchases: t0-1h 7 (pre), t0+2h 10, t0+3d 5; sessions t0+1h, t0+2d
//	u2  treatment, first t0+1h, DE (a later exposure says FR).
//	    purchases: t0+1h-1s 3 (pre), t0+1h 1 (same instant as exposure: counts); session t0+1h
//	u3  control at t0+1h and treatment at t0+2h: multi-arm, excluded (purchase 100)
//	u4  arm "bogus" only: unknown (purchase 50)
//	u5  "bogus" at t0+30m, treatment at t0+3d (US): assigned treatment, stage 1.
//	    purchases: t0+1h 20 (before its first exposure, outside a 1d lookback),
//	    t0+3d+1h "30" (a string: counts as an event, adds nothing to a sum), t0+3d+2h 2.5
//	u6  exposure of another experiment: ignored
//	u7  exposure before Start: ignored
//	u8  exposure at End+1h: ignored
//	u9  control, first t0+1d, DE. purchases: t0+9d 4 (outside a 7d window), End+1h 1000 (after End)
//	u10 control, first t0+1h, no country. purchase t0+2h without amount
//	u11 exposure without an arm: unknown
//	u12 control, first exactly t0+2d: stage 1, bucket t0+2d
//	u13 treatment, two exposures at t0+4h: ids x1 (ZZ) and x2 (AA); the id breaks the tie: ZZ
//	u14 exposure exactly at End: ignored
//	u15 control, first exactly at Start, US; no events
//	    (and u1 has a purchase of 9 exactly at End: not counted)
func scenarioEvents() []events.Event {
	end := t0.Add(10 * day)
	c := func(country string) map[string]any { return map[string]any{"country": country} }
	amount := func(v any) map[string]any { return map[string]any{"amount": v} }
	return []events.Event{
		exposure("e1", "u1", t0.Add(hour), "exp1", "control", c("US")),
		exposure("e2", "u2", t0.Add(hour), "exp1", "treatment", c("DE")),
		exposure("e3", "u2", t0.Add(5*hour), "exp1", "treatment", c("FR")),
		exposure("e4", "u3", t0.Add(hour), "exp1", "control", c("US")),
		exposure("e5", "u3", t0.Add(2*hour), "exp1", "treatment", c("US")),
		exposure("e6", "u4", t0.Add(hour), "exp1", "bogus", c("US")),
		exposure("e7", "u5", t0.Add(30*time.Minute), "exp1", "bogus", c("XX")),
		exposure("e8", "u5", t0.Add(3*day), "exp1", "treatment", c("US")),
		exposure("e9", "u6", t0.Add(hour), "exp2", "control", c("US")),
		exposure("e10", "u7", t0.Add(-hour), "exp1", "control", c("US")),
		exposure("e11", "u8", end.Add(hour), "exp1", "treatment", c("US")),
		exposure("e12", "u9", t0.Add(day), "exp1", "control", c("DE")),
		exposure("e13", "u10", t0.Add(hour), "exp1", "control", nil),
		ev("e14", "exposure", "u11", t0.Add(hour), map[string]any{"experiment": "exp1"}),
		exposure("e15", "u12", t0.Add(2*day), "exp1", "control", c("IT")),
		exposure("x2", "u13", t0.Add(4*hour), "exp1", "treatment", c("AA")),
		exposure("x1", "u13", t0.Add(4*hour), "exp1", "treatment", c("ZZ")),
		exposure("e16", "u14", end, "exp1", "treatment", c("US")),
		exposure("e17", "u15", t0, "exp1", "control", c("US")),

		ev("p1", "purchase", "u1", t0.Add(-hour), amount(7)),
		ev("p2", "purchase", "u1", t0.Add(2*hour), amount(10)),
		ev("p3", "purchase", "u1", t0.Add(3*day), amount(5)),
		ev("p4", "purchase", "u2", t0.Add(hour-time.Second), amount(3)),
		ev("p5", "purchase", "u2", t0.Add(hour), amount(1)),
		ev("p6", "purchase", "u3", t0.Add(3*hour), amount(100)),
		ev("p7", "purchase", "u4", t0.Add(3*hour), amount(50)),
		ev("p8", "purchase", "u5", t0.Add(hour), amount(20)),
		ev("p9", "purchase", "u5", t0.Add(3*day+hour), amount("30")),
		ev("p10", "purchase", "u5", t0.Add(3*day+2*hour), amount(2.5)),
		ev("p11", "purchase", "u9", t0.Add(9*day), amount(4)),
		ev("p12", "purchase", "u9", end.Add(hour), amount(1000)),
		ev("p13", "purchase", "u10", t0.Add(2*hour), nil),
		ev("p14", "purchase", "u1", end, amount(9)),

		ev("s1", "session", "u1", t0.Add(hour), nil),
		ev("s2", "session", "u1", t0.Add(2*day), nil),
		ev("s3", "session", "u9", t0.Add(2*day), nil),
		ev("s4", "session", "u2", t0.Add(hour), nil),
	}
}

// stagedScope is baseScope with the scenario's two stages.
func stagedScope() events.Scope {
	sc := baseScope()
	sc.Stages = []events.StageStart{{Name: "ramp", Start: t0}, {Name: "full", Start: t0.Add(2 * day)}}
	return sc
}

// key is a GroupKey shorthand.
func key(arm string, stage int, segment string, bucket time.Time) events.GroupKey {
	return events.GroupKey{Arm: arm, Stage: stage, Segment: segment, Bucket: bucket}
}

func TestSemantics(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	s, _ := openTestSource(t, srv, events.Mapping{})
	ctx := testCtx(t)
	if err := s.CreateLiftgateSchema(ctx); err != nil {
		t.Fatal(err)
	}
	mustInsert(t, s, scenarioEvents())

	t.Run("exposures by stage", func(t *testing.T) {
		got, err := s.Exposures(ctx, stagedScope())
		if err != nil {
			t.Fatal(err)
		}
		want := events.ExposureCounts{
			Groups: []events.GroupCount{
				{GroupKey: key("control", 0, "", time.Time{}), Units: 4},   // u1 u9 u10 u15
				{GroupKey: key("control", 1, "", time.Time{}), Units: 1},   // u12
				{GroupKey: key("treatment", 0, "", time.Time{}), Units: 2}, // u2 u13
				{GroupKey: key("treatment", 1, "", time.Time{}), Units: 1}, // u5
			},
			MultiArmUnits:   1, // u3
			UnknownArmUnits: 2, // u4 u11
		}
		checkExposures(t, got, want)
	})

	t.Run("exposures by segment and bucket", func(t *testing.T) {
		sc := stagedScope()
		sc.Segment = "country"
		sc.Bucket = day
		got, err := s.Exposures(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		want := events.ExposureCounts{
			Groups: []events.GroupCount{
				{GroupKey: key("control", 0, "(none)", t0), Units: 1},        // u10
				{GroupKey: key("control", 0, "DE", t0.Add(day)), Units: 1},   // u9
				{GroupKey: key("control", 0, "US", t0), Units: 2},            // u1 u15
				{GroupKey: key("control", 1, "IT", t0.Add(2*day)), Units: 1}, // u12, on the boundaries
				{GroupKey: key("treatment", 0, "DE", t0), Units: 1},          // u2: first exposure's country
				{GroupKey: key("treatment", 0, "ZZ", t0), Units: 1},          // u13: id x1 wins the tie
				{GroupKey: key("treatment", 1, "US", t0.Add(3*day)), Units: 1},
			},
			MultiArmUnits:   1,
			UnknownArmUnits: 2,
		}
		checkExposures(t, got, want)
	})

	purchases := events.EventValue{Event: "purchase"}
	amounts := events.EventValue{Event: "purchase", Property: "amount"}
	sessions := events.EventValue{Event: "session"}
	// Per-unit values in the group order control/0 (u1, u9, u10, u15),
	// control/1 (u12), treatment/0 (u2, u13), treatment/1 (u5).
	cases := []struct {
		name   string
		metric events.Metric
		want   map[events.GroupKey]stats.ArmSums
	}{
		{"count", events.Metric{Kind: events.Count, Value: purchases}, map[events.GroupKey]stats.ArmSums{
			key("control", 0, "", time.Time{}):   sumsOf([]float64{2, 1, 1, 0}, nil, nil),
			key("control", 1, "", time.Time{}):   sumsOf([]float64{0}, nil, nil),
			key("treatment", 0, "", time.Time{}): sumsOf([]float64{1, 0}, nil, nil),
			key("treatment", 1, "", time.Time{}): sumsOf([]float64{2}, nil, nil),
		}},
		{"conversion", events.Metric{Kind: events.Conversion, Value: purchases}, map[events.GroupKey]stats.ArmSums{
			key("control", 0, "", time.Time{}):   sumsOf([]float64{1, 1, 1, 0}, nil, nil),
			key("control", 1, "", time.Time{}):   sumsOf([]float64{0}, nil, nil),
			key("treatment", 0, "", time.Time{}): sumsOf([]float64{1, 0}, nil, nil),
			key("treatment", 1, "", time.Time{}): sumsOf([]float64{1}, nil, nil),
		}},
		{"count in a 7d window", events.Metric{Kind: events.Count, Value: purchases, Window: 7 * day}, map[events.GroupKey]stats.ArmSums{
			key("control", 0, "", time.Time{}):   sumsOf([]float64{2, 0, 1, 0}, nil, nil),
			key("control", 1, "", time.Time{}):   sumsOf([]float64{0}, nil, nil),
			key("treatment", 0, "", time.Time{}): sumsOf([]float64{1, 0}, nil, nil),
			key("treatment", 1, "", time.Time{}): sumsOf([]float64{2}, nil, nil),
		}},
		{"mean with zeros", events.Metric{Kind: events.Mean, Value: amounts}, map[events.GroupKey]stats.ArmSums{
			key("control", 0, "", time.Time{}):   sumsOf([]float64{15, 4, 0, 0}, nil, nil),
			key("control", 1, "", time.Time{}):   sumsOf([]float64{0}, nil, nil),
			key("treatment", 0, "", time.Time{}): sumsOf([]float64{1, 0}, nil, nil),
			key("treatment", 1, "", time.Time{}): sumsOf([]float64{2.5}, nil, nil),
		}},
		{"mean with CUPED over 1d", events.Metric{Kind: events.Mean, Value: amounts, CUPEDLookback: day}, map[events.GroupKey]stats.ArmSums{
			key("control", 0, "", time.Time{}):   sumsOf([]float64{15, 4, 0, 0}, nil, []float64{7, 0, 0, 0}),
			key("control", 1, "", time.Time{}):   sumsOf([]float64{0}, nil, []float64{0}),
			key("treatment", 0, "", time.Time{}): sumsOf([]float64{1, 0}, nil, []float64{3, 0}),
			key("treatment", 1, "", time.Time{}): sumsOf([]float64{2.5}, nil, []float64{0}),
		}},
		{"ratio of amount to sessions", events.Metric{Kind: events.Ratio, Numerator: amounts, Denominator: sessions}, map[events.GroupKey]stats.ArmSums{
			key("control", 0, "", time.Time{}):   sumsOf([]float64{15, 4, 0, 0}, []float64{2, 1, 0, 0}, nil),
			key("control", 1, "", time.Time{}):   sumsOf([]float64{0}, []float64{0}, nil),
			key("treatment", 0, "", time.Time{}): sumsOf([]float64{1, 0}, []float64{1, 0}, nil),
			key("treatment", 1, "", time.Time{}): sumsOf([]float64{2.5}, []float64{0}, nil),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.MetricSums(ctx, stagedScope(), c.metric)
			if err != nil {
				t.Fatal(err)
			}
			checkSums(t, got, c.want)
		})
	}

	t.Run("mean by segment", func(t *testing.T) {
		sc := stagedScope()
		sc.Segment = "country"
		got, err := s.MetricSums(ctx, sc, events.Metric{Kind: events.Mean, Value: amounts})
		if err != nil {
			t.Fatal(err)
		}
		checkSums(t, got, map[events.GroupKey]stats.ArmSums{
			key("control", 0, "(none)", time.Time{}): sumsOf([]float64{0}, nil, nil),
			key("control", 0, "DE", time.Time{}):     sumsOf([]float64{4}, nil, nil),
			key("control", 0, "US", time.Time{}):     sumsOf([]float64{15, 0}, nil, nil),
			key("control", 1, "IT", time.Time{}):     sumsOf([]float64{0}, nil, nil),
			key("treatment", 0, "DE", time.Time{}):   sumsOf([]float64{1}, nil, nil),
			key("treatment", 0, "ZZ", time.Time{}):   sumsOf([]float64{0}, nil, nil),
			key("treatment", 1, "US", time.Time{}):   sumsOf([]float64{2.5}, nil, nil),
		})
	})

	t.Run("End cuts exposures and events", func(t *testing.T) {
		// With End at t0+1d+1h: u12 and u5 are not exposed yet, u9 is (at
		// t0+1d) but its purchase at t0+9d is not counted; u1 keeps only
		// its t0+2h purchase; u15 has none.
		sc := stagedScope()
		sc.End = t0.Add(day + hour)
		got, err := s.MetricSums(ctx, sc, events.Metric{Kind: events.Mean, Value: amounts})
		if err != nil {
			t.Fatal(err)
		}
		checkSums(t, got, map[events.GroupKey]stats.ArmSums{
			key("control", 0, "", time.Time{}):   sumsOf([]float64{10, 0, 0, 0}, nil, nil),
			key("treatment", 0, "", time.Time{}): sumsOf([]float64{1, 0}, nil, nil),
		})
	})

	t.Run("huge values: ignored when not finite, an error when the sum overflows", func(t *testing.T) {
		big := func(v string) map[string]any { return map[string]any{"amount": json.Number(v)} }
		mustInsert(t, s, []events.Event{
			exposure("b1", "big1", t0.Add(hour), "big", "control", nil),
			exposure("b2", "big2", t0.Add(hour), "big", "treatment", nil),
			ev("b3", "purchase", "big1", t0.Add(2*hour), big("1e400")), // not a finite number: adds nothing
			ev("b4", "purchase", "big1", t0.Add(2*hour), big("-2.5")),
			ev("b5", "purchase", "big2", t0.Add(2*hour), big("1e308")),
			ev("b6", "purchase", "big2", t0.Add(3*hour), big("1e308")),
		})
		sc := baseScope()
		sc.Experiment = "big"
		m := events.Metric{Kind: events.Mean, Value: amounts}
		_, err := s.MetricSums(ctx, sc, m)
		if err == nil || !strings.Contains(err.Error(), `clickhouse: mean metric of "big": sums overflow float64`) {
			t.Fatalf("want an overflow error, got %v", err)
		}
		sc.Arms = []string{"control"}
		got, err := s.MetricSums(ctx, sc, m)
		if err != nil {
			t.Fatal(err)
		}
		checkSums(t, got, map[events.GroupKey]stats.ArmSums{key("control", 0, "", time.Time{}): sumsOf([]float64{-2.5}, nil, nil)})
	})

	t.Run("no stages means stage 0", func(t *testing.T) {
		got, err := s.Exposures(ctx, baseScope())
		if err != nil {
			t.Fatal(err)
		}
		checkExposures(t, got, events.ExposureCounts{
			Groups: []events.GroupCount{
				{GroupKey: key("control", 0, "", time.Time{}), Units: 5},
				{GroupKey: key("treatment", 0, "", time.Time{}), Units: 3},
			},
			MultiArmUnits: 1, UnknownArmUnits: 2,
		})
	})
}

// TestPropertyUnit counts units by a property instead of the unit column:
// two users of one account are one unit, and a metric event of either
// user counts for the account.
func TestPropertyUnit(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	s, _ := openTestSource(t, srv, events.Mapping{})
	ctx := testCtx(t)
	if err := s.CreateLiftgateSchema(ctx); err != nil {
		t.Fatal(err)
	}
	acc := func(a string) map[string]any { return map[string]any{"account": a} }
	mustInsert(t, s, []events.Event{
		exposure("e1", "alice", t0.Add(hour), "exp1", "control", acc("acme")),
		exposure("e2", "bob", t0.Add(2*hour), "exp1", "control", acc("acme")),
		exposure("e3", "carol", t0.Add(hour), "exp1", "treatment", acc("initech")),
		exposure("e4", "dave", t0.Add(hour), "exp1", "treatment", nil), // no account: not a unit
		ev("p1", "purchase", "bob", t0.Add(3*hour), acc("acme")),
		ev("p2", "purchase", "alice", t0.Add(4*hour), acc("acme")),
		ev("p3", "purchase", "dave", t0.Add(4*hour), nil),
	})
	sc := baseScope()
	sc.Unit = "account"
	got, err := s.Exposures(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	checkExposures(t, got, events.ExposureCounts{Groups: []events.GroupCount{
		{GroupKey: key("control", 0, "", time.Time{}), Units: 1},
		{GroupKey: key("treatment", 0, "", time.Time{}), Units: 1},
	}})
	sums, err := s.MetricSums(ctx, sc, events.Metric{Kind: events.Count, Value: events.EventValue{Event: "purchase"}})
	if err != nil {
		t.Fatal(err)
	}
	checkSums(t, sums, map[events.GroupKey]stats.ArmSums{
		key("control", 0, "", time.Time{}):   sumsOf([]float64{2}, nil, nil),
		key("treatment", 0, "", time.Time{}): sumsOf([]float64{0}, nil, nil),
	})
}

func checkExposures(t *testing.T, got, want events.ExposureCounts) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("exposures\n got %+v\nwant %+v", got, want)
	}
}

func checkSums(t *testing.T, got []events.GroupSums, want map[events.GroupKey]stats.ArmSums) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d groups, want %d: %+v", len(got), len(want), got)
	}
	for _, g := range got {
		w, ok := want[g.GroupKey]
		if !ok {
			t.Errorf("unexpected group %+v", g)
			continue
		}
		if !sumsClose(g.Sums, w) {
			t.Errorf("group %+v:\n got %+v\nwant %+v", g.GroupKey, g.Sums, w)
		}
	}
}
