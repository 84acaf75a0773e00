package duckdb

import (
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// scenario is a small hand-built experiment; the comments give each unit's
// first exposure and the events that matter, so every expected value below
// can be checked by reading them.
func scenario(t *testing.T) *Store {
	s := openMem(t)
	withCountry := func(e events.Event, c any) events.Event { e.Properties["country"] = c; return e }
	withID := func(e events.Event, id string) events.Event { e.ID = id; return e }
	amount := func(v any) map[string]any { return map[string]any{"amount": v} }
	mustAppend(t, s,
		// c1: control, first exposure h5 (DE; the later h10 one says FR).
		withCountry(exposure("c1", 10, "exp1", "control"), "FR"),
		withCountry(exposure("c1", 5, "exp1", "control"), "DE"),
		event("purchase", "c1", 3, amount(7)),      // pre-exposure
		event("purchase", "c1", 6, amount(10)),     // in 48h window
		event("purchase", "c1", 20, amount(5)),     // in 48h window
		event("purchase", "c1", 60, amount(100)),   // after the 48h window, before End
		event("purchase", "c1", 250, amount(1000)), // after End
		event("pageview", "c1", 5, nil),            // at first exposure: counts
		event("pageview", "c1", 7, nil),
		// c2: control, first exposure h1; two exposures at the same instant,
		// the tie goes to the smaller id (x-1, no country).
		withCountry(withID(exposure("c2", 1, "exp1", "control"), "x-2"), "IT"),
		withID(exposure("c2", 1, "exp1", "control"), "x-1"),
		event("pageview", "c2", 2, nil),
		event("signup", "c2", 2, nil),
		// c3: control, first exposure h30 (FR).
		withCountry(exposure("c3", 30, "exp1", "control"), "FR"),
		event("purchase", "c3", 31, amount("12")), // a string: counted as an event, not summed
		event("purchase", "c3", 32, amount(4)),
		// t1: treatment, first exposure h2 (DE).
		withCountry(exposure("t1", 2, "exp1", "treatment"), "DE"),
		event("purchase", "t1", 2, amount(3)), // exactly at first exposure: counts
		event("pageview", "t1", 100, nil),     // after the 48h window
		// t2: a non-planned arm at h1, then treatment at h4 (FR): assigned
		// to treatment with first exposure h4.
		withCountry(exposure("t2", 1, "exp1", "holdout"), "US"),
		withCountry(exposure("t2", 4, "exp1", "treatment"), "FR"),
		event("purchase", "t2", 3, amount(1)), // before first planned exposure: pre-period
		event("purchase", "t2", 5, amount(2)),
		event("pageview", "t2", 4.5, nil),
		// s1: treatment exactly at Start; country is a number.
		withCountry(exposure("s1", 0, "exp1", "treatment"), 42),
		event("purchase", "s1", -5, amount(8)),      // before Start: only CUPED sees it
		event("purchase", "s1", 239.9, amount(0.5)), // before End, far outside 48h
		event("pageview", "s1", 1, nil),
		// m1: control then treatment: excluded as multi-arm.
		exposure("m1", 1, "exp1", "control"),
		exposure("m1", 2, "exp1", "treatment"),
		event("purchase", "m1", 3, amount(50)),
		// k1, k2: only non-planned arms (or none): unknown.
		exposure("k1", 1, "exp1", "holdout"),
		events.Event{Name: "exposure", Unit: "k2", Time: at(1), Properties: map[string]any{"experiment": "exp1"}},
		// o1: another experiment; b1: exposures outside [Start, End).
		exposure("o1", 1, "exp2", "control"),
		exposure("b1", -1, "exp1", "control"),
		exposure("b1", 240, "exp1", "control"),
		event("purchase", "o1", 2, amount(9)),
	)
	return s
}

func TestExposuresAssignment(t *testing.T) {
	s := scenario(t)
	got := exposures(t, s, baseScope())
	if got.MultiArmUnits != 1 || got.UnknownArmUnits != 2 {
		t.Errorf("multi %d unknown %d, want 1 and 2", got.MultiArmUnits, got.UnknownArmUnits)
	}
	want := []events.GroupCount{
		{GroupKey: events.GroupKey{Arm: "control"}, Units: 3},   // c1 c2 c3
		{GroupKey: events.GroupKey{Arm: "treatment"}, Units: 3}, // t1 t2 s1
	}
	checkCounts(t, got.Groups, want)
}

func checkCounts(t *testing.T, got, want []events.GroupCount) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if !sameKey(got[i].GroupKey, want[i].GroupKey) || got[i].Units != want[i].Units {
			t.Errorf("group %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestExposuresBreakdowns(t *testing.T) {
	s := scenario(t)

	// Stages by first exposure: s0 from t0, s1 from h3, s2 from h25.
	sc := baseScope()
	sc.Stages = []events.StageStart{{Name: "s0", Start: t0}, {Name: "s1", Start: at(3)}, {Name: "s2", Start: at(25)}}
	checkCounts(t, exposures(t, s, sc).Groups, []events.GroupCount{
		{GroupKey: events.GroupKey{Arm: "control", Stage: 0}, Units: 1},   // c2 h1
		{GroupKey: events.GroupKey{Arm: "control", Stage: 1}, Units: 1},   // c1 h5
		{GroupKey: events.GroupKey{Arm: "control", Stage: 2}, Units: 1},   // c3 h30
		{GroupKey: events.GroupKey{Arm: "treatment", Stage: 0}, Units: 2}, // t1 h2, s1 h0
		{GroupKey: events.GroupKey{Arm: "treatment", Stage: 1}, Units: 1}, // t2 h4
	})

	// The first stage starts after Start: earlier units are in stage 0;
	// a unit exactly at a stage start belongs to that stage (t2 at h4).
	sc.Stages = []events.StageStart{{Name: "a", Start: at(2)}, {Name: "b", Start: at(4)}}
	checkCounts(t, exposures(t, s, sc).Groups, []events.GroupCount{
		{GroupKey: events.GroupKey{Arm: "control", Stage: 0}, Units: 1},   // c2
		{GroupKey: events.GroupKey{Arm: "control", Stage: 1}, Units: 2},   // c1 c3
		{GroupKey: events.GroupKey{Arm: "treatment", Stage: 0}, Units: 2}, // t1 s1
		{GroupKey: events.GroupKey{Arm: "treatment", Stage: 1}, Units: 1}, // t2
	})

	// Segments from the first planned exposure.
	sc = baseScope()
	sc.Segment = "country"
	checkCounts(t, exposures(t, s, sc).Groups, []events.GroupCount{
		{GroupKey: events.GroupKey{Arm: "control", Segment: "(none)"}, Units: 1}, // c2 (tie to x-1)
		{GroupKey: events.GroupKey{Arm: "control", Segment: "DE"}, Units: 1},     // c1
		{GroupKey: events.GroupKey{Arm: "control", Segment: "FR"}, Units: 1},     // c3
		{GroupKey: events.GroupKey{Arm: "treatment", Segment: "42"}, Units: 1},   // s1
		{GroupKey: events.GroupKey{Arm: "treatment", Segment: "DE"}, Units: 1},   // t1
		{GroupKey: events.GroupKey{Arm: "treatment", Segment: "FR"}, Units: 1},   // t2 (not US)
	})

	// Daily buckets aligned to Start.
	sc = baseScope()
	sc.Bucket = 24 * time.Hour
	checkCounts(t, exposures(t, s, sc).Groups, []events.GroupCount{
		{GroupKey: events.GroupKey{Arm: "control", Bucket: t0}, Units: 2},     // c1 c2
		{GroupKey: events.GroupKey{Arm: "control", Bucket: at(24)}, Units: 1}, // c3 h30
		{GroupKey: events.GroupKey{Arm: "treatment", Bucket: t0}, Units: 3},   // t1 t2 s1
	})

	// End cuts exposures: with End at h5, c1 (h5) and c3 (h30) are not
	// exposed yet.
	sc = baseScope()
	sc.End = at(5)
	checkCounts(t, exposures(t, s, sc).Groups, []events.GroupCount{
		{GroupKey: events.GroupKey{Arm: "control"}, Units: 1},   // c2
		{GroupKey: events.GroupKey{Arm: "treatment"}, Units: 3}, // t1 t2 s1
	})
}

var (
	purchase  = events.EventValue{Event: "purchase"}
	amountSum = events.EventValue{Event: "purchase", Property: "amount"}
	pageviews = events.EventValue{Event: "pageview"}
)

func TestMetricSumsSemantics(t *testing.T) {
	s := scenario(t)
	sc := baseScope()
	day2 := 48 * time.Hour
	cases := []struct {
		name               string
		m                  events.Metric
		control, treatment [][3]float64 // per unit {y, d, x}: c1 c2 c3 / t1 t2 s1
	}{
		{"conversion in 48h", events.Metric{Kind: events.Conversion, Value: purchase, Window: day2},
			[][3]float64{{1, 0, 0}, {0, 0, 0}, {1, 0, 0}}, [][3]float64{{1, 0, 0}, {1, 0, 0}, {0, 0, 0}}},
		{"conversion until End", events.Metric{Kind: events.Conversion, Value: purchase},
			[][3]float64{{1, 0, 0}, {0, 0, 0}, {1, 0, 0}}, [][3]float64{{1, 0, 0}, {1, 0, 0}, {1, 0, 0}}},
		{"conversion ignores a property", events.Metric{Kind: events.Conversion, Value: amountSum, Window: day2},
			[][3]float64{{1, 0, 0}, {0, 0, 0}, {1, 0, 0}}, [][3]float64{{1, 0, 0}, {1, 0, 0}, {0, 0, 0}}},
		{"count until End", events.Metric{Kind: events.Count, Value: purchase},
			[][3]float64{{3, 0, 0}, {0, 0, 0}, {2, 0, 0}}, [][3]float64{{1, 0, 0}, {1, 0, 0}, {1, 0, 0}}},
		{"mean in 48h", events.Metric{Kind: events.Mean, Value: amountSum, Window: day2},
			[][3]float64{{15, 0, 0}, {0, 0, 0}, {4, 0, 0}}, [][3]float64{{3, 0, 0}, {2, 0, 0}, {0, 0, 0}}},
		{"mean with CUPED 24h", events.Metric{Kind: events.Mean, Value: amountSum, Window: day2, CUPEDLookback: 24 * time.Hour},
			[][3]float64{{15, 0, 7}, {0, 0, 0}, {4, 0, 0}}, [][3]float64{{3, 0, 0}, {2, 0, 1}, {0, 0, 8}}},
		{"conversion with CUPED 24h", events.Metric{Kind: events.Conversion, Value: purchase, Window: day2, CUPEDLookback: 24 * time.Hour},
			[][3]float64{{1, 0, 1}, {0, 0, 0}, {1, 0, 0}}, [][3]float64{{1, 0, 0}, {1, 0, 1}, {0, 0, 1}}},
		{"count with CUPED 2h", events.Metric{Kind: events.Count, Value: purchase, CUPEDLookback: 2 * time.Hour},
			[][3]float64{{3, 0, 1}, {0, 0, 0}, {2, 0, 0}}, [][3]float64{{1, 0, 0}, {1, 0, 1}, {1, 0, 0}}},
		{"ratio amount per pageview with CUPED", events.Metric{Kind: events.Ratio, Numerator: amountSum, Denominator: pageviews, Window: day2, CUPEDLookback: 24 * time.Hour},
			[][3]float64{{15, 2, 7}, {0, 1, 0}, {4, 0, 0}}, [][3]float64{{3, 0, 0}, {2, 1, 1}, {0, 1, 8}}},
		{"ratio pageviews per amount", events.Metric{Kind: events.Ratio, Numerator: pageviews, Denominator: amountSum, Window: day2},
			[][3]float64{{2, 15, 0}, {1, 0, 0}, {0, 4, 0}}, [][3]float64{{0, 3, 0}, {1, 2, 0}, {1, 0, 0}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkGroups(t, metricSums(t, s, sc, c.m), []events.GroupSums{
				{GroupKey: events.GroupKey{Arm: "control"}, Sums: sumsOf(c.control...)},
				{GroupKey: events.GroupKey{Arm: "treatment"}, Sums: sumsOf(c.treatment...)},
			})
		})
	}
}

func TestMetricSumsEndCutsMetricEvents(t *testing.T) {
	s := scenario(t)
	sc := baseScope()
	sc.End = at(21) // c3 not yet exposed; c1's h60 purchase not yet made
	got := metricSums(t, s, sc, events.Metric{Kind: events.Mean, Value: amountSum})
	checkGroups(t, got, []events.GroupSums{
		{GroupKey: events.GroupKey{Arm: "control"}, Sums: sumsOf([3]float64{15, 0, 0}, [3]float64{0, 0, 0})},                       // c1 c2
		{GroupKey: events.GroupKey{Arm: "treatment"}, Sums: sumsOf([3]float64{3, 0, 0}, [3]float64{2, 0, 0}, [3]float64{0, 0, 0})}, // t1 t2 s1
	})
}

func TestMetricSumsBreakdowns(t *testing.T) {
	s := scenario(t)
	m := events.Metric{Kind: events.Mean, Value: amountSum, Window: 48 * time.Hour}
	u := func(y float64) [3]float64 { return [3]float64{y, 0, 0} }

	sc := baseScope()
	sc.Stages = []events.StageStart{{Name: "s0", Start: t0}, {Name: "s1", Start: at(3)}, {Name: "s2", Start: at(25)}}
	checkGroups(t, metricSums(t, s, sc, m), []events.GroupSums{
		{GroupKey: events.GroupKey{Arm: "control", Stage: 0}, Sums: sumsOf(u(0))},         // c2
		{GroupKey: events.GroupKey{Arm: "control", Stage: 1}, Sums: sumsOf(u(15))},        // c1
		{GroupKey: events.GroupKey{Arm: "control", Stage: 2}, Sums: sumsOf(u(4))},         // c3
		{GroupKey: events.GroupKey{Arm: "treatment", Stage: 0}, Sums: sumsOf(u(3), u(0))}, // t1 s1
		{GroupKey: events.GroupKey{Arm: "treatment", Stage: 1}, Sums: sumsOf(u(2))},       // t2
	})

	sc = baseScope()
	sc.Segment = "country"
	sc.Bucket = 24 * time.Hour
	checkGroups(t, metricSums(t, s, sc, m), []events.GroupSums{
		{GroupKey: events.GroupKey{Arm: "control", Segment: "(none)", Bucket: t0}, Sums: sumsOf(u(0))}, // c2
		{GroupKey: events.GroupKey{Arm: "control", Segment: "DE", Bucket: t0}, Sums: sumsOf(u(15))},    // c1
		{GroupKey: events.GroupKey{Arm: "control", Segment: "FR", Bucket: at(24)}, Sums: sumsOf(u(4))}, // c3
		{GroupKey: events.GroupKey{Arm: "treatment", Segment: "42", Bucket: t0}, Sums: sumsOf(u(0))},   // s1
		{GroupKey: events.GroupKey{Arm: "treatment", Segment: "DE", Bucket: t0}, Sums: sumsOf(u(3))},   // t1
		{GroupKey: events.GroupKey{Arm: "treatment", Segment: "FR", Bucket: t0}, Sums: sumsOf(u(2))},   // t2
	})
}

func TestUnitFromProperty(t *testing.T) {
	s := openMem(t)
	acct := func(e events.Event, a any) events.Event { e.Properties["account"] = a; return e }
	mustAppend(t, s,
		// Two users of account A1: one unit, first exposure h1 (control).
		acct(exposure("u1", 1, "exp1", "control"), "A1"),
		acct(exposure("u2", 2, "exp1", "control"), "A1"),
		acct(event("purchase", "u1", 3, map[string]any{}), "A1"),
		acct(event("purchase", "u2", 4, map[string]any{}), "A1"),
		// Account 7 (a number): treatment.
		acct(exposure("u3", 1, "exp1", "treatment"), 7),
		acct(event("purchase", "u9", 2, map[string]any{}), "7"), // another user, same account text
		// No account property: neither exposure nor metric event counts.
		exposure("u4", 1, "exp1", "treatment"),
		event("purchase", "u3", 5, map[string]any{}),
		// An empty account is no unit either.
		acct(exposure("u5", 1, "exp1", "control"), ""),
	)
	sc := baseScope()
	sc.Unit = "account"
	checkCounts(t, exposures(t, s, sc).Groups, []events.GroupCount{
		{GroupKey: events.GroupKey{Arm: "control"}, Units: 1},
		{GroupKey: events.GroupKey{Arm: "treatment"}, Units: 1},
	})
	checkGroups(t, metricSums(t, s, sc, events.Metric{Kind: events.Count, Value: purchase}), []events.GroupSums{
		{GroupKey: events.GroupKey{Arm: "control"}, Sums: sumsOf([3]float64{2, 0, 0})},
		{GroupKey: events.GroupKey{Arm: "treatment"}, Sums: sumsOf([3]float64{1, 0, 0})},
	})
	// By user_id instead, the same data has five exposed users.
	sc.Unit = ""
	c := exposures(t, s, sc)
	checkCounts(t, c.Groups, []events.GroupCount{
		{GroupKey: events.GroupKey{Arm: "control"}, Units: 3},   // u1 u2 u5
		{GroupKey: events.GroupKey{Arm: "treatment"}, Units: 2}, // u3 u4
	})
}

func TestNonNumericAndHugeValuesAreIgnored(t *testing.T) {
	s := openMem(t)
	mustAppend(t, s, exposure("u1", 1, "exp1", "control"), exposure("u2", 1, "exp1", "treatment"))
	for i, v := range []any{"5", true, nil, []any{1}, map[string]any{"x": 1}, 2.5} {
		mustAppend(t, s, events.Event{ID: "p" + string(rune('a'+i)), Name: "purchase", Unit: "u1", Time: at(2), Properties: map[string]any{"amount": v}})
	}
	// 1e400 overflows float64 in DuckDB: treated as non-numeric, not as +Inf.
	mustAppend(t, s, events.Event{ID: "big", Name: "purchase", Unit: "u2", Time: at(2), Properties: map[string]any{"amount": jsonNumber("1e400")}})
	mustAppend(t, s, events.Event{ID: "ok", Name: "purchase", Unit: "u2", Time: at(2), Properties: map[string]any{"amount": jsonNumber("-1.5")}})
	checkGroups(t, metricSums(t, s, baseScope(), events.Metric{Kind: events.Mean, Value: amountSum}), []events.GroupSums{
		{GroupKey: events.GroupKey{Arm: "control"}, Sums: sumsOf([3]float64{2.5, 0, 0})},
		{GroupKey: events.GroupKey{Arm: "treatment"}, Sums: sumsOf([3]float64{-1.5, 0, 0})},
	})
}
