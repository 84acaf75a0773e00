package decisionlog

import (
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/stats"
)

// verdictKey names a verdict: a metric in one treatment arm.
type verdictKey struct{ metric, arm string }

// Diff turns two consecutive results of one experiment into entries: a
// plan change when the hash differs, one entry per metric and arm whose
// verdict changed, a stage change and a decision change. prev nil is the
// state before the first evaluation: no plan, every verdict
// insufficient_data, decision hold. Segment results are left out (the
// overall result decides). Plan change entries carry no field list; the
// Recorder fills it.
func Diff(prev, cur *engine.Result) []Entry {
	if cur == nil {
		return nil
	}
	base := Entry{Time: cur.EvaluatedAt, Experiment: cur.Experiment, PlanHash: cur.PlanHash, Stage: cur.Decision.Stage}
	decision := cur.Decision
	var out []Entry

	prevHash, prevStage, prevAction := "", "", engine.ActionHold
	prevVerdicts := map[verdictKey]stats.Verdict{}
	if prev != nil {
		prevHash, prevStage, prevAction = prev.PlanHash, prev.Decision.Stage, prev.Decision.Action
		for _, r := range prev.Results {
			if r.SegmentValue == nil {
				prevVerdicts[verdictKey{r.Metric, r.Arm}] = r.Verdict
			}
		}
	}
	if prevHash != cur.PlanHash {
		e := base
		e.Kind, e.From, e.To = KindPlanChange, prevHash, cur.PlanHash
		e.Plan = &PlanChange{OldHash: prevHash, NewHash: cur.PlanHash}
		e.Reasons = []string{"plan version " + cur.PlanHash + " in force"}
		out = append(out, e)
	}
	// A result that is not later than the previous one judged a time that
	// was already judged: its changes come from late data.
	verdictKind := KindVerdictChange
	if prev != nil && !cur.EvaluatedAt.After(prev.EvaluatedAt) {
		verdictKind = KindLateDataChange
	}
	for i := range cur.Results {
		r := cur.Results[i]
		if r.SegmentValue != nil {
			continue
		}
		old, seen := prevVerdicts[verdictKey{r.Metric, r.Arm}]
		if !seen {
			old = stats.InsufficientData
		}
		if old == r.Verdict {
			continue
		}
		e := base
		e.Kind, e.Metric, e.Arm, e.Role = verdictKind, r.Metric, r.Arm, r.Role
		e.From, e.To = string(old), string(r.Verdict)
		e.Result = &r
		e.Decision = &decision
		if r.Reason != "" {
			e.Reasons = []string{r.Reason}
		}
		out = append(out, e)
	}
	if prevStage != cur.Decision.Stage {
		e := base
		e.Kind, e.From, e.To = KindStageChange, prevStage, cur.Decision.Stage
		e.Decision = &decision
		e.Reasons = []string{"stage " + cur.Decision.Stage + " in force"}
		out = append(out, e)
	}
	if prevAction != cur.Decision.Action {
		e := base
		e.Kind, e.From, e.To = KindDecisionChange, prevAction, cur.Decision.Action
		e.Decision = &decision
		e.Reasons = append([]string(nil), cur.Decision.Reasons...)
		out = append(out, e)
	}
	for i := range out {
		if out[i].Reasons == nil {
			out[i].Reasons = []string{}
		}
	}
	return out
}
