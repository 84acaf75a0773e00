package decisionlog

import (
	"sort"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// Rollout outcomes.
const (
	OutcomeRolledBack = "rolled_back" // a machine or human rollback decision was recorded
	OutcomeCompleted  = "completed"   // the last stage's decision was proceed
	OutcomeInProgress = "in_progress" // neither yet
)

// Rollout is one experiment's record, derived from its log entries: the
// regression library's row.
type Rollout struct {
	Experiment string    `json:"experiment"`
	PlanHashes []string  `json:"plan_hashes"`
	First      time.Time `json:"first_entry"`
	Last       time.Time `json:"last_entry"`
	Outcome    string    `json:"outcome"`
	Finished   bool      `json:"finished"`
	// Triggers are the changes to harmful of primary and guardrail
	// verdicts, with their evidence.
	Triggers []Indicator `json:"triggers"`
	// Indicators are the last recorded verdict of every metric and arm.
	Indicators []Indicator `json:"indicators"`
	// Rollbacks counts rollbacks: a machine decision changing into
	// rollback or a human rollback, when the rollout was not rolled back
	// already (a person confirming the gate's rollback is one rollback). A
	// proceed, machine or human, ends a rollback.
	Rollbacks      int `json:"rollbacks"`
	HumanDecisions int `json:"human_decisions"`
	// FirstHarmful is the first harmful primary or guardrail verdict;
	// FirstRollback the first rollback decision at or after it.
	FirstHarmful  *time.Time `json:"first_harmful,omitempty"`
	FirstRollback *time.Time `json:"first_rollback,omitempty"`
	// Restored is when, after FirstHarmful, no primary or guardrail
	// verdict was harmful any more.
	Restored *time.Time `json:"restored,omitempty"`
	// DetectionToRollbackSeconds is FirstRollback - FirstHarmful;
	// TimeToRestoreSeconds is Restored - FirstHarmful. Absent when either
	// end is missing.
	DetectionToRollbackSeconds *float64 `json:"detection_to_rollback_seconds,omitempty"`
	TimeToRestoreSeconds       *float64 `json:"time_to_restore_seconds,omitempty"`
}

// Indicator is one verdict with the numbers behind it.
type Indicator struct {
	Time     time.Time     `json:"time"`
	Metric   string        `json:"metric"`
	Arm      string        `json:"arm"`
	Role     string        `json:"role,omitempty"`
	Verdict  stats.Verdict `json:"verdict"`
	Estimate *float64      `json:"estimate,omitempty"`
	CILower  *float64      `json:"ci_lower,omitempty"`
	CIUpper  *float64      `json:"ci_upper,omitempty"`
	PValue   *float64      `json:"p_value,omitempty"`
	Reason   string        `json:"reason,omitempty"`
}

func indicatorOf(e *Entry) Indicator {
	in := Indicator{Time: e.Time, Metric: e.Metric, Arm: e.Arm, Role: e.Role, Verdict: stats.Verdict(e.To)}
	if r := e.Result; r != nil {
		est, lo, hi, p := r.Absolute.Estimate, r.Absolute.CILower, r.Absolute.CIUpper, r.PValue
		in.Estimate, in.CILower, in.CIUpper, in.PValue, in.Reason = &est, &lo, &hi, &p, r.Reason
	}
	return in
}

// gating reports whether a verdict's role can stop a rollout.
func gating(role string) bool { return role == plan.RolePrimary || role == plan.RoleGuardrail }

// Histories derives one Rollout per experiment from entries (any order),
// sorted by experiment. Repeated changes (DropRepeats) count once.
func Histories(entries []Entry) []Rollout {
	byExp := map[string][]Entry{}
	for _, e := range entries {
		byExp[e.Experiment] = append(byExp[e.Experiment], e)
	}
	out := make([]Rollout, 0, len(byExp))
	for id, es := range byExp {
		sort.SliceStable(es, func(i, j int) bool {
			if !es[i].Time.Equal(es[j].Time) {
				return es[i].Time.Before(es[j].Time)
			}
			return es[i].ID < es[j].ID
		})
		out = append(out, history(id, DropRepeats(es)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Experiment < out[j].Experiment })
	return out
}

// history folds one experiment's entries, oldest first.
func history(id string, es []Entry) Rollout {
	r := Rollout{Experiment: id, PlanHashes: []string{}, Triggers: []Indicator{}, Indicators: []Indicator{}, Outcome: OutcomeInProgress}
	harmful := map[verdictKey]bool{}
	last := map[verdictKey]Indicator{}
	var order []verdictKey
	completed, rolledBack := false, false
	for i := range es {
		e := &es[i]
		if i == 0 {
			r.First = e.Time
		}
		r.Last = e.Time
		if n := len(r.PlanHashes); e.PlanHash != "" && (n == 0 || r.PlanHashes[n-1] != e.PlanHash) {
			r.PlanHashes = append(r.PlanHashes, e.PlanHash)
		}
		// Machine entries carry the decision in force after them: the
		// rollout is complete while that is proceed with no next stage
		// (the final stage passed), however the log reached it.
		if e.Kind != KindHumanDecision && e.Decision != nil {
			completed = e.Decision.Action == engine.ActionProceed && e.Decision.NextStage == ""
		}
		rollback, proceed := false, false
		switch e.Kind {
		case KindVerdictChange, KindLateDataChange:
			k := verdictKey{e.Metric, e.Arm}
			if _, seen := last[k]; !seen {
				order = append(order, k)
			}
			in := indicatorOf(e)
			last[k] = in
			if !gating(e.Role) {
				break
			}
			if in.Verdict == stats.Harmful {
				harmful[k] = true
				r.Triggers = append(r.Triggers, in)
				if r.FirstHarmful == nil {
					t := e.Time
					r.FirstHarmful = &t
				}
			} else if harmful[k] {
				delete(harmful, k)
				if len(harmful) == 0 && r.FirstHarmful != nil && r.Restored == nil {
					t := e.Time
					r.Restored = &t
				}
			}
		case KindDecisionChange:
			rollback, proceed = e.To == engine.ActionRollback, e.To == engine.ActionProceed
		case KindHumanDecision:
			r.HumanDecisions++
			rollback = e.Human != nil && e.Human.Action == HumanRollback
			proceed = e.Human != nil && e.Human.Action == HumanProceed
		}
		if proceed {
			rolledBack = false
		}
		if rollback && !rolledBack {
			rolledBack = true
			r.Rollbacks++
			if r.FirstHarmful != nil && r.FirstRollback == nil {
				t := e.Time
				r.FirstRollback = &t
			}
		}
	}
	for _, k := range order {
		r.Indicators = append(r.Indicators, last[k])
	}
	switch {
	case r.Rollbacks > 0:
		r.Outcome = OutcomeRolledBack
	case completed:
		r.Outcome = OutcomeCompleted
	}
	r.Finished = r.Outcome != OutcomeInProgress
	if r.FirstHarmful != nil && r.FirstRollback != nil {
		s := r.FirstRollback.Sub(*r.FirstHarmful).Seconds()
		r.DetectionToRollbackSeconds = &s
	}
	if r.FirstHarmful != nil && r.Restored != nil {
		s := r.Restored.Sub(*r.FirstHarmful).Seconds()
		r.TimeToRestoreSeconds = &s
	}
	return r
}

// Summary is the outcome figures across rollouts.
type Summary struct {
	Rollouts   int `json:"rollouts"`
	Finished   int `json:"finished"`
	RolledBack int `json:"rolled_back"`
	// ChangeFailureRate is RolledBack / Finished; nil with no finished
	// rollout (undefined, never NaN).
	ChangeFailureRate *float64 `json:"change_failure_rate,omitempty"`
	// RollbacksPerRollout is the mean number of rollback decisions per
	// rollout; nil with no rollout.
	RollbacksPerRollout *float64 `json:"rollbacks_per_rollout,omitempty"`
	// MeanTimeToRestoreSeconds averages TimeToRestoreSeconds over rollouts
	// that have it; nil when none has.
	MeanTimeToRestoreSeconds *float64 `json:"mean_time_to_restore_seconds,omitempty"`
}

// Summarize computes the figures across rollouts.
func Summarize(rs []Rollout) Summary {
	s := Summary{Rollouts: len(rs)}
	rollbacks, restores, restoreSum := 0, 0, 0.0
	for _, r := range rs {
		rollbacks += r.Rollbacks
		if r.Finished {
			s.Finished++
		}
		if r.Outcome == OutcomeRolledBack {
			s.RolledBack++
		}
		if r.TimeToRestoreSeconds != nil {
			restores++
			restoreSum += *r.TimeToRestoreSeconds
		}
	}
	if s.Finished > 0 {
		v := float64(s.RolledBack) / float64(s.Finished)
		s.ChangeFailureRate = &v
	}
	if s.Rollouts > 0 {
		v := float64(rollbacks) / float64(s.Rollouts)
		s.RollbacksPerRollout = &v
	}
	if restores > 0 {
		v := restoreSum / float64(restores)
		s.MeanTimeToRestoreSeconds = &v
	}
	return s
}
