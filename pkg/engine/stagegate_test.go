package engine

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/stats"
)

// durationsOnlyPlan is decisionPlan without explicit stage starts: each
// stage begins when the previous one's min_duration ends (canary 0–1h, ramp
// 1h–3h, half from 3h), so the stage in force never has met its own minimum
// except the last. This is the plan shape a rollout controller stalls on
// when it can only ask about the stage in force.
const durationsOnlyPlan = `
id: gate-test
start: 2026-11-01T00:00:00Z
control: control
arms: [{name: control, weight: 0.5}, {name: treatment, weight: 0.5}]
exposure: {event: viewed, experiment_property: exp, arm_property: arm}
analysis: {min_units_per_arm: 100}
metrics:
  - {name: conv, role: primary, kind: conversion, event: buy, direction: increase}
  - {name: rev, role: secondary, kind: mean, event: buy, property: amount, direction: increase}
  - {name: errs, role: guardrail, kind: ratio, numerator: {event: err}, denominator: {event: session}, direction: decrease, margin: {relative: 0.05}}
stages:
  - {name: canary, weights: {control: 0.99, treatment: 0.01}, min_duration: 1h}
  - {name: ramp, weights: {control: 0.9, treatment: 0.1}, min_duration: 2h, min_units_per_arm: 500}
  - {name: half, weights: {control: 0.5, treatment: 0.5}, min_duration: 24h}
`

// gateNamed returns the gate of stage name, failing when it is missing.
func gateNamed(t *testing.T, gates []StageGate, name string) Decision {
	t.Helper()
	for _, g := range gates {
		if g.Stage == name {
			if g.Decision.Stage != name {
				t.Fatalf("gate listed as %s answers for stage %s", name, g.Decision.Stage)
			}
			return g.Decision
		}
	}
	t.Fatalf("no gate for stage %s in %+v", name, gates)
	return Decision{}
}

func reasonsContain(d Decision, want string) bool {
	return strings.Contains(strings.Join(d.Reasons, "; "), want)
}

func okHealth() *HealthResult { return &HealthResult{Status: HealthOK} }

// TestStageGatesInARampOfADurationsOnlyPlan: 90 minutes in, the schedule
// has the rollout in ramp. A controller still at the canary may leave it
// (the canary ran its hour with enough units); ramp has not run its two
// hours; half has not begun. The overall decision is ramp's gate.
func TestStageGatesInARampOfADurationsOnlyPlan(t *testing.T) {
	p := mustPlan(t, durationsOnlyPlan)
	sched := p.Schedule()
	at := p.Start.Add(90 * time.Minute)
	a, rs := healthyAssignment(600), results(nil)
	gates := stageGates(p, sched, at, a, rs, okHealth())

	var names []string
	for _, g := range gates {
		names = append(names, g.Stage)
	}
	if !slices.Equal(names, []string{"canary", "ramp", "half"}) {
		t.Fatalf("gates for %v, want one per stage in schedule order", names)
	}

	canary := gateNamed(t, gates, "canary")
	if canary.Action != ActionProceed || canary.NextStage != "ramp" || !reasonsContain(canary, "proceed to ramp") {
		t.Errorf("canary gate = %+v, want proceed to ramp", canary)
	}
	ramp := gateNamed(t, gates, "ramp")
	if ramp.Action != ActionHold || ramp.NextStage != "half" || !reasonsContain(ramp, "stage ramp has run 30m0s of its minimum 2h0m0s") {
		t.Errorf("ramp gate = %+v, want hold: 30 minutes of its 2h minimum", ramp)
	}
	half := gateNamed(t, gates, "half")
	if half.Action != ActionHold || half.NextStage != "" || !reasonsContain(half, "stage half begins at 2026-11-01T03:00:00Z") {
		t.Errorf("half gate = %+v, want hold: begins at 03:00", half)
	}
	if reasonsContain(half, "has run") {
		t.Errorf("half gate %q reports a run time for a stage that has not begun", half.Reasons)
	}

	if d := decide(p, sched, at, a, rs); !reflect.DeepEqual(d, ramp) {
		t.Errorf("overall decision %+v differs from the gate of ramp, the stage in force: %+v", d, ramp)
	}
}

