package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// TestValuesBeyondFloat64 covers JSON numbers that float64 cannot hold: one
// beyond its range adds nothing (like a non-number), one below its
// resolution rounds to 0, and sums that overflow are an error rather than an
// Inf that would become NaN in a verdict.
func TestValuesBeyondFloat64(t *testing.T) {
	srv := testserver.StartPostgres(t)
	src, _ := openTestSource(t, srv, events.LiftgateMapping())
	loadEvents(t, src, []events.Event{
		exposureEv("x1", "u1", at(h), "control", nil),
		exposureEv("x2", "u2", at(h), "treatment", nil),
		ev("p1", "purchase", "u1", at(2*h), map[string]any{"amount": json.Number("1e400")}),
		ev("p2", "purchase", "u1", at(2*h), map[string]any{"amount": 2}),
		ev("p3", "purchase", "u2", at(2*h), map[string]any{"amount": json.Number("1e-400")}),
		ev("p4", "refund", "u2", at(2*h), map[string]any{"amount": json.Number("1e200")}),
	})
	mean := func(event string) events.Metric {
		return events.Metric{Kind: events.Mean, Value: events.EventValue{Event: event, Property: "amount"}}
	}
	checkSums(t, mustSums(t, src, baseScope(), mean("purchase")), []events.GroupSums{
		{GroupKey: events.GroupKey{Arm: "control"}, Sums: sumsOf([]float64{2}, nil, nil)},
		{GroupKey: events.GroupKey{Arm: "treatment"}, Sums: sumsOf([]float64{0}, nil, nil)},
	})
	// 1e200 is a fine float64, but its square is not.
	_, err := src.MetricSums(context.Background(), baseScope(), mean("refund"))
	if err == nil || !strings.Contains(err.Error(), "float64 range") || !strings.Contains(err.Error(), `postgres: mean metric of "exp"`) {
		t.Fatalf("got %v, want an overflow error naming the source and metric", err)
	}
}

// TestBadScopesAndMetrics checks that a scope or metric the SQL cannot
// answer is refused before any query, with an error naming the source, the
// operation and the problem.
func TestBadScopesAndMetrics(t *testing.T) {
	src := &Source{mapping: events.LiftgateMapping()} // never reaches a server
	ctx := context.Background()
	scopes := map[string]func(*events.Scope){
		"experiment id is empty":  func(s *events.Scope) { s.Experiment = "" },
		"no arms":                 func(s *events.Scope) { s.Arms = nil },
		"listed twice":            func(s *events.Scope) { s.Arms = []string{"a", "a"} },
		"has an empty name":       func(s *events.Scope) { s.Arms = []string{"a", ""} },
		"is not after start":      func(s *events.Scope) { s.End = s.Start },
		"must both be set":        func(s *events.Scope) { s.End = time.Time{} },
		"exposure event is empty": func(s *events.Scope) { s.Exposure.Event = "" },
		"arm property is empty":   func(s *events.Scope) { s.Exposure.ArmProperty = "" },
		"bucket":                  func(s *events.Scope) { s.Bucket = -h },
		"has no start time":       func(s *events.Scope) { s.Stages = []events.StageStart{{Name: "s"}} },
	}
	for want, mutate := range scopes {
		sc := baseScope()
		mutate(&sc)
		_, err := src.Exposures(ctx, sc)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "postgres: exposures of") {
			t.Errorf("scope %q: got %v", want, err)
		}
		_, err = src.MetricSums(ctx, sc, events.Metric{Kind: events.Count, Value: events.EventValue{Event: "e"}})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "postgres: count metric of") {
			t.Errorf("scope %q (metric): got %v", want, err)
		}
	}
	metrics := map[string]events.Metric{
		"not one of":           {Kind: "median", Value: events.EventValue{Event: "e"}},
		"value event is empty": {Kind: events.Conversion},
		"numeric property":     {Kind: events.Mean, Value: events.EventValue{Event: "e"}},
		"numerator and denom":  {Kind: events.Ratio, Numerator: events.EventValue{Event: "e"}},
		"window":               {Kind: events.Count, Value: events.EventValue{Event: "e"}, Window: -h},
		"CUPED lookback":       {Kind: events.Count, Value: events.EventValue{Event: "e"}, CUPEDLookback: time.Nanosecond},
	}
	for want, m := range metrics {
		_, err := src.MetricSums(ctx, baseScope(), m)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "postgres: ") {
			t.Errorf("metric %q: got %v", want, err)
		}
	}
	// An assignment table needs no exposure properties.
	withAssignments := &Source{mapping: events.LiftgateMapping()}
	withAssignments.mapping.Assignments = &events.AssignmentTable{Table: "a", Unit: "u", Time: "t", Experiment: "e", Variant: "v"}
	sc := baseScope()
	sc.Exposure = events.Exposure{}
	if err := withAssignments.checkScope("exposures", sc); err != nil {
		t.Errorf("assignment mapping: %v", err)
	}
}
