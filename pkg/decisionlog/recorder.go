package decisionlog

import (
	"context"
	"fmt"
	"sync"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/stats"
)

// Recorder appends the entries each new result causes. It remembers, per
// experiment, the state the log last recorded, rebuilt from the log itself
// when created: after a restart an unchanged verdict is not recorded twice,
// and a plan edited while the exporter was down is still a plan change.
type Recorder struct {
	log Log

	mu     sync.Mutex
	last   map[string]*engine.Result
	fields map[string]map[string]string
}

// NewRecorder replays log to learn the last recorded state.
func NewRecorder(ctx context.Context, log Log) (*Recorder, error) {
	entries, err := log.List(ctx, Filter{})
	if err != nil {
		return nil, fmt.Errorf("decisionlog: reading the log: %w", err)
	}
	r := &Recorder{log: log, last: map[string]*engine.Result{}, fields: map[string]map[string]string{}}
	for i := range entries {
		r.apply(&entries[i])
	}
	return r, nil
}

// apply folds a recorded entry into the remembered state. r.mu is held (or
// r is not shared yet).
func (r *Recorder) apply(e *Entry) {
	if e.Kind == KindHumanDecision {
		return
	}
	res := r.last[e.Experiment]
	if res == nil {
		res = &engine.Result{Experiment: e.Experiment, Decision: engine.Decision{Action: engine.ActionHold}}
		r.last[e.Experiment] = res
	}
	if e.Time.After(res.EvaluatedAt) {
		res.EvaluatedAt = e.Time
	}
	switch e.Kind {
	case KindPlanChange:
		res.PlanHash = e.To
		if e.Plan != nil {
			r.fields[e.Experiment] = e.Plan.Fields
		}
	case KindStageChange:
		res.Decision.Stage = e.To
	case KindDecisionChange:
		res.Decision.Action = e.To
	case KindVerdictChange, KindLateDataChange:
		for i := range res.Results {
			if res.Results[i].Metric == e.Metric && res.Results[i].Arm == e.Arm {
				res.Results[i].Verdict = stats.Verdict(e.To)
				return
			}
		}
		res.Results = append(res.Results, engine.MetricResult{Metric: e.Metric, Arm: e.Arm, Verdict: stats.Verdict(e.To)})
	}
}

// Observe records what res changes against the last recorded state of its
// experiment. planFields are the PlanFields of the plan version that
// produced res (nil when unknown). It returns the stored entries.
func (r *Recorder) Observe(ctx context.Context, res *engine.Result, planFields map[string]string) ([]Entry, error) {
	if res == nil {
		return nil, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	entries := Diff(r.last[res.Experiment], res)
	if len(entries) == 0 {
		return nil, nil
	}
	for i := range entries {
		if entries[i].Kind == KindPlanChange {
			entries[i].Plan.Fields = planFields
			entries[i].Plan.Changed = ChangedFields(r.fields[res.Experiment], planFields)
		}
	}
	stored, err := r.log.Append(ctx, entries...)
	if err != nil {
		// The state is left as it was, so the next evaluation tries again.
		return nil, err
	}
	for i := range stored {
		r.apply(&stored[i])
	}
	return stored, nil
}
