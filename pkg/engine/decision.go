package engine

import (
	"fmt"
	"time"

	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// decide is the stage gate. In order of precedence:
//   - rollback when a guardrail or primary metric is harmful in any arm: a
//     trustworthy harmful verdict is the reason the gate exists;
//   - hold when the data cannot be trusted (sample-ratio mismatch), when a
//     primary or guardrail metric has too little data, when the stage has not
//     run for its minimum duration, or when an arm has fewer units than the
//     stage requires;
//   - proceed otherwise. Inconclusive guardrails do not block: as in
//     GrowthBook's safe rollouts, absence of evidence of harm after the
//     planned exposure is the bar a ramp has to clear.
func decide(p *plan.Plan, schedule []plan.ScheduledStage, at time.Time, a assignment, results []MetricResult) Decision {
	cur := currentStage(schedule, at)
	d := Decision{Stage: cur.Name}
	if cur.Index+1 < len(schedule) {
		d.NextStage = schedule[cur.Index+1].Name
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
	if at.Before(cur.Start.Add(cur.MinDuration)) {
		d.Reasons = append(d.Reasons, fmt.Sprintf("stage %s has run %s of its minimum %s", cur.Name, at.Sub(cur.Start).Round(time.Second), cur.MinDuration))
	}
	minUnits := cur.MinUnitsPerArm
	if minUnits == 0 {
		minUnits = p.Analysis.MinUnitsPerArm
	}
	for _, arm := range a.arms {
		if arm.Units < int64(minUnits) {
			d.Reasons = append(d.Reasons, fmt.Sprintf("arm %s has %d units, stage %s needs %d", arm.Name, arm.Units, cur.Name, minUnits))
		}
	}
	if len(d.Reasons) > 0 {
		d.Action = ActionHold
		return d
	}

	d.Action = ActionProceed
	if d.NextStage != "" {
		d.Reasons = append(d.Reasons, fmt.Sprintf("no harm detected; stage %s met its duration and unit gates: proceed to %s", cur.Name, d.NextStage))
	} else {
		d.Reasons = append(d.Reasons, fmt.Sprintf("no harm detected; final stage %s met its gates: complete the rollout", cur.Name))
	}
	return d
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
