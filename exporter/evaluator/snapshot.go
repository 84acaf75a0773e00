package evaluator

import (
	"slices"
	"sort"
	"time"
)

// Snapshot is a consistent copy of the evaluator's state for one reader
// (a scrape, a page, a gate call).
type Snapshot struct {
	Now         time.Time
	Source      string
	Shard       Shard
	Interval    time.Duration
	Experiments []ExperimentView // sorted by id
	Files       []FileStatus     // sorted by file name
	Reload      ReloadStatus
}

// Snapshot copies the current state. It never waits for an evaluation.
func (e *Evaluator) Snapshot() Snapshot {
	now := e.opts.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	s := Snapshot{Now: now, Source: e.opts.Source.Name(), Shard: e.opts.Shard, Interval: e.opts.Interval, Reload: e.reload}
	if e.catalog != nil {
		s.Files = slices.Clone(e.catalog.Files)
	}
	ids := make([]string, 0, len(e.states))
	for id := range e.states {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		s.Experiments = append(s.Experiments, e.states[id].view(now))
	}
	return s
}

// Experiment returns the view of one experiment.
func (e *Evaluator) Experiment(id string) (ExperimentView, bool) {
	now := e.opts.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	st, ok := e.states[id]
	if !ok {
		return ExperimentView{}, false
	}
	return st.view(now), true
}
