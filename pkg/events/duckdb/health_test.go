package duckdb

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// healthScope reads the unit from the "account" property, so an exposure
// can lack its unit (the unit_id column is never empty).
func healthScope() events.Scope {
	sc := baseScope()
	sc.Unit = "account"
	return sc
}

func healthRequest() events.HealthRequest {
	return events.HealthRequest{
		Events:     []string{"purchase"},
		Properties: []events.EventValue{{Event: "purchase", Property: "amount"}},
		Now:        at(240),
		ClockSkew:  5 * time.Minute,
	}
}

// goodHealthEvents are 20 units, alternating arms, each with one purchase.
func goodHealthEvents() []events.Event {
	var evs []events.Event
	for i := range 20 {
		unit := fmt.Sprintf("u%02d", i)
		arm := []string{"control", "treatment"}[i%2]
		evs = append(evs,
			events.Event{ID: "x-" + unit, Name: "exposure", Unit: unit, Time: at(float64(i)), Properties: map[string]any{"experiment": "exp1", "arm": arm, "account": unit}},
			events.Event{ID: "p-" + unit, Name: "purchase", Unit: unit, Time: at(float64(i) + 1), Properties: map[string]any{"amount": 10 + i, "account": unit}},
		)
	}
	return evs
}

// faultyHealthEvents inject one or more of each fault the store can hold.
func faultyHealthEvents() []events.Event {
	exp := func(id, unit string, h float64, props map[string]any) events.Event {
		props["experiment"] = "exp1"
		if unit != "" {
			props["account"] = unit
		}
		return events.Event{ID: id, Name: "exposure", Unit: "someone", Time: at(h), Properties: props}
	}
	buy := func(id string, h float64, props map[string]any) events.Event {
		props["account"] = "u03"
		return events.Event{ID: id, Name: "purchase", Unit: "u03", Time: at(h), Properties: props}
	}
	return []events.Event{
		exp("unknown-1", "k1", 5, map[string]any{"arm": "treatmnet"}),
		exp("unknown-2", "k2", 6, map[string]any{"arm": "treatmnet"}),
		exp("noarm-1", "m1", 7, map[string]any{}),
		exp("nounit-1", "", 8, map[string]any{"arm": "control"}),
		exp("multi-1", "u00", 30, map[string]any{"arm": "treatment"}),
		exp("early-1", "e1", -2, map[string]any{"arm": "control"}),
		// Another experiment's exposure is not this one's unknown arm.
		{ID: "other-1", Name: "exposure", Unit: "o1", Time: at(9), Properties: map[string]any{"experiment": "exp2", "arm": "zzz", "account": "o1"}},
		buy("future-1", 241, map[string]any{"amount": 1}),
		buy("skewed-1", 240+1.0/60, map[string]any{"amount": 1}), // within the 5m skew: not future
		buy("noamount-1", 50, map[string]any{}),
		buy("textamount-1", 51, map[string]any{"amount": "12.5"}),
		buy("boolamount-1", 52, map[string]any{"amount": true}),
	}
}