// TestFinalStageGateCompletesTheRollout: once half has run its 24 hours its
// gate proceeds with no next stage, and the earlier stages' gates proceed
// to the stage after each.
func TestFinalStageGateCompletesTheRollout(t *testing.T) {
	p := mustPlan(t, durationsOnlyPlan)
	gates := stageGates(p, p.Schedule(), p.Start.Add(27*time.Hour), healthyAssignment(600), results(nil), okHealth())
	want := map[string]string{"canary": "ramp", "ramp": "half", "half": ""}
	for _, g := range gates {
		if g.Decision.Action != ActionProceed || g.Decision.NextStage != want[g.Stage] {
			t.Errorf("gate %s = %+v, want proceed to %q", g.Stage, g.Decision, want[g.Stage])
		}
	}
	if half := gateNamed(t, gates, "half"); !reasonsContain(half, "complete the rollout") {
		t.Errorf("final gate reasons %q do not say the rollout is complete", half.Reasons)
	}
}

// TestHarmfulGuardrailRollsBackEveryStage: harm is a reason to stop
// whichever stage the controller is in, before, during or after the
// schedule has it in force.
func TestHarmfulGuardrailRollsBackEveryStage(t *testing.T) {
	p := mustPlan(t, durationsOnlyPlan)
	sched := p.Schedule()
	for _, h := range []float64{0.25, 1.5, 4, 30} {
		at := p.Start.Add(time.Duration(h * float64(time.Hour)))
		gates := stageGates(p, sched, at, healthyAssignment(10), results(map[string]stats.Verdict{"errs": stats.Harmful}), okHealth())
		if len(gates) != len(sched) {
			t.Fatalf("%gh: %d gates for %d stages", h, len(gates), len(sched))
		}
		for _, g := range gates {
			if g.Decision.Action != ActionRollback || !reasonsContain(g.Decision, "guardrail metric errs is harmful in treatment") {
				t.Errorf("%gh: gate %s = %+v, want rollback naming the guardrail", h, g.Stage, g.Decision)
			}
		}
	}
}

// TestSegmentHarmDoesNotRollBackAStage: a segment's result is a view of
// units the overall result already counts; it never decides a gate.
func TestSegmentHarmDoesNotRollBackAStage(t *testing.T) {
	p := mustPlan(t, durationsOnlyPlan)
	rs := results(nil)
	ios := "ios"
	rs = append(rs, MetricResult{Metric: "errs", Role: "guardrail", Arm: "treatment", SegmentValue: &ios, Verdict: stats.Harmful,
		Relative: &Effect{Estimate: 0.3, CILower: 0.2, CIUpper: 0.4}})
	gates := stageGates(p, p.Schedule(), p.Start.Add(27*time.Hour), healthyAssignment(600), rs, okHealth())
	for _, g := range gates {
		if g.Decision.Action != ActionProceed {
			t.Errorf("gate %s = %+v: a segment result decided it", g.Stage, g.Decision)
		}
	}
}

// TestStageUnitGateHoldsThatStageOnly: 300 units per arm satisfy the plan's
// 100 but not ramp's own 500. Four hours in, ramp has run its two hours, so
// units are the only thing holding it; the canary may end.
func TestStageUnitGateHoldsThatStageOnly(t *testing.T) {
	p := mustPlan(t, durationsOnlyPlan)
	gates := stageGates(p, p.Schedule(), p.Start.Add(4*time.Hour), healthyAssignment(300), results(nil), okHealth())
	ramp := gateNamed(t, gates, "ramp")
	if ramp.Action != ActionHold {
		t.Fatalf("ramp gate = %+v, want hold", ramp)
	}
	for _, arm := range []string{"control", "treatment"} {
		if !reasonsContain(ramp, "arm "+arm+" has 300 units, stage ramp needs 500") {
			t.Errorf("ramp gate reasons %q do not name arm %s and the stage's 500", ramp.Reasons, arm)
		}
	}
	if reasonsContain(ramp, "minimum") {
		t.Errorf("ramp gate reasons %q mention its duration, which it has met", ramp.Reasons)
	}
	if canary := gateNamed(t, gates, "canary"); canary.Action != ActionProceed {
		t.Errorf("canary gate = %+v, want proceed: 300 units meet its 100", canary)
	}
}

// TestBlockingHealthHoldsEveryStage: data the health checks reject can
// justify neither a ramp nor a rollback, whichever stage is asked about.
func TestBlockingHealthHoldsEveryStage(t *testing.T) {
	p := mustPlan(t, durationsOnlyPlan)
	h := &HealthResult{Status: HealthBlock, Checks: []HealthCheck{{Name: "unknown_arm", Status: HealthBlock, Message: "12% of exposures name no planned arm"}}}
	gates := stageGates(p, p.Schedule(), p.Start.Add(27*time.Hour), healthyAssignment(600), results(nil), h)
	for _, g := range gates {
		if g.Decision.Action != ActionHold || !reasonsContain(g.Decision, "data health: 12% of exposures") || reasonsContain(g.Decision, "no harm detected") {
			t.Errorf("gate %s = %+v, want hold on data health", g.Stage, g.Decision)
		}
	}
}

