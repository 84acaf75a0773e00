package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

const decisionPlan = `
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
  - {name: ramp, weights: {control: 0.9, treatment: 0.1}, min_duration: 2h, min_units_per_arm: 500, start: 2026-11-01T01:00:00Z}
  - {name: half, weights: {control: 0.5, treatment: 0.5}, min_duration: 24h, start: 2026-11-01T10:00:00Z}
`

func mustPlan(t *testing.T, src string) *plan.Plan {
	t.Helper()
	p, err := plan.Parse([]byte(src), "test.yaml")
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return p
}

func healthyAssignment(units int64) assignment {
	return assignment{
		arms:        []ArmResult{{Name: "control", Units: units}, {Name: "treatment", Units: units}},
		srm:         SRMResult{PValue: 0.5, Threshold: 0.001},
		unitsPerArm: map[string]int64{"control": units, "treatment": units},
	}
}

func results(verdicts map[string]stats.Verdict) []MetricResult {
	roles := map[string]string{"conv": "primary", "rev": "secondary", "errs": "guardrail"}
	var out []MetricResult
	for _, m := range []string{"conv", "rev", "errs"} {
		v, ok := verdicts[m]
		if !ok {
			v = stats.Inconclusive
		}
		out = append(out, MetricResult{Metric: m, Role: roles[m], Arm: "treatment", Verdict: v,
			Relative: &Effect{Estimate: -0.1, CILower: -0.2, CIUpper: -0.06}})
	}
	return out
}

func TestDecide(t *testing.T) {
	p := mustPlan(t, decisionPlan)
	sched := p.Schedule()
	start := p.Start
	cases := []struct {
		name       string
		at         time.Time
		a          assignment
		verdicts   map[string]stats.Verdict
		wantAction string
		wantStage  string
		wantReason string
	}{
		{"harmful guardrail rolls back even in the canary", start.Add(10 * time.Minute), healthyAssignment(10), map[string]stats.Verdict{"errs": stats.Harmful}, ActionRollback, "canary", "guardrail metric errs is harmful"},
		{"harmful primary rolls back", start.Add(40 * time.Hour), healthyAssignment(5000), map[string]stats.Verdict{"conv": stats.Harmful}, ActionRollback, "half", "primary metric conv is harmful"},
		{"harmful secondary does not roll back", start.Add(40 * time.Hour), healthyAssignment(5000), map[string]stats.Verdict{"rev": stats.Harmful}, ActionProceed, "half", "complete the rollout"},
		{"stage too young holds", start.Add(90 * time.Minute), healthyAssignment(5000), nil, ActionHold, "ramp", "minimum 2h0m0s"},
		{"stage unit gate holds", start.Add(4 * time.Hour), healthyAssignment(300), nil, ActionHold, "ramp", "stage ramp needs 500"},
		{"srm holds", start.Add(40 * time.Hour), func() assignment { a := healthyAssignment(5000); a.srm.Mismatch = true; a.srm.PValue = 1e-6; return a }(), nil, ActionHold, "half", "sample ratio mismatch"},
		{"insufficient guardrail holds", start.Add(40 * time.Hour), healthyAssignment(5000), map[string]stats.Verdict{"errs": stats.InsufficientData}, ActionHold, "half", "insufficient data"},
		{"insufficient secondary does not hold", start.Add(40 * time.Hour), healthyAssignment(5000), map[string]stats.Verdict{"rev": stats.InsufficientData}, ActionProceed, "half", ""},
		{"gates met proceeds to the next stage", start.Add(4 * time.Hour), healthyAssignment(600), nil, ActionProceed, "ramp", "proceed to half"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := decide(p, sched, c.at, c.a, results(c.verdicts))
			if d.Action != c.wantAction || d.Stage != c.wantStage {
				t.Fatalf("got %s at %s (%v), want %s at %s", d.Action, d.Stage, d.Reasons, c.wantAction, c.wantStage)
			}
			if c.wantReason != "" && !strings.Contains(strings.Join(d.Reasons, "; "), c.wantReason) {
				t.Fatalf("reasons %q lack %q", d.Reasons, c.wantReason)
			}
			if len(d.Reasons) == 0 {
				t.Fatal("a decision must always say why")
			}
		})
	}
}

func TestCorrectionDowngradesOnlyTheFamily(t *testing.T) {
	rs := []MetricResult{
		{Metric: "a", Role: "primary", PValue: 0.03, Verdict: stats.Beneficial},
		{Metric: "b", Role: "secondary", PValue: 0.04, Verdict: stats.Beneficial},
		{Metric: "c", Role: "secondary", PValue: 0.5, Verdict: stats.Inconclusive},
		{Metric: "g", Role: "guardrail", PValue: 0.02, Verdict: stats.Harmful},
		{Metric: "i", Role: "primary", PValue: 1, Verdict: stats.InsufficientData},
	}
	if err := applyCorrection(rs, []int{0, 1, 2, 3, 4}, "holm", 0.05); err != nil {
		t.Fatal(err)
	}
	// Holm over the three verdict-bearing primary/secondary p-values
	// (R: p.adjust(c(0.03, 0.04, 0.5), "holm") = 0.09 0.09 0.5).
	want := []float64{0.09, 0.09, 0.5, 0.02, 1}
	for i, w := range want {
		if diff := rs[i].AdjustedPValue - w; diff > 1e-12 || diff < -1e-12 {
			t.Errorf("%s: adjusted p %v, want %v", rs[i].Metric, rs[i].AdjustedPValue, w)
		}
	}
	if rs[0].Verdict != stats.Inconclusive || rs[1].Verdict != stats.Inconclusive {
		t.Errorf("verdicts not downgraded after correction: %v %v", rs[0].Verdict, rs[1].Verdict)
	}
	if rs[3].Verdict != stats.Harmful {
		t.Errorf("guardrail verdict changed by the correction: %v", rs[3].Verdict)
	}
}