func health(t *testing.T, s *Store, sc events.Scope, req events.HealthRequest) events.HealthReport {
	t.Helper()
	r, err := s.Health(context.Background(), sc, req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestHealthCleanDataRaisesNothing(t *testing.T) {
	s := openMem(t)
	mustAppend(t, s, goodHealthEvents()...)
	r := health(t, s, healthScope(), healthRequest())
	if r.Exposures != 20 || r.ExposedUnits != 20 || r.Events != 40 {
		t.Errorf("denominators = %d exposures, %d units, %d events; want 20, 20, 40", r.Exposures, r.ExposedUnits, r.Events)
	}
	for name, c := range map[string]events.HealthCount{
		"unknown arm": r.UnknownArm, "missing unit": r.MissingUnit, "missing arm": r.MissingArm,
		"multi-arm": r.MultiArmUnits, "before start": r.BeforeStart, "future": r.Future, "duplicates": r.Duplicates,
		"missing amount": r.Properties[0].Missing, "non-numeric amount": r.Properties[0].NonNumeric,
	} {
		if c.Count != 0 || len(c.Examples) != 0 {
			t.Errorf("%s = %+v on clean data", name, c)
		}
	}
	if r.DuplicatesChecked {
		t.Error("DuckDB cannot hold duplicate ids, yet duplicates are reported as checked")
	}
	if want := at(20); !r.Watermark.Equal(want) {
		t.Errorf("watermark = %v, want the last purchase %v", r.Watermark, want)
	}
	if r.Properties[0].Events != 20 {
		t.Errorf("purchases = %d, want 20", r.Properties[0].Events)
	}
}

func TestHealthDetectsEachFault(t *testing.T) {
	s := openMem(t)
	mustAppend(t, s, goodHealthEvents()...)
	mustAppend(t, s, faultyHealthEvents()...)
	r := health(t, s, healthScope(), healthRequest())

	// 20 good + unknown 2 + missing arm + missing unit + second arm.
	if r.Exposures != 25 || r.ExposedUnits != 23 {
		t.Errorf("exposures %d, exposed units %d; want 25 and 23 (u00-u19, k1, k2, m1)", r.Exposures, r.ExposedUnits)
	}
	// Exposures of both experiments in the window (26) and purchases (23).
	if r.Events != 49 {
		t.Errorf("checked events = %d, want 49", r.Events)
	}
	checkCount(t, "unknown arm", r.UnknownArm, 2, []string{"unknown-1", "unknown-2"})
	if r.UnknownArm.Examples[0].Value != "treatmnet" || r.UnknownArm.Examples[0].Unit != "k1" {
		t.Errorf("unknown arm example = %+v, want unit k1 with value treatmnet", r.UnknownArm.Examples[0])
	}
	checkCount(t, "missing arm", r.MissingArm, 1, []string{"noarm-1"})
	checkCount(t, "missing unit", r.MissingUnit, 1, []string{"nounit-1"})
	checkCount(t, "before start", r.BeforeStart, 1, []string{"early-1"})
	checkCount(t, "future", r.Future, 1, []string{"future-1"})
	checkCount(t, "missing amount", r.Properties[0].Missing, 1, []string{"noamount-1"})
	checkCount(t, "non-numeric amount", r.Properties[0].NonNumeric, 2, []string{"textamount-1", "boolamount-1"})
	if r.Properties[0].NonNumeric.Examples[0].Value != `"12.5"` {
		t.Errorf("non-numeric example value = %q, want the JSON text \"12.5\"", r.Properties[0].NonNumeric.Examples[0].Value)
	}
	if r.Properties[0].Events != 23 {
		t.Errorf("purchases in the window = %d, want 23", r.Properties[0].Events)
	}
	if r.MultiArmUnits.Count != 1 || len(r.MultiArmUnits.Examples) != 1 ||
		r.MultiArmUnits.Examples[0].Unit != "u00" || r.MultiArmUnits.Examples[0].Value != "control,treatment" {
		t.Errorf("multi-arm = %+v, want unit u00 with control,treatment", r.MultiArmUnits)
	}
	if want := at(240 + 1.0/60); !r.Watermark.Equal(want) {
		t.Errorf("watermark = %v, want %v (the future event must not move it)", r.Watermark, want)
	}
}

func TestHealthExamplesAreCapped(t *testing.T) {
	s := openMem(t)
	var evs []events.Event
	for i := range 9 {
		evs = append(evs, events.Event{ID: fmt.Sprintf("bad-%d", i), Name: "exposure", Unit: "u", Time: at(float64(i)),
			Properties: map[string]any{"experiment": "exp1", "arm": "nope", "account": fmt.Sprintf("u%d", i)}})
	}
	mustAppend(t, s, evs...)
	req := healthRequest()
	req.Examples = 3
	r := health(t, s, healthScope(), req)
	checkCount(t, "unknown arm", r.UnknownArm, 9, []string{"bad-0", "bad-1", "bad-2"})
	req.Examples = 0
	r = health(t, s, healthScope(), req)
	if len(r.UnknownArm.Examples) != events.DefaultHealthExamples {
		t.Errorf("%d examples by default, want %d", len(r.UnknownArm.Examples), events.DefaultHealthExamples)
	}
}

func TestHealthRejectsBadRequests(t *testing.T) {
	s := openMem(t)
	for name, mutate := range map[string]func(*events.HealthRequest){
		"no now":        func(r *events.HealthRequest) { r.Now = time.Time{} },
		"negative skew": func(r *events.HealthRequest) { r.ClockSkew = -time.Second },
		"no property":   func(r *events.HealthRequest) { r.Properties[0].Property = "" },
		"too many":      func(r *events.HealthRequest) { r.Examples = events.MaxHealthExamples + 1 },
	} {
		req := healthRequest()
		mutate(&req)
		if _, err := s.Health(context.Background(), healthScope(), req); err == nil || !strings.Contains(err.Error(), "health request") {
			t.Errorf("%s: err = %v, want a health request error", name, err)
		}
	}
}

// checkCount compares a count and the ids of its examples.
func checkCount(t *testing.T, name string, c events.HealthCount, want int64, ids []string) {
	t.Helper()
	var got []string
	for _, e := range c.Examples {
		got = append(got, e.ID)
	}
	if c.Count != want || strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("%s: count %d examples %v; want %d with %v", name, c.Count, got, want, ids)
	}
}
