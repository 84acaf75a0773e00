package evaluator

import (
	"context"
	"maps"
	"sort"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// experimentState is everything kept about one experiment between
// evaluations. It is guarded by the Evaluator's mutex.
type experimentState struct {
	plan *LoadedPlan
	last *Evaluation

	// The verdicts and decision currently shown, to count transitions.
	shownVerdicts map[VerdictKey]stats.Verdict
	shownDecision string

	verdictTransitions  map[VerdictKey]map[stats.Verdict]uint64
	decisionTransitions map[string]uint64
	evaluations, errors uint64
	lastSuccess         time.Time
	sources             map[string]*SourceStats
	// lateDataVerdictChanges counts verdicts that changed between two
	// consecutive evaluations of the same window (see lateDataChanges).
	lateDataVerdictChanges uint64

	kick   chan struct{}
	cancel context.CancelFunc
}

func newExperimentState(lp *LoadedPlan) *experimentState {
	st := &experimentState{
		plan:                lp,
		verdictTransitions:  map[VerdictKey]map[stats.Verdict]uint64{},
		decisionTransitions: map[string]uint64{},
		sources:             map[string]*SourceStats{},
		kick:                make(chan struct{}, 1),
	}
	st.showCurrent(time.Time{})
	return st
}

// kickNow asks the loop for an immediate evaluation; a pending request is
// enough, so it never blocks.
func (st *experimentState) kickNow() {
	select {
	case st.kick <- struct{}{}:
	default:
	}
}

func (st *experimentState) stop() {
	if st.cancel != nil {
		st.cancel()
		st.cancel = nil
	}
}

// planChanged drops the result of the previous plan version.
func (st *experimentState) planChanged(now time.Time) {
	st.last = nil
	st.showCurrent(now)
}

// record stores an evaluation and counts the verdict and decision changes
// it causes.
func (st *experimentState) record(ev *Evaluation, now time.Time) {
	st.lateDataVerdictChanges += uint64(lateDataChanges(st.last, ev))
	st.last = ev
	st.evaluations++
	if ev.OK() {
		st.lastSuccess = ev.At
	} else {
		st.errors++
	}
	for _, o := range ev.Sources {
		s := st.sources[o.Name]
		if s == nil {
			s = &SourceStats{Name: o.Name}
			st.sources[o.Name] = s
		}
		s.Evaluations++
		s.Last, s.LastAt = o, ev.At
		if o.OK() {
			s.LastSuccess = ev.At
		} else {
			s.Errors++
		}
	}
	st.showCurrent(now)
}

// showCurrent recomputes what is shown and counts every change into a new
// state. The state shown before the first evaluation (insufficient_data,
// hold) is the starting point, so counters only move on real changes.
func (st *experimentState) showCurrent(now time.Time) {
	p := st.plan.Plan
	verdicts := map[VerdictKey]stats.Verdict{}
	for _, cv := range currentVerdicts(p, st.last) {
		verdicts[cv.VerdictKey] = cv.Verdict
		if st.shownVerdicts != nil {
			if old, seen := st.shownVerdicts[cv.VerdictKey]; seen && old != cv.Verdict {
				if st.verdictTransitions[cv.VerdictKey] == nil {
					st.verdictTransitions[cv.VerdictKey] = map[stats.Verdict]uint64{}
				}
				st.verdictTransitions[cv.VerdictKey][cv.Verdict]++
			}
		}
	}
	st.shownVerdicts = verdicts
	decision := currentDecision(p, st.last, now).Action
	if st.shownDecision != "" && st.shownDecision != decision {
		st.decisionTransitions[decision]++
	}
	st.shownDecision = decision
}

// ExperimentView is a consistent copy of one experiment's state.
type ExperimentView struct {
	LoadedPlan
	// State is scheduled, running or ended; Stage the stage in force.
	State string
	Stage string
	// Last is the latest evaluation; nil before the first. Never mutated.
	Last     *Evaluation
	Verdicts []CurrentVerdict
	Decision engine.Decision

	VerdictTransitions  map[VerdictKey]map[stats.Verdict]uint64
	DecisionTransitions map[string]uint64
	Evaluations, Errors uint64
	// LateDataVerdictChanges counts verdicts changed by late data: two
	// consecutive evaluations of the same window that disagree.
	LateDataVerdictChanges uint64
	// LastSuccess is the evaluation time of the latest successful
	// evaluation; zero when none succeeded.
	LastSuccess time.Time
	// Sources has one entry per source ever queried, sorted by name.
	Sources []SourceStats
}

// Harmful counts primary and guardrail verdicts that are harmful.
func (v *ExperimentView) Harmful() int {
	n := 0
	for _, cv := range v.Verdicts {
		if cv.Verdict == stats.Harmful && cv.Role != plan.RoleSecondary {
			n++
		}
	}
	return n
}

func (st *experimentState) view(now time.Time) ExperimentView {
	p := st.plan.Plan
	v := ExperimentView{
		LoadedPlan:          *st.plan,
		State:               lifecycleState(p, now),
		Stage:               p.StageAt(now).Name,
		Last:                st.last,
		Verdicts:            currentVerdicts(p, st.last),
		Decision:            currentDecision(p, st.last, now),
		VerdictTransitions:  map[VerdictKey]map[stats.Verdict]uint64{},
		DecisionTransitions: maps.Clone(st.decisionTransitions),
		Evaluations:         st.evaluations,
		Errors:              st.errors,
		LastSuccess:         st.lastSuccess,

		LateDataVerdictChanges: st.lateDataVerdictChanges,
	}
	for k, m := range st.verdictTransitions {
		v.VerdictTransitions[k] = maps.Clone(m)
	}
	for _, s := range st.sources {
		v.Sources = append(v.Sources, *s)
	}
	sort.Slice(v.Sources, func(i, j int) bool { return v.Sources[i].Name < v.Sources[j].Name })
	if st.last.OK() {
		v.Stage = st.last.Result.Decision.Stage
	}
	return v
}
