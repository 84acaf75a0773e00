package evaluator

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
)

// evalAt is the fixed evaluation time of these tests: two days after start.
var evalAt = start.Add(48 * time.Hour)

// newStore fills an in-memory DuckDB store with a clear winner: treatment
// converts at 30%, control at 10%.
func newStore(t *testing.T) *duckdb.Store {
	t.Helper()
	s, err := duckdb.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	evs := fixture.Events("exp-a", start, 1,
		fixture.Arm{Name: "control", Units: 600, PurchaseRate: 0.10},
		fixture.Arm{Name: "treatment", Units: 600, PurchaseRate: 0.30})
	if _, err := s.Append(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	return s
}

func newEvaluator(t *testing.T, src events.Source, dir string, now *atomic.Pointer[time.Time]) *Evaluator {
	t.Helper()
	e, err := New(Options{PlansDir: dir, Source: src, Interval: time.Minute, Now: func() time.Time { return *now.Load() }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func verdictOf(x ExperimentView, metric string) stats.Verdict {
	for _, cv := range x.Verdicts {
		if cv.Metric == metric {
			return cv.Verdict
		}
	}
	return ""
}

func TestEvaluationHoldsTheEngineResult(t *testing.T) {
	store := newStore(t)
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	var now atomic.Pointer[time.Time]
	clock := evalAt.Add(10 * time.Second)
	now.Store(&clock)
	e := newEvaluator(t, store, dir, &now)

	x, ok := e.Experiment("exp-a")
	if !ok || x.Last != nil || x.Decision.Action != engine.ActionHold || verdictOf(x, "purchase_conversion") != stats.InsufficientData {
		t.Fatalf("before any evaluation: %+v, want hold and insufficient_data", x)
	}
	e.EvaluateAt(context.Background(), "exp-a", evalAt)
	x, _ = e.Experiment("exp-a")
	if !x.Last.OK() {
		t.Fatalf("evaluation failed: %v", x.Last.Err)
	}

	// The exporter must hold exactly what the engine computes for the same
	// plan, data and evaluation time.
	p, err := plan.Parse([]byte(fixture.PlanYAML("exp-a", start)), "a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := engine.Analyze(context.Background(), p, store, engine.Options{At: evalAt})
	if err != nil {
		t.Fatal(err)
	}
	got := x.Last.Result
	if got.PlanHash != want.PlanHash || !got.EvaluatedAt.Equal(want.EvaluatedAt) || len(got.Results) != len(want.Results) {
		t.Fatalf("result %+v differs from the engine's %+v", got, want)
	}
	for i := range want.Results {
		if got.Results[i].Absolute != want.Results[i].Absolute || got.Results[i].Verdict != want.Results[i].Verdict {
			t.Errorf("result %d: %+v, engine %+v", i, got.Results[i], want.Results[i])
		}
	}
	if verdictOf(x, "purchase_conversion") != stats.Beneficial {
		t.Errorf("purchase_conversion verdict = %s; a 10%% vs 30%% split with 600 units each is beneficial", verdictOf(x, "purchase_conversion"))
	}
	if x.VerdictTransitions[VerdictKey{"purchase_conversion", "treatment"}][stats.Beneficial] != 1 {
		t.Errorf("transitions = %v, want one change into beneficial", x.VerdictTransitions)
	}
}

func TestFailingSourceGivesInsufficientDataNotAStaleVerdict(t *testing.T) {
	src := &fixture.Switchable{Source: newStore(t)}
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	var now atomic.Pointer[time.Time]
	clock := evalAt
	now.Store(&clock)
	e := newEvaluator(t, src, dir, &now)
	ctx := context.Background()

	e.EvaluateAt(ctx, "exp-a", evalAt)
	x, _ := e.Experiment("exp-a")
	good := x.Decision.Action
	if verdictOf(x, "purchase_conversion") != stats.Beneficial {
		t.Fatalf("setup: verdict %s, want beneficial", verdictOf(x, "purchase_conversion"))
	}

	src.SetDown(true)
	e.EvaluateAt(ctx, "exp-a", evalAt.Add(time.Minute))
	x, _ = e.Experiment("exp-a")
	if x.Last.OK() || !errors.Is(x.Last.Err, fixture.ErrStoreDown) {
		t.Fatalf("evaluation with the store down: %+v, want a failure", x.Last)
	}
	for _, cv := range x.Verdicts {
		if cv.Verdict != stats.InsufficientData || cv.Result != nil || !strings.Contains(cv.Reason, "failed") {
			t.Errorf("%s/%s: %s (%q), want insufficient_data saying the evaluation failed", cv.Metric, cv.Arm, cv.Verdict, cv.Reason)
		}
	}
	if x.Decision.Action != engine.ActionHold {
		t.Errorf("decision with the store down = %s, want hold", x.Decision.Action)
	}
	if x.Errors != 1 || x.Evaluations != 2 || !x.LastSuccess.Equal(evalAt) {
		t.Errorf("counters: %d errors of %d, last success %v", x.Errors, x.Evaluations, x.LastSuccess)
	}

	src.SetDown(false)
	e.EvaluateAt(ctx, "exp-a", evalAt.Add(2*time.Minute))
	x, _ = e.Experiment("exp-a")
	if !x.Last.OK() || verdictOf(x, "purchase_conversion") != stats.Beneficial || x.Decision.Action != good {
		t.Fatalf("after recovery: %+v, want the verdicts back", x.Last)
	}
	k := VerdictKey{"purchase_conversion", "treatment"}
	if x.VerdictTransitions[k][stats.InsufficientData] != 1 || x.VerdictTransitions[k][stats.Beneficial] != 2 {
		t.Errorf("transitions = %v, want beneficial twice and insufficient_data once", x.VerdictTransitions[k])
	}
}

func TestPlanChangeDropsTheOldResult(t *testing.T) {
	store := newStore(t)
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	var now atomic.Pointer[time.Time]
	clock := evalAt
	now.Store(&clock)
	e := newEvaluator(t, store, dir, &now)
	e.EvaluateAt(context.Background(), "exp-a", evalAt)

	fixture.WritePlan(t, dir, "a.yaml", strings.Replace(fixture.PlanYAML("exp-a", start), "alpha: 0.05", "alpha: 0.01", 1))
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	x, _ := e.Experiment("exp-a")
	if x.Last != nil || x.Decision.Action != engine.ActionHold {
		t.Fatalf("after a plan change: last=%+v decision=%s, want no result until re-evaluated", x.Last, x.Decision.Action)
	}

	// A corrupted file keeps the new version running and reports it.
	fixture.WritePlan(t, dir, "a.yaml", "{{{ not yaml")
	err := e.Reload()
	if err == nil || !strings.Contains(err.Error(), "a.yaml") {
		t.Fatalf("reload of a corrupted file: %v, want an error naming the file", err)
	}
	s := e.Snapshot()
	if s.Reload.OK || len(s.Experiments) != 1 || !s.Experiments[0].Outdated || s.Experiments[0].Plan.Analysis.Alpha != 0.01 {
		t.Fatalf("snapshot after corruption: %+v", s)
	}
}

// Run evaluates every plan in the background and stops with its context;
// a scrape-time Snapshot never waits for it.
func TestRunEvaluatesInTheBackground(t *testing.T) {
	store := newStore(t)
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	e, err := New(Options{PlansDir: dir, Source: store, Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		x, _ := e.Experiment("exp-a")
		if x.Evaluations >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d evaluations after 20 s at a 1 s interval", x.Evaluations)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A new plan file is picked up by Reload and gets its own loop.
	fixture.WritePlan(t, dir, "b.yaml", fixture.PlanYAML("exp-b", start))
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	for {
		if x, ok := e.Experiment("exp-b"); ok && x.Evaluations >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reloaded plan was never evaluated")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// panicSource trips a bug inside an evaluation.
type panicSource struct{ events.Source }

func (panicSource) Exposures(context.Context, events.Scope) (events.ExposureCounts, error) {
	panic("boom")
}

func TestPanicIsAFailedEvaluation(t *testing.T) {
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	var now atomic.Pointer[time.Time]
	clock := evalAt
	now.Store(&clock)
	e := newEvaluator(t, panicSource{newStore(t)}, dir, &now)
	e.EvaluateAt(context.Background(), "exp-a", evalAt)
	x, _ := e.Experiment("exp-a")
	if x.Last.OK() || !strings.Contains(x.Last.Err.Error(), "boom") || x.Decision.Action != engine.ActionHold {
		t.Fatalf("got %+v, want a failed evaluation and hold", x.Last)
	}
}

// The timing wrapper must offer the data-health checks exactly when the
// store does: the engine runs them only when the source implements them.
func TestTrackingKeepsTheHealthInterface(t *testing.T) {
	store := newStore(t)
	var tl tally
	if _, ok := trackEvents(store, &tl).(events.HealthChecker); !ok {
		t.Error("the DuckDB store runs data-health checks; the wrapped one must too")
	}
	if _, ok := trackEvents(panicSource{store}, &tl).(events.HealthChecker); ok {
		t.Error("a source without health checks must not gain them by wrapping")
	}

	// Through the evaluator, the health section is the engine's own.
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	var now atomic.Pointer[time.Time]
	clock := evalAt
	now.Store(&clock)
	e := newEvaluator(t, store, dir, &now)
	e.EvaluateAt(context.Background(), "exp-a", evalAt)
	x, _ := e.Experiment("exp-a")
	p, _ := plan.Parse([]byte(fixture.PlanYAML("exp-a", start)), "a.yaml")
	want, err := engine.Analyze(context.Background(), p, store, engine.Options{At: evalAt})
	if err != nil {
		t.Fatal(err)
	}
	got := x.Last.Result.Health
	if got == nil || want.Health == nil || got.Status != want.Health.Status || len(got.Checks) != len(want.Health.Checks) || len(got.Notes) != len(want.Health.Notes) {
		t.Errorf("health through the evaluator %+v, engine on the store %+v", got, want.Health)
	}
}
