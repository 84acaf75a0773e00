package postgres

import (
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

const h = time.Hour

// semanticsEvents is a small history with obvious per-unit values; the
// expectations in TestSemantics are worked out by hand from these comments.
//
// Assigned: control u1 (first 1h), u11 (6h), u12 (30h); treatment u2 (2h),
// u8 (4h), u9 (1h). Multi-arm: u3. Unknown arm: u4 (ghost), u10 (no arm).
// Ignored: u5 (only before Start), u6 (only at End), u7 (other experiment),
// u13 (other event name).
func semanticsEvents() []events.Event {
	return []events.Event{
		exposureEv("e01", "u1", at(1*h), "control", map[string]any{"country": "DE"}),
		exposureEv("e02", "u2", at(2*h), "treatment", map[string]any{"country": "FR"}),
		exposureEv("e03", "u2", at(3*h), "treatment", map[string]any{"country": "US"}),
		exposureEv("e04", "u3", at(1*h), "control", nil),
		exposureEv("e05", "u3", at(5*h), "treatment", nil),
		exposureEv("e06", "u4", at(1*h), "ghost", nil),
		exposureEv("e07", "u5", at(-1*h), "control", nil),
		exposureEv("e08", "u6", at(240*h), "control", nil),
		ev("e09", "exposure", "u7", at(1*h), map[string]any{"experiment": "other", "arm": "control"}),
		exposureEv("e10", "u8", at(1*h), "ghost", map[string]any{"country": "XX"}),
		exposureEv("e11", "u8", at(4*h), "treatment", nil),
		exposureEv("e12", "u9", at(1*h), "treatment", map[string]any{"country": "DE"}),
		ev("e13", "exposure", "u10", at(1*h), map[string]any{"experiment": "exp"}),
		// Same instant: the lower id (e14a) is the first exposure.
		exposureEv("e14b", "u11", at(6*h), "control", map[string]any{"country": "B"}),
		exposureEv("e14a", "u11", at(6*h), "control", map[string]any{"country": "A"}),
		exposureEv("e16", "u12", at(-2*h), "control", map[string]any{"country": "PRE"}),
		exposureEv("e17", "u12", at(30*h), "control", nil),
		ev("e18", "exposure_other", "u13", at(1*h), map[string]any{"experiment": "exp", "arm": "control"}),

		ev("p01", "purchase", "u1", at(-2*h), map[string]any{"amount": 7}),
		ev("p02", "purchase", "u1", at(2*h), map[string]any{"amount": 10}),
		ev("p03", "purchase", "u1", at(30*h), map[string]any{"amount": 5}),
		ev("v01", "pageview", "u1", at(2*h), nil),
		ev("v02", "pageview", "u1", at(3*h), nil),
		ev("v03", "pageview", "u2", at(5*h), nil),
		ev("p04", "purchase", "u3", at(6*h), map[string]any{"amount": 100}),
		ev("p05", "purchase", "u8", at(3*h), map[string]any{"amount": 4}),
		ev("p06", "purchase", "u8", at(4*h), map[string]any{"amount": 6}),
		ev("p07", "purchase", "u8", at(300*h), map[string]any{"amount": 50}),
		ev("p08", "purchase", "u9", at(1*h), map[string]any{"amount": "12"}),
		ev("p09", "purchase", "u9", at(2*h), map[string]any{"amount": 3}),
		ev("p10", "purchase", "u9", at(26*h), map[string]any{"amount": 1}),
		ev("v04", "pageview", "u9", at(2*h), nil),
		ev("p11", "purchase", "u11", at(6*h), map[string]any{"amount": true}),
		ev("p12", "purchase", "u12", at(20*h), map[string]any{"amount": 8}),
		ev("p13", "purchase", "u12", at(31*h), map[string]any{"amount": 2.5}),
		ev("p14", "purchase", "u4", at(2*h), map[string]any{"amount": 9}),
	}
}

func TestSemantics(t *testing.T) {
	srv := testserver.StartPostgres(t)
	src, _ := openTestSource(t, srv, events.LiftgateMapping())
	loadEvents(t, src, semanticsEvents())

	control, treatment := events.GroupKey{Arm: "control"}, events.GroupKey{Arm: "treatment"}
	sums := func(k events.GroupKey, ys, ds, xs []float64) events.GroupSums {
		return events.GroupSums{GroupKey: k, Sums: sumsOf(ys, ds, xs)}
	}

	t.Run("exposures", func(t *testing.T) {
		got := mustExposures(t, src, baseScope())
		want := events.ExposureCounts{
			Groups:          []events.GroupCount{{GroupKey: control, Units: 3}, {GroupKey: treatment, Units: 3}},
			MultiArmUnits:   1,
			UnknownArmUnits: 2,
		}
		checkExposures(t, got, want)
	})

	t.Run("stages", func(t *testing.T) {
		sc := baseScope()
		sc.Stages = []events.StageStart{{Name: "1%", Start: t0}, {Name: "10%", Start: at(3 * h)}, {Name: "50%", Start: at(24 * h)}}
		got := mustExposures(t, src, sc)
		key := func(arm string, stage int) events.GroupKey { return events.GroupKey{Arm: arm, Stage: stage} }
		checkExposures(t, got, events.ExposureCounts{
			Groups: []events.GroupCount{
				{GroupKey: key("control", 0), Units: 1}, {GroupKey: key("control", 1), Units: 1}, {GroupKey: key("control", 2), Units: 1},
				{GroupKey: key("treatment", 0), Units: 2}, {GroupKey: key("treatment", 1), Units: 1},
			},
			MultiArmUnits: 1, UnknownArmUnits: 2,
		})
		// Stage of first exposure also splits the metric: count of purchases.
		checkSums(t, mustSums(t, src, sc, events.Metric{Kind: events.Count, Value: events.EventValue{Event: "purchase"}}), []events.GroupSums{
			sums(key("control", 0), []float64{2}, nil, nil),      // u1
			sums(key("control", 1), []float64{1}, nil, nil),      // u11
			sums(key("control", 2), []float64{1}, nil, nil),      // u12
			sums(key("treatment", 0), []float64{0, 3}, nil, nil), // u2, u9
			sums(key("treatment", 1), []float64{1}, nil, nil),    // u8
		})
	})

	t.Run("segments from the first exposure", func(t *testing.T) {
		sc := baseScope()
		sc.Segment = "country"
		got := mustExposures(t, src, sc)
		key := func(arm, seg string) events.GroupKey { return events.GroupKey{Arm: arm, Segment: seg} }
		checkExposures(t, got, events.ExposureCounts{
			Groups: []events.GroupCount{
				{GroupKey: key("control", "(none)"), Units: 1},   // u12: its first exposure in range has no country
				{GroupKey: key("control", "A"), Units: 1},        // u11: tie broken by id
				{GroupKey: key("control", "DE"), Units: 1},       // u1
				{GroupKey: key("treatment", "(none)"), Units: 1}, // u8: the ghost exposure's XX does not count
				{GroupKey: key("treatment", "DE"), Units: 1},     // u9
				{GroupKey: key("treatment", "FR"), Units: 1},     // u2: first of FR, US
			},
			MultiArmUnits: 1, UnknownArmUnits: 2,
		})
	})

	t.Run("buckets aligned to start", func(t *testing.T) {
		sc := baseScope()
		sc.Bucket = 2 * h
		got := mustExposures(t, src, sc)
		key := func(arm string, b time.Duration) events.GroupKey { return events.GroupKey{Arm: arm, Bucket: at(b)} }
		checkExposures(t, got, events.ExposureCounts{
			Groups: []events.GroupCount{
				{GroupKey: key("control", 0), Units: 1},     // u1 at 1h
				{GroupKey: key("control", 6*h), Units: 1},   // u11 at 6h
				{GroupKey: key("control", 30*h), Units: 1},  // u12 at 30h
				{GroupKey: key("treatment", 0), Units: 1},   // u9 at 1h
				{GroupKey: key("treatment", 2*h), Units: 1}, // u2 at 2h: a boundary opens the later bucket
				{GroupKey: key("treatment", 4*h), Units: 1}, // u8 at 4h
			},
			MultiArmUnits: 1, UnknownArmUnits: 2,
		})
	})

	t.Run("count until end", func(t *testing.T) {
		// u1: 2h, 30h (not the -2h one); u11: 1; u12: 31h. u2: 0 (zero
		// without events); u8: 4h (not 3h, before first; not 300h, after
		// End); u9: 1h, 2h, 26h. u3 (multi) is excluded.
		got := mustSums(t, src, baseScope(), events.Metric{Kind: events.Count, Value: events.EventValue{Event: "purchase"}})
		checkSums(t, got, []events.GroupSums{
			sums(control, []float64{2, 1, 1}, nil, nil),
			sums(treatment, []float64{0, 1, 3}, nil, nil),
		})
	})

	t.Run("count within window", func(t *testing.T) {
		got := mustSums(t, src, baseScope(), events.Metric{Kind: events.Count, Value: events.EventValue{Event: "purchase"}, Window: 24 * h})
		checkSums(t, got, []events.GroupSums{
			sums(control, []float64{1, 1, 1}, nil, nil),   // u1 2h; u11 6h; u12 31h
			sums(treatment, []float64{0, 1, 2}, nil, nil), // u9 loses 26h (window ends at 25h)
		})
	})

	t.Run("conversion within window", func(t *testing.T) {
		got := mustSums(t, src, baseScope(), events.Metric{Kind: events.Conversion, Value: events.EventValue{Event: "purchase"}, Window: 24 * h})
		checkSums(t, got, []events.GroupSums{
			sums(control, []float64{1, 1, 1}, nil, nil),
			sums(treatment, []float64{0, 1, 1}, nil, nil),
		})
	})

	t.Run("mean with zeros and non-numbers", func(t *testing.T) {
		// u1 10+5; u11 true adds nothing; u12 2.5. u2 0; u8 6; u9 "12"
		// (a string) adds nothing, 3+1.
		got := mustSums(t, src, baseScope(), events.Metric{Kind: events.Mean, Value: events.EventValue{Event: "purchase", Property: "amount"}})
		checkSums(t, got, []events.GroupSums{
			sums(control, []float64{15, 0, 2.5}, nil, nil),
			sums(treatment, []float64{0, 6, 4}, nil, nil),
		})
	})

	t.Run("mean with CUPED lookback", func(t *testing.T) {
		// X over [first-24h, first): u1 the -2h purchase (7, before Start);
		// u11 none; u12 the 20h purchase (8). u2 none; u8 the 3h one (4); u9 none.
		got := mustSums(t, src, baseScope(), events.Metric{Kind: events.Mean, Value: events.EventValue{Event: "purchase", Property: "amount"}, CUPEDLookback: 24 * h})
		checkSums(t, got, []events.GroupSums{
			sums(control, []float64{15, 0, 2.5}, nil, []float64{7, 0, 8}),
			sums(treatment, []float64{0, 6, 4}, nil, []float64{0, 4, 0}),
		})
	})

	t.Run("conversion with CUPED lookback", func(t *testing.T) {
		got := mustSums(t, src, baseScope(), events.Metric{Kind: events.Conversion, Value: events.EventValue{Event: "purchase"}, Window: 24 * h, CUPEDLookback: 24 * h})
		checkSums(t, got, []events.GroupSums{
			sums(control, []float64{1, 1, 1}, nil, []float64{1, 0, 1}),
			sums(treatment, []float64{0, 1, 1}, nil, []float64{0, 1, 0}),
		})
	})

	t.Run("ratio", func(t *testing.T) {
		// Revenue per pageview within 24h. u1 10 / 2; u11 0 / 0; u12 2.5 / 0.
		// u2 0 / 1 (5h); u8 6 / 0; u9 3 / 1.
		m := events.Metric{Kind: events.Ratio, Window: 24 * h,
			Numerator:   events.EventValue{Event: "purchase", Property: "amount"},
			Denominator: events.EventValue{Event: "pageview"}}
		checkSums(t, mustSums(t, src, baseScope(), m), []events.GroupSums{
			sums(control, []float64{10, 0, 2.5}, []float64{2, 0, 0}, nil),
			sums(treatment, []float64{0, 6, 3}, []float64{1, 0, 1}, nil),
		})
	})

	t.Run("ratio of one event", func(t *testing.T) {
		// Average order value: amount sum over purchase count, same event.
		m := events.Metric{Kind: events.Ratio,
			Numerator:   events.EventValue{Event: "purchase", Property: "amount"},
			Denominator: events.EventValue{Event: "purchase"}}
		checkSums(t, mustSums(t, src, baseScope(), m), []events.GroupSums{
			sums(control, []float64{15, 0, 2.5}, []float64{2, 1, 1}, nil),
			sums(treatment, []float64{0, 6, 4}, []float64{0, 1, 3}, nil),
		})
	})

	t.Run("end cuts exposures and metrics", func(t *testing.T) {
		// End at 5h: u3's treatment exposure at exactly 5h no longer counts,
		// so u3 is control; u11 and u12 are not yet exposed.
		sc := baseScope()
		sc.End = at(5 * h)
		checkExposures(t, mustExposures(t, src, sc), events.ExposureCounts{
			Groups:          []events.GroupCount{{GroupKey: control, Units: 2}, {GroupKey: treatment, Units: 3}},
			UnknownArmUnits: 2,
		})
		// u1 2h (30h is past End); u3 6h is past End. u2 0; u8 4h; u9 1h, 2h.
		got := mustSums(t, src, sc, events.Metric{Kind: events.Count, Value: events.EventValue{Event: "purchase"}, Window: 24 * h})
		checkSums(t, got, []events.GroupSums{
			sums(control, []float64{1, 0}, nil, nil),
			sums(treatment, []float64{0, 1, 2}, nil, nil),
		})
	})

	t.Run("no exposures", func(t *testing.T) {
		sc := baseScope()
		sc.Experiment = "nobody-saw-this"
		got := mustExposures(t, src, sc)
		if len(got.Groups) != 0 || got.MultiArmUnits != 0 || got.UnknownArmUnits != 0 {
			t.Fatalf("want nothing, got %+v", got)
		}
		if s := mustSums(t, src, sc, events.Metric{Kind: events.Count, Value: events.EventValue{Event: "purchase"}}); len(s) != 0 {
			t.Fatalf("want no groups, got %+v", s)
		}
	})
}

func TestUnitFromProperty(t *testing.T) {
	srv := testserver.StartPostgres(t)
	src, _ := openTestSource(t, srv, events.LiftgateMapping())
	loadEvents(t, src, []events.Event{
		exposureEv("x1", "device1", at(1*h), "control", map[string]any{"account": "A1"}),
		exposureEv("x2", "device2", at(2*h), "control", map[string]any{"account": "A1"}),
		exposureEv("x3", "device3", at(1*h), "treatment", map[string]any{"account": "A2"}),
		exposureEv("x4", "device4", at(1*h), "treatment", nil),                           // no account: not a unit
		exposureEv("x5", "device5", at(1*h), "treatment", map[string]any{"account": ""}), // empty: not a unit either
		ev("p1", "purchase", "device9", at(3*h), map[string]any{"account": "A1"}),
		ev("p2", "purchase", "device3", at(3*h), nil),
		ev("p3", "purchase", "device5", at(5*h), map[string]any{"account": "A2"}),
	})
	count := events.Metric{Kind: events.Count, Value: events.EventValue{Event: "purchase"}}
	control, treatment := events.GroupKey{Arm: "control"}, events.GroupKey{Arm: "treatment"}

	sc := baseScope()
	sc.Unit = "account"
	checkExposures(t, mustExposures(t, src, sc), events.ExposureCounts{
		Groups: []events.GroupCount{{GroupKey: control, Units: 1}, {GroupKey: treatment, Units: 1}},
	})
	checkSums(t, mustSums(t, src, sc, count), []events.GroupSums{
		{GroupKey: control, Sums: sumsOf([]float64{1}, nil, nil)},   // A1: p1
		{GroupKey: treatment, Sums: sumsOf([]float64{1}, nil, nil)}, // A2: p3
	})

	// The same data by the unit column: devices are the units.
	sc.Unit = "user_id"
	checkExposures(t, mustExposures(t, src, sc), events.ExposureCounts{
		Groups: []events.GroupCount{{GroupKey: control, Units: 2}, {GroupKey: treatment, Units: 3}},
	})
	checkSums(t, mustSums(t, src, sc, count), []events.GroupSums{
		{GroupKey: control, Sums: sumsOf([]float64{0, 0}, nil, nil)},
		{GroupKey: treatment, Sums: sumsOf([]float64{1, 0, 1}, nil, nil)}, // device3: p2; device4; device5: p3
	})
}

func checkExposures(t *testing.T, got, want events.ExposureCounts) {
	t.Helper()
	if got.MultiArmUnits != want.MultiArmUnits || got.UnknownArmUnits != want.UnknownArmUnits {
		t.Errorf("multi/unknown: got %d/%d, want %d/%d", got.MultiArmUnits, got.UnknownArmUnits, want.MultiArmUnits, want.UnknownArmUnits)
	}
	if len(got.Groups) != len(want.Groups) {
		t.Fatalf("got %d groups, want %d:\ngot  %+v\nwant %+v", len(got.Groups), len(want.Groups), got.Groups, want.Groups)
	}
	for i := range want.Groups {
		if got.Groups[i] != want.Groups[i] {
			t.Errorf("group %d: got %+v, want %+v", i, got.Groups[i], want.Groups[i])
		}
	}
}
