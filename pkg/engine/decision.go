package engine

import (
	"fmt"
	"time"

	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// decide is the overall stage decision: the gate of the stage in force at
// `at`. It is stageGate itself, so the decision and the stage gates of a
// result cannot disagree.
func decide(p *plan.Plan, schedule []plan.ScheduledStage, at time.Time, a assignment, results []MetricResult) Decision {
	return stageGate(p, schedule, currentStage(schedule, at), at, a, results)
}

// stageGate answers "may stage end now?": the question a rollout
// controller asks before it raises traffic past stage, wherever the plan's
// schedule says the rollout is. In order of precedence:
//   - rollback when a guardrail or primary metric is harmful in any arm,
//     whatever the stage: a trustworthy harmful verdict is the reason the
//     gate exists;
//   - hold when the data cannot be trusted (sample-ratio mismatch), when a
//     primary or guardrail metric has too little data, when stage has not
//     begun or not run for its minimum duration, or when an arm has fewer
//     units than stage requires;
//   - proceed otherwise, to the stage after it (none after the last: the
//     rollout is complete). Inconclusive guardrails do not block: as in
//     GrowthBook's safe rollouts, absence of evidence of harm after the
//     planned exposure is the bar a ramp has to clear.
//
// Segment results never decide: they are views of the same units.
func stageGate(p *plan.Plan, schedule []plan.ScheduledStage, stage plan.ScheduledStage, at time.Time, a assignment, results []MetricResult) Decision {
	d := Decision{Stage: stage.Name}
	if stage.Index+1 < len(schedule) {
		d.NextStage = schedule[stage.Index+1].Name
	}

	for _, r := range results {
		if r.SegmentValue != nil {
			continue
		}
		if r.Verdict == stats.Harmful && (r.Role == plan.RoleGuardrail || r.Role == plan.RolePrimary) {
			d.Reasons = append(d.Reasons, fmt.Sprintf("%s metric %s is harmful in %s: %s", r.Role, r.Metric, r.Arm, describeEffect(r)))
		}
	}
	if len(d.Reasons) > 0 {
		d.Action = ActionRollback
		return d
	}

	if a.srm.Mismatch {
		d.Reasons = append(d.Reasons, fmt.Sprintf("sample ratio mismatch: p = %.3g < %.3g; fix assignment before trusting any verdict", a.srm.PValue, a.srm.Threshold))
	}
	for _, r := range results {
		if r.SegmentValue == nil && r.Verdict == stats.InsufficientData && r.Role != plan.RoleSecondary {
			d.Reasons = append(d.Reasons, fmt.Sprintf("%s metric %s in %s has insufficient data: %s", r.Role, r.Metric, r.Arm, r.Reason))
		}
	}
	switch {
	case at.Before(stage.Start):
		d.Reasons = append(d.Reasons, fmt.Sprintf("stage %s begins at %s", stage.Name, stage.Start.UTC().Format(time.RFC3339)))
	case at.Before(stage.Start.Add(stage.MinDuration)):
		d.Reasons = append(d.Reasons, fmt.Sprintf("stage %s has run %s of its minimum %s", stage.Name, at.Sub(stage.Start).Round(time.Second), stage.MinDuration))
	}
	minUnits := stage.MinUnitsPerArm
	if minUnits == 0 {
		minUnits = p.Analysis.MinUnitsPerArm
	}
	for _, arm := range a.arms {
		if arm.Units < int64(minUnits) {
			d.Reasons = append(d.Reasons, fmt.Sprintf("arm %s has %d units, stage %s needs %d", arm.Name, arm.Units, stage.Name, minUnits))
		}
	}
	if len(d.Reasons) > 0 {
		d.Action = ActionHold
		return d
	}

	d.Action = ActionProceed
	if d.NextStage != "" {
		d.Reasons = append(d.Reasons, fmt.Sprintf("no harm detected; stage %s met its duration and unit gates: proceed to %s", stage.Name, d.NextStage))
	} else {
		d.Reasons = append(d.Reasons, fmt.Sprintf("no harm detected; final stage %s met its gates: complete the rollout", stage.Name))
	}
	return d
}

// stageGates is the gate of every scheduled stage, in schedule order, with
// data health applied as to the overall decision.
func stageGates(p *plan.Plan, schedule []plan.ScheduledStage, at time.Time, a assignment, results []MetricResult, health *HealthResult) []StageGate {
	gates := make([]StageGate, len(schedule))
	for i, s := range schedule {
		gates[i] = StageGate{Stage: s.Name, Decision: holdOnHealth(health, stageGate(p, schedule, s, at, a, results))}
	}
	return gates
}

// currentStage is the stage in force at t.
func currentStage(schedule []plan.ScheduledStage, t time.Time) plan.ScheduledStage {
	cur := schedule[0]
	for _, s := range schedule {
		if !s.Start.After(t) {
			cur = s
		}
	}
	return cur
}

// describeEffect renders the evidence behind a verdict for a reason line.
func describeEffect(r MetricResult) string {
	if r.Relative != nil {
		return fmt.Sprintf("relative effect %+.2f%% [%+.2f%%, %+.2f%%]", 100*r.Relative.Estimate, 100*r.Relative.CILower, 100*r.Relative.CIUpper)
	}
	return fmt.Sprintf("absolute effect %.4g [%.4g, %.4g]", r.Absolute.Estimate, r.Absolute.CILower, r.Absolute.CIUpper)
}
