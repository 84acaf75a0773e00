package engine

import (
	"fmt"
	"time"

	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// notStarted is the result of evaluating a plan before its start time: every
// arm at zero units, every metric insufficient_data and the gate on hold, so
// dashboards, alerts and rollout controllers see a well-formed answer.
func notStarted(p *plan.Plan, res *Result, schedule []plan.ScheduledStage) *Result {
	reason := fmt.Sprintf("the experiment starts at %s", p.Start.UTC().Format(time.RFC3339))
	res.SRM = SRMResult{PValue: 1, Threshold: p.Analysis.SRMThreshold}
	for _, a := range p.Arms {
		res.Arms = append(res.Arms, ArmResult{Name: a.Name, ExpectedWeight: a.Weight})
	}
	for _, s := range schedule {
		units := map[string]int64{}
		for _, a := range p.ArmNames() {
			units[a] = 0
		}
		res.Stages = append(res.Stages, StageUnits{Name: s.Name, Start: s.Start, Weights: s.Weights, Units: units})
	}
	for _, m := range p.Metrics {
		for _, arm := range treatmentArms(p) {
			r := unavailable(p, m, arm, reason)
			r.Verdict = stats.InsufficientData
			res.Results = append(res.Results, r)
		}
	}
	// Every stage holds; the first is the one in force.
	hold := func(i int) Decision {
		d := Decision{Stage: schedule[i].Name, Action: ActionHold, Reasons: []string{reason}}
		if i+1 < len(schedule) {
			d.NextStage = schedule[i+1].Name
		}
		return d
	}
	for i, s := range schedule {
		res.StageGates = append(res.StageGates, StageGate{Stage: s.Name, Decision: hold(i)})
	}
	res.Decision = hold(0)
	return res
}
