package decisionlog

import (
	"context"
	"fmt"
	"sync"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/stats"
)

// Recorder appends the entries each new result causes. The log is its
// state: before judging a result it reads what the log gained for the
// experiment since it last looked, so after a restart an unchanged verdict
// is not recorded twice, a plan edited while the exporter was down is still
// a plan change, and two exporters sharing one database (an HA pair) see
// each other's entries instead of recording every change twice.
//
// The log is read on first use, not at construction: a database that is
// still starting delays the record, it does not stop the exporter.
type Recorder struct {
	log Log

	mu     sync.Mutex
	loaded bool
	last   map[string]*engine.Result
	fields map[string]map[string]string
	seen   map[string]uint64 // per experiment, the highest id applied
}

// NewRecorder returns a recorder over log.
func NewRecorder(log Log) *Recorder {
	return &Recorder{log: log}
}

// load replays the whole log once. r.mu is held.
func (r *Recorder) load(ctx context.Context) error {
	if r.loaded {
		return nil
	}
	entries, err := r.log.List(ctx, Filter{})
	if err != nil {
		return fmt.Errorf("decisionlog: reading the log: %w", err)
	}
	r.last, r.fields, r.seen = map[string]*engine.Result{}, map[string]map[string]string{}, map[string]uint64{}
	for i := range entries {
		r.apply(&entries[i])
	}
	r.loaded = true
	return nil
}

// sync applies the entries appended for experiment since the last look,
// by this recorder or another writer. r.mu is held.
func (r *Recorder) sync(ctx context.Context, experiment string) error {
	entries, err := r.log.List(ctx, Filter{Experiment: experiment, AfterID: r.seen[experiment]})
	if err != nil {
		return fmt.Errorf("decisionlog: reading the log: %w", err)
	}
	for i := range entries {
		r.apply(&entries[i])
	}
	return nil
}

// apply folds a recorded entry into the remembered state. r.mu is held.
func (r *Recorder) apply(e *Entry) {
	if e.ID > r.seen[e.Experiment] {
		r.seen[e.Experiment] = e.ID
	}
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
// produced res (nil when unknown). It returns the stored entries. When the
// log cannot be read or written nothing is recorded and the error says
// why; the next call tries again from the log's state.
func (r *Recorder) Observe(ctx context.Context, res *engine.Result, planFields map[string]string) ([]Entry, error) {
	if res == nil {
		return nil, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.load(ctx); err != nil {
		return nil, err
	}
	if err := r.sync(ctx, res.Experiment); err != nil {
		return nil, err
	}
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