// TestDecisionIsTheGateOfTheStageInForce sweeps the schedule in 10-minute
// steps, with the unit counts and verdicts that lead to each action, and
// checks that the overall decision is always the gate of the stage
// plan.StageAt (the plan package's own reading of the schedule) names.
func TestDecisionIsTheGateOfTheStageInForce(t *testing.T) {
	p := mustPlan(t, durationsOnlyPlan)
	sched := p.Schedule()
	inputs := []struct {
		name     string
		a        assignment
		verdicts map[string]stats.Verdict
	}{
		{"no harm, enough units", healthyAssignment(600), nil},
		{"too few units for ramp", healthyAssignment(300), nil},
		{"too few units for any stage", healthyAssignment(20), nil},
		{"insufficient guardrail", healthyAssignment(600), map[string]stats.Verdict{"errs": stats.InsufficientData}},
		{"harmful primary", healthyAssignment(600), map[string]stats.Verdict{"conv": stats.Harmful}},
	}
	actions := map[string]int{}
	for _, in := range inputs {
		for at := p.Start.Add(-time.Hour); !at.After(p.Start.Add(30 * time.Hour)); at = at.Add(10 * time.Minute) {
			rs := results(in.verdicts)
			gates := stageGates(p, sched, at, in.a, rs, okHealth())
			inForce := p.StageAt(at).Name
			want := gateNamed(t, gates, inForce)
			got := holdOnHealth(okHealth(), decide(p, sched, at, in.a, rs))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s at %s: decision %+v, gate of %s (in force) %+v", in.name, at.Format(time.RFC3339), got, inForce, want)
			}
			actions[got.Action]++
		}
	}
	// The sweep must see every action, or it proves little.
	for _, a := range []string{ActionProceed, ActionHold, ActionRollback} {
		if actions[a] == 0 {
			t.Errorf("the sweep never saw %s: %v", a, actions)
		}
	}
}

// TestStageGatesJSON: the wire names other tools read, and the decision's
// own shape unchanged inside each gate.
func TestStageGatesJSON(t *testing.T) {
	res := Result{
		Decision:   Decision{Stage: "ramp", NextStage: "half", Action: ActionHold, Reasons: []string{"r"}},
		StageGates: []StageGate{{Stage: "ramp", Decision: Decision{Stage: "ramp", NextStage: "half", Action: ActionHold, Reasons: []string{"r"}}}},
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Decision   map[string]any `json:"decision"`
		StageGates []struct {
			Stage    string         `json:"stage"`
			Decision map[string]any `json:"decision"`
		} `json:"stage_gates"`
	}
	if err := json.Unmarshal(data, &decoded); err != nil {
		t.Fatal(err)
	}
	wantDecision := map[string]any{"stage": "ramp", "next_stage": "half", "action": "hold", "reasons": []any{"r"}}
	if !reflect.DeepEqual(decoded.Decision, wantDecision) {
		t.Errorf("decision JSON %v, want %v", decoded.Decision, wantDecision)
	}
	if len(decoded.StageGates) != 1 || decoded.StageGates[0].Stage != "ramp" || !reflect.DeepEqual(decoded.StageGates[0].Decision, wantDecision) {
		t.Errorf("stage_gates JSON %s", data)
	}
}

// TestTableListsStageGates: the CLI's table shows each stage's gate with
// its first reason, and leaves the list out on rollback (every gate says
// rollback) and for a single-stage plan.
func TestTableListsStageGates(t *testing.T) {
	p := mustPlan(t, durationsOnlyPlan)
	at := p.Start.Add(90 * time.Minute)
	a, rs := healthyAssignment(600), results(nil)
	r := &Result{Experiment: p.ID, Decision: decide(p, p.Schedule(), at, a, rs),
		StageGates: stageGates(p, p.Schedule(), at, a, rs, okHealth())}
	var b strings.Builder
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Stage gates (may the stage end now?):",
		"canary       PROCEED: no harm detected; stage canary met its duration and unit gates: proceed to ramp",
		"ramp         HOLD: stage ramp has run 30m0s of its minimum 2h0m0s",
		"half         HOLD: stage half begins at 2026-11-01T03:00:00Z",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	r.Decision.Action = ActionRollback
	b.Reset()
	if err := WriteTable(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Stage gates") {
		t.Errorf("on rollback the table still lists stage gates:\n%s", b.String())
	}
}
