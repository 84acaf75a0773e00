package evaluator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// Options configure an Evaluator.
type Options struct {
	PlansDir string
	Source   events.Source
	// Telemetry, when set, is the Prometheus server prometheus metrics and
	// the telemetry traffic check read.
	Telemetry telemetry.Source
	// Interval is how often each plan is evaluated (default 1m).
	Interval time.Duration
	// Timeout bounds one evaluation (default: Interval, at most 5m).
	Timeout time.Duration
	// Concurrency caps evaluations running at once (default 2), so a
	// hundred plans cannot overload the store together.
	Concurrency int
	Shard       Shard
	// Engine is the template for every engine.Analyze call; At is set per
	// evaluation.
	Engine engine.Options
	Logger *slog.Logger
	// OnResult, when set, is called with every successful evaluation's
	// result after it is recorded, outside the evaluator's lock (the
	// decision log appends what changed). Calls for one plan do not overlap
	// when only the scheduler evaluates it.
	OnResult func(ctx context.Context, lp *LoadedPlan, res *engine.Result)
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Evaluator runs every plan of a directory on its own timer and keeps the
// latest evaluation of each. It is safe for concurrent use.
type Evaluator struct {
	opts Options
	log  *slog.Logger
	sem  chan struct{}

	mu      sync.Mutex
	catalog *Catalog
	states  map[string]*experimentState
	reload  ReloadStatus
	runCtx  context.Context // set while Run runs
	loops   sync.WaitGroup
}

// ReloadStatus is the outcome of the last plans reload.
type ReloadStatus struct {
	OK          bool
	LastAttempt time.Time
	LastSuccess time.Time
	Err         string
}

// New loads the plans directory. It fails only when the directory cannot
// be read; invalid files are reported in the snapshot and the log.
func New(opts Options) (*Evaluator, error) {
	if opts.Source == nil {
		return nil, errors.New("evaluator: no event source")
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Minute
	}
	if opts.Timeout <= 0 {
		opts.Timeout = min(opts.Interval, 5*time.Minute)
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 2
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Evaluator{opts: opts, log: opts.Logger, sem: make(chan struct{}, opts.Concurrency), states: map[string]*experimentState{}}
	if err := e.Reload(); err != nil && e.catalog == nil {
		return nil, err
	}
	return e, nil
}

// Reload rereads the plans directory. Plans whose file fails validation keep
// their last good version running. It returns an error describing every
// problem, or nil when all files loaded.
func (e *Evaluator) Reload() error {
	e.mu.Lock()
	prev := e.catalog
	e.mu.Unlock()

	now := e.opts.Now()
	c, err := LoadDir(e.opts.PlansDir, prev)

	e.mu.Lock()
	defer e.mu.Unlock()
	e.reload.LastAttempt = now
	if err != nil {
		e.reload.OK, e.reload.Err = false, err.Error()
		e.log.Error("Plans reload failed; keeping the plans in force", "dir", e.opts.PlansDir, "err", err)
		return err
	}
	var problems []error
	for _, f := range c.Files {
		switch f.Status {
		case FileInvalid:
			kept := c.Plans[f.Experiment] != nil && c.Plans[f.Experiment].File == f.File
			e.log.Error("Plan file is invalid", "file", f.File, "experiment", f.Experiment, "last_good_version_kept", kept, "err", f.Err)
			problems = append(problems, fmt.Errorf("%s: %s", f.File, f.Err))
		case FileDuplicate:
			e.log.Error("Plan file ignored: duplicate experiment id", "file", f.File, "experiment", f.Experiment, "err", f.Err)
			problems = append(problems, fmt.Errorf("%s: %s", f.File, f.Err))
		}
	}
	for id := range c.Plans {
		if !e.opts.Shard.Owns(id) {
			delete(c.Plans, id)
		}
	}
	e.catalog = c
	e.syncStates()
	e.reload.OK = c.OK
	if c.OK {
		e.reload.LastSuccess, e.reload.Err = now, ""
		e.log.Info("Plans loaded", "dir", e.opts.PlansDir, "plans", len(c.Plans), "shard", e.opts.Shard.String())
		return nil
	}
	err = errors.Join(problems...)
	e.reload.Err = err.Error()
	return err
}

// syncStates aligns the per-experiment states with the catalog: new plans
// get a state (and a loop when running), removed ones stop, changed ones
// forget their result and are evaluated at once. e.mu is held.
func (e *Evaluator) syncStates() {
	for id, st := range e.states {
		if _, ok := e.catalog.Plans[id]; !ok {
			st.stop()
			delete(e.states, id)
		}
	}
	for id, lp := range e.catalog.Plans {
		st, ok := e.states[id]
		if !ok {
			st = newExperimentState(lp)
			e.states[id] = st
			e.startLoop(id, st)
			continue
		}
		changed := st.plan.Hash != lp.Hash
		st.plan = lp
		if changed {
			// The old result belongs to another version of the plan: a gate
			// must not act on it. Re-evaluate now.
			st.planChanged(e.opts.Now())
			st.kickNow()
		}
	}
}

// startLoop starts the experiment's evaluation loop if Run is running.
// e.mu is held.
func (e *Evaluator) startLoop(id string, st *experimentState) {
	if e.runCtx == nil || st.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(e.runCtx)
	st.cancel = cancel
	e.loops.Add(1)
	go func() {
		defer e.loops.Done()
		e.loop(ctx, id, st.kick)
	}()
}

// Run evaluates every plan on its timer until ctx ends.
func (e *Evaluator) Run(ctx context.Context) {
	e.mu.Lock()
	e.runCtx = ctx
	for id, st := range e.states {
		e.startLoop(id, st)
	}
	e.mu.Unlock()
	<-ctx.Done()
	e.mu.Lock()
	e.runCtx = nil
	for _, st := range e.states {
		st.cancel = nil
	}
	e.mu.Unlock()
	e.loops.Wait()
}

// loop evaluates one plan at once, then at every slot, and whenever kicked.
func (e *Evaluator) loop(ctx context.Context, id string, kick <-chan struct{}) {
	offset := phase(id, e.opts.Interval)
	at := slotAt(e.opts.Now(), e.opts.Interval, offset)
	for {
		e.EvaluateAt(ctx, id, at)
		fire, next := nextSlot(e.opts.Now(), e.opts.Interval, offset)
		timer := time.NewTimer(fire.Sub(e.opts.Now()))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
			at = next
		case <-kick:
			timer.Stop()
			at = slotAt(e.opts.Now(), e.opts.Interval, offset)
		}
	}
}

// EvaluateAt evaluates the plan with id at the given evaluation time and
// records the outcome. It waits for a free evaluation slot.
func (e *Evaluator) EvaluateAt(ctx context.Context, id string, at time.Time) {
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-e.sem }()

	e.mu.Lock()
	st, ok := e.states[id]
	var lp *LoadedPlan
	if ok {
		lp = st.plan
	}
	e.mu.Unlock()
	if lp == nil {
		return
	}

	var t tally
	opts := e.opts.Engine
	opts.At = at
	if e.opts.Telemetry != nil {
		opts.Telemetry = trackedTelemetry{Source: e.opts.Telemetry, t: &t}
	}
	ectx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	started := e.opts.Now()
	res, err := analyze(ectx, lp, trackEvents(e.opts.Source, &t), opts)
	cancel()
	if ctx.Err() != nil {
		return // shutting down: an interrupted evaluation is no evidence of a broken store
	}
	ev := &Evaluation{At: at.UTC(), Started: started, Duration: e.opts.Now().Sub(started),
		Source: e.opts.Source.Name(), PlanHash: lp.Hash, Result: res, Err: err, Sources: eventSourceOutcome(t.outcomes(), e.opts.Source.Name(), err)}

	recorded := false
	defer func() { // runs after the unlock below
		if recorded && ev.OK() && e.opts.OnResult != nil {
			e.opts.OnResult(ctx, lp, res)
		}
	}()
	e.mu.Lock()
	defer e.mu.Unlock()
	st, ok = e.states[id]
	if !ok || st.plan.Hash != lp.Hash {
		return // the plan changed meanwhile; its own evaluation is queued
	}
	wasOK := st.last == nil || st.last.OK()
	st.record(ev, e.opts.Now())
	recorded = true
	switch {
	case err != nil && wasOK:
		e.log.Warn("Evaluation failed; verdicts are insufficient_data and the decision is hold until it succeeds",
			"experiment", id, "source", ev.Source, "duration_seconds", ev.Duration.Seconds(), "err", err)
	case err != nil:
		e.log.Debug("Evaluation failed again", "experiment", id, "err", err)
	case !wasOK:
		e.log.Info("Evaluation succeeds again", "experiment", id, "decision", res.Decision.Action)
	default:
		e.log.Debug("Evaluated", "experiment", id, "at", at, "duration_seconds", ev.Duration.Seconds(), "decision", res.Decision.Action)
	}
}

// eventSourceOutcome makes sure the event store has an outcome, and that it
// is a failure whenever the evaluation failed: without the store's answer
// there is no verdict, whatever the cause.
func eventSourceOutcome(outs []SourceOutcome, name string, err error) []SourceOutcome {
	for i := range outs {
		if outs[i].Name == name {
			if err != nil && outs[i].Errors == 0 {
				outs[i].Errors, outs[i].Err = 1, err
			}
			return outs
		}
	}
	o := SourceOutcome{Name: name}
	if err != nil {
		o.Errors, o.Err = 1, err
	}
	outs = append(outs, o)
	sort.Slice(outs, func(i, j int) bool { return outs[i].Name < outs[j].Name })
	return outs
}

// analyze calls the engine, turning a panic into an error: one plan that
// trips a bug must not take the exporter and every other gate down.
func analyze(ctx context.Context, lp *LoadedPlan, src events.Source, opts engine.Options) (res *engine.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("internal error evaluating %s: %v", lp.Plan.ID, r)
		}
	}()
	return engine.Analyze(ctx, lp.Plan, src, opts)
}
