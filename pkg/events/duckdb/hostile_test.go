package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// hostileNames try to break out of SQL string literals, identifiers, JSON
// paths and placeholders.
var hostileNames = []string{
	`x'); DROP TABLE events; --`,
	`' OR '1'='1`,
	`"quoted"`,
	`a.b`,
	`$`,
	`$1`,
	`?`,
	`*`,
	`/~0~1`,
	`a"."b`,
	`\`,
	`; SELECT 1; --`,
	`日本語 ü`,
	`[0]`,
	"tab\tnew\nline",
}

// TestHostileNamesAreInert runs a full experiment whose experiment id,
// event names, property names, arm values and segment values are all
// hostile: they must be matched as plain data, and the store must still
// work afterwards.
func TestHostileNamesAreInert(t *testing.T) {
	for i, h := range hostileNames {
		s := openMem(t)
		expProp, armProp, segProp, amtProp, unitProp := h+"exp", h+"arm", h+"seg", h, h+"unit"
		expEvent, buyEvent := h+"exposure", h+"buy"
		arms := []string{h + "A", h + "B"}
		mk := func(id, name, user string, hour float64, props map[string]any) events.Event {
			props[unitProp] = "acct-" + user
			return events.Event{ID: id, Name: name, Unit: user, Time: at(hour), Properties: props}
		}
		mustAppend(t, s,
			mk("1", expEvent, "u1", 1, map[string]any{expProp: h, armProp: arms[0], segProp: h}),
			mk("2", expEvent, "u2", 1, map[string]any{expProp: h, armProp: arms[1]}),
			mk("3", expEvent, "u3", 1, map[string]any{expProp: h, armProp: h}), // not a planned arm
			mk("4", buyEvent, "u1", 2, map[string]any{amtProp: 5}),
			mk("5", buyEvent, "u2", 2, map[string]any{amtProp: 7, "amount": 100}),
			mk("6", buyEvent, "u2", 3, map[string]any{"amount": 100}), // different property
		)
		for _, unit := range []string{"user_id", unitProp} {
			sc := events.Scope{
				Experiment: h, Unit: unit,
				Exposure: events.Exposure{Event: expEvent, ExperimentProperty: expProp, ArmProperty: armProp},
				Arms:     arms, Start: t0, End: at(100), Segment: segProp,
				Stages: []events.StageStart{{Name: h, Start: t0}, {Name: h + "2", Start: at(50)}},
			}
			c, err := s.Exposures(context.Background(), sc)
			if err != nil {
				t.Fatalf("name %d %q: exposures: %v", i, h, err)
			}
			checkCounts(t, c.Groups, []events.GroupCount{
				{GroupKey: events.GroupKey{Arm: arms[0], Segment: h}, Units: 1},
				{GroupKey: events.GroupKey{Arm: arms[1], Segment: "(none)"}, Units: 1},
			})
			if c.UnknownArmUnits != 1 {
				t.Errorf("name %q: unknown %d, want 1", h, c.UnknownArmUnits)
			}
			got, err := s.MetricSums(context.Background(), sc, events.Metric{
				Kind:      events.Ratio,
				Numerator: events.EventValue{Event: buyEvent, Property: amtProp}, Denominator: events.EventValue{Event: buyEvent},
			})
			if err != nil {
				t.Fatalf("name %q: metric: %v", h, err)
			}
			checkGroups(t, got, []events.GroupSums{
				{GroupKey: events.GroupKey{Arm: arms[0], Segment: h}, Sums: sumsOf([3]float64{5, 1, 0})},
				{GroupKey: events.GroupKey{Arm: arms[1], Segment: "(none)"}, Sums: sumsOf([3]float64{7, 2, 0})},
			})
		}
		// Still a working store with all its rows.
		if res := mustAppend(t, s, events.Event{ID: "after", Name: "x", Unit: "u", Time: at(1)}); res.Inserted != 1 {
			t.Errorf("name %q: append afterwards: %+v", h, res)
		}
		if n := countEvents(t, s); n != 7 {
			t.Errorf("name %q: %d events after the run, want 7", h, n)
		}
	}
}

func TestBadScopesAndMetricsAreErrors(t *testing.T) {
	s := openMem(t)
	ctx := context.Background()
	okMetric := events.Metric{Kind: events.Count, Value: purchase}
	scopes := map[string]func(*events.Scope){
		"no experiment":    func(sc *events.Scope) { sc.Experiment = "" },
		"no exposure":      func(sc *events.Scope) { sc.Exposure.Event = "" },
		"no exp property":  func(sc *events.Scope) { sc.Exposure.ExperimentProperty = "" },
		"no arm property":  func(sc *events.Scope) { sc.Exposure.ArmProperty = "" },
		"no arms":          func(sc *events.Scope) { sc.Arms = nil },
		"empty arm":        func(sc *events.Scope) { sc.Arms = []string{"a", ""} },
		"duplicate arm":    func(sc *events.Scope) { sc.Arms = []string{"a", "a"} },
		"no end":           func(sc *events.Scope) { sc.End = time.Time{} },
		"end before start": func(sc *events.Scope) { sc.End = sc.Start },
		"negative bucket":  func(sc *events.Scope) { sc.Bucket = -1 },
		"stage w/o start":  func(sc *events.Scope) { sc.Stages = []events.StageStart{{Name: "s"}} },
	}
	for name, mutate := range scopes {
		sc := baseScope()
		mutate(&sc)
		if _, err := s.Exposures(ctx, sc); err == nil {
			t.Errorf("%s: Exposures gave no error", name)
		}
		if _, err := s.MetricSums(ctx, sc, okMetric); err == nil {
			t.Errorf("%s: MetricSums gave no error", name)
		}
	}
	metrics := map[string]events.Metric{
		"unknown kind":      {Kind: "median", Value: purchase},
		"no event":          {Kind: events.Conversion},
		"mean w/o property": {Kind: events.Mean, Value: purchase},
		"ratio w/o denom":   {Kind: events.Ratio, Numerator: purchase},
		"negative window":   {Kind: events.Count, Value: purchase, Window: -1},
		"negative lookback": {Kind: events.Count, Value: purchase, CUPEDLookback: -1},
		"sub-µs window":     {Kind: events.Count, Value: purchase, Window: 1},
	}
	for name, m := range metrics {
		if _, err := s.MetricSums(ctx, baseScope(), m); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
