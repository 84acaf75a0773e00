package evaluator

import (
	"context"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/pkg/engine"
)

// TestOnResultSeesSuccessfulEvaluationsOnly checks the decision log's hook:
// it gets every successful result of the plan version in force, and
// nothing when the store fails (a failed evaluation is no evidence).
func TestOnResultSeesSuccessfulEvaluationsOnly(t *testing.T) {
	src := &fixture.Switchable{Source: newStore(t)}
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	var got []*engine.Result
	var hashes []string
	e, err := New(Options{PlansDir: dir, Source: src, Now: func() time.Time { return evalAt },
		OnResult: func(_ context.Context, lp *LoadedPlan, res *engine.Result) {
			got = append(got, res)
			hashes = append(hashes, lp.Hash)
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e.EvaluateAt(ctx, "exp-a", evalAt)
	src.SetDown(true)
	e.EvaluateAt(ctx, "exp-a", evalAt)
	src.SetDown(false)
	e.EvaluateAt(ctx, "exp-a", evalAt)
	if len(got) != 2 {
		t.Fatalf("OnResult called %d times for 2 successful and 1 failed evaluations", len(got))
	}
	x, _ := e.Experiment("exp-a")
	if got[1] != x.Last.Result || hashes[1] != x.Hash || got[1].PlanHash != x.Hash {
		t.Fatalf("OnResult got another result or plan version than the one recorded")
	}
}
