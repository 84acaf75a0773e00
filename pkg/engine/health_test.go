package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

var healthStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const healthPlanYAML = `id: hx
start: 2026-01-01T00:00:00Z
control: control
arms: [{name: control, weight: 0.5}, {name: treatment, weight: 0.5}]
exposure: {event: exposure, experiment_property: experiment, arm_property: arm}
analysis: {sequential: false, min_units_per_arm: 10}
metrics:
  - {name: conv, role: primary, kind: conversion, event: purchase, direction: increase}
  - {name: revenue, role: secondary, kind: mean, event: purchase, property: amount, direction: increase}
`

func healthPlan(t *testing.T, extra string) *plan.Plan {
	t.Helper()
	p, err := plan.Parse([]byte(healthPlanYAML+extra), "hx.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func hoursAfterStart(h float64) time.Time {
	return healthStart.Add(time.Duration(h * float64(time.Hour)))
}

// healthGoodEvents: 400 units in alternating arms exposed over the first
// 20 hours; every fifth unit of each arm buys (20% in both arms).
func healthGoodEvents() []events.Event {
	var evs []events.Event
	for i := range 400 {
		unit := fmt.Sprintf("u%03d", i)
		arm := []string{"control", "treatment"}[i%2]
		ts := hoursAfterStart(float64(i) / 20)
		evs = append(evs, events.Event{ID: "x" + unit, Name: "exposure", Unit: unit, Time: ts, Properties: map[string]any{"experiment": "hx", "arm": arm}})
		if (i/2)%5 == 0 {
			evs = append(evs, events.Event{ID: "p" + unit, Name: "purchase", Unit: unit, Time: ts.Add(time.Minute), Properties: map[string]any{"amount": 10}})
		}
	}
	return evs
}

func healthStore(t *testing.T, evs ...[]events.Event) *duckdb.Store {
	t.Helper()
	s, err := duckdb.OpenWithOptions("", duckdb.Options{MemoryLimitMiB: 256, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for _, batch := range evs {
		if _, err := s.Append(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func analyzeAt(t *testing.T, p *plan.Plan, src events.Source, opts engine.Options) *engine.Result {
	t.Helper()
	if opts.At.IsZero() {
		opts.At = hoursAfterStart(48)
	}
	r, err := engine.Analyze(context.Background(), p, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func findCheck(h *engine.HealthResult, name string) *engine.HealthCheck {
	for i := range h.Checks {
		if h.Checks[i].Name == name {
			return &h.Checks[i]
		}
	}
	return nil
}

func TestHealthCleanDataIsOK(t *testing.T) {
	r := analyzeAt(t, healthPlan(t, ""), healthStore(t, healthGoodEvents()), engine.Options{})
	h := r.Health
	if h == nil || h.Status != engine.HealthOK {
		t.Fatalf("health = %+v, want ok", h)
	}
	for _, c := range h.Checks {
		if c.Status != engine.HealthOK || c.Count != 0 {
			t.Errorf("check %s %s on clean data: %s", c.Name, c.Status, c.Message)
		}
	}
	last := hoursAfterStart(399.0 / 20) // the last exposure
	if h.Watermark == nil || !h.Watermark.Equal(last) {
		t.Errorf("watermark = %v, want %v", h.Watermark, last)
	}
	if !h.DataEnd.Equal(last.Add(time.Microsecond)) {
		t.Errorf("data end = %v, want just after the watermark", h.DataEnd)
	}
	for _, m := range r.Results {
		if m.Verdict == stats.InsufficientData {
			t.Errorf("%s: insufficient_data on clean data: %s", m.Metric, m.Reason)
		}
	}
	if units := r.Arms[0].Units + r.Arms[1].Units; units != 400 {
		t.Errorf("%d units counted up to the watermark, want all 400", units)
	}
}

// unknownArmEvents are n exposures with a misspelt arm.
func unknownArmEvents(n int) []events.Event {
	var evs []events.Event
	for i := range n {
		evs = append(evs, events.Event{ID: fmt.Sprintf("bad%02d", i), Name: "exposure", Unit: fmt.Sprintf("k%02d", i),
			Time: hoursAfterStart(float64(i) / 10), Properties: map[string]any{"experiment": "hx", "arm": "treatmnet"}})
	}
	return evs
}

func TestHealthBlockWithholdsVerdicts(t *testing.T) {
	// 12 of 412 exposures (2.9%) name no planned arm: above the 1% default.
	r := analyzeAt(t, healthPlan(t, ""), healthStore(t, healthGoodEvents(), unknownArmEvents(12)), engine.Options{})
	c := findCheck(r.Health, plan.CheckUnknownArm)
	if c == nil || c.Status != engine.HealthBlock || c.Count != 12 || c.Total != 412 || len(c.Examples) != events.DefaultHealthExamples {
		t.Fatalf("unknown_arm check = %+v, want block with 12 of 412 and 5 examples", c)
	}
	if c.Examples[0].ID != "bad00" || c.Examples[0].Value != "treatmnet" {
		t.Errorf("first example = %+v, want bad00 with treatmnet", c.Examples[0])
	}
	if r.Health.Status != engine.HealthBlock {
		t.Errorf("status = %s, want block", r.Health.Status)
	}
	for _, m := range r.Results {
		if m.Verdict != stats.InsufficientData || !strings.Contains(m.Reason, "unknown_arm") {
			t.Errorf("%s: verdict %s (%s), want insufficient_data naming unknown_arm", m.Metric, m.Verdict, m.Reason)
		}
	}
	if r.Decision.Action != engine.ActionHold || !strings.Contains(r.Decision.Reasons[0], "unknown arm") && !strings.Contains(r.Decision.Reasons[0], "arm value the plan does not name") {
		t.Errorf("decision = %+v, want hold led by the health reason", r.Decision)
	}
	var table bytes.Buffer
	if err := engine.WriteTable(&table, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Data health: BLOCK", "BLOCK unknown_arm: 12 of 412", "e.g. id bad00"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
}

func TestHealthWarnKeepsVerdicts(t *testing.T) {
	p := healthPlan(t, "health:\n  unknown_arm: {warn: 0.001, block: 0.05}\n")
	r := analyzeAt(t, p, healthStore(t, healthGoodEvents(), unknownArmEvents(12)), engine.Options{})
	if c := findCheck(r.Health, plan.CheckUnknownArm); c == nil || c.Status != engine.HealthWarn {
		t.Fatalf("unknown_arm check = %+v, want warn under a 5%% block level", c)
	}
	for _, m := range r.Results {
		if m.Verdict == stats.InsufficientData {
			t.Errorf("%s: a warning withheld the verdict: %s", m.Metric, m.Reason)
		}
	}
}

func TestHealthFutureEventsAndProperties(t *testing.T) {
	future := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second)
	bad := []events.Event{
		{ID: "fut", Name: "purchase", Unit: "u000", Time: future, Properties: map[string]any{"amount": 1}},
		{ID: "txt", Name: "purchase", Unit: "u002", Time: hoursAfterStart(1), Properties: map[string]any{"amount": "ten"}},
	}
	r := analyzeAt(t, healthPlan(t, ""), healthStore(t, healthGoodEvents(), bad), engine.Options{})
	if c := findCheck(r.Health, plan.CheckFutureEvents); c == nil || c.Status != engine.HealthWarn || c.Count != 1 || c.Total != 481 || c.Examples[0].ID != "fut" {
		// 1 of 481 checked events: any future event warns, 1% blocks.
		t.Errorf("future check = %+v, want one future event of 481, a warning", c)
	}
	var nonNumeric *engine.HealthCheck
	for i, c := range r.Health.Checks {
		if c.Name == plan.CheckProperties && strings.Contains(c.Message, "not a number") {
			nonNumeric = &r.Health.Checks[i]
		}
	}
	// 1 of 81 purchases: 1.2%, between the 0.1% warn and 5% block levels.
	if nonNumeric == nil || nonNumeric.Status != engine.HealthWarn || nonNumeric.Count != 1 || nonNumeric.Total != 81 || nonNumeric.Subject != "purchase.amount" {
		t.Errorf("non-numeric amount check = %+v, want warn with 1 of 81", nonNumeric)
	}
	if r.Health.Watermark == nil || r.Health.Watermark.Equal(future) {
		t.Errorf("watermark = %v: a future event must not move it", r.Health.Watermark)
	}
}

func TestSettlingDelayHoldsBackRecentData(t *testing.T) {
	p := healthPlan(t, "health:\n  settling_delay: 10h\n")
	at := hoursAfterStart(20) // settled data: the first 10 hours
	r := analyzeAt(t, p, healthStore(t, healthGoodEvents()), engine.Options{At: at})
	if !r.Health.DataEnd.Equal(hoursAfterStart(10)) {
		t.Errorf("data end = %v, want %v", r.Health.DataEnd, hoursAfterStart(10))
	}
	// Units exposed every 3 minutes: 200 in [0h, 10h).
	if units := r.Arms[0].Units + r.Arms[1].Units; units != 200 {
		t.Errorf("%d units, want the 200 exposed before the settled end", units)
	}
}

func TestLateBatchFlipIsDetected(t *testing.T) {
	p := healthPlan(t, "")
	store := healthStore(t, healthGoodEvents())
	first := analyzeAt(t, p, store, engine.Options{})
	if first.Results[0].Verdict != stats.Inconclusive {
		t.Fatalf("before the late batch conv is %s, want inconclusive", first.Results[0].Verdict)
	}
	// Late purchases of 100 treatment units, stamped before the watermark.
	var late []events.Event
	for i := 1; i < 400; i += 4 {
		unit := fmt.Sprintf("u%03d", i)
		late = append(late, events.Event{ID: "late" + unit, Name: "purchase", Unit: unit, Time: hoursAfterStart(float64(i)/20 + 0.1), Properties: map[string]any{"amount": 10}})
	}
	if _, err := store.Append(context.Background(), late); err != nil {
		t.Fatal(err)
	}
	again := analyzeAt(t, p, store, engine.Options{At: first.EvaluatedAt, DataEnd: first.Health.DataEnd})
	changes := engine.CompareResults(first, again)
	var conv *engine.VerdictChange
	for i := range changes {
		if changes[i].Metric == "conv" && changes[i].Arm == "treatment" {
			conv = &changes[i]
		}
	}
	if conv == nil || conv.Previous != stats.Inconclusive || conv.Current != stats.Beneficial || conv.Policy != plan.LateDataWarn {
		t.Fatalf("changes = %+v, want conv/treatment inconclusive -> beneficial", changes)
	}
	if !conv.DataEnd.Equal(first.Health.DataEnd) {
		t.Errorf("change at %v, want the published window's end %v", conv.DataEnd, first.Health.DataEnd)
	}
	// Nothing changes without late data, and other windows are not compared.
	if c := engine.CompareResults(again, analyzeAt(t, p, store, engine.Options{At: first.EvaluatedAt, DataEnd: first.Health.DataEnd})); len(c) != 0 {
		t.Errorf("same data, same window: %+v", c)
	}
	if c := engine.CompareResults(first, analyzeAt(t, p, store, engine.Options{At: hoursAfterStart(48), DataEnd: hoursAfterStart(5)})); c != nil {
		t.Errorf("different windows compared: %+v", c)
	}
}
