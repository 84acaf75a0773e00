package engine_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
)

// TestAnalyzeDecisionIsTheGateOfTheStageInForce evaluates the example
// durations-only plan (canary 1h, ramp-5 2h, half 24h) on its example events
// in a real store, from before its start to days after, and checks that
// every Result carries one gate per stage in schedule order and that its
// Decision is the gate of the stage plan.StageAt has in force, whichever
// path (not started, hold, rollback) produced it.
func TestAnalyzeDecisionIsTheGateOfTheStageInForce(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the example events into DuckDB")
	}
	store := loadStore(t, filepath.Join("testdata", "checkout-v2.ndjson.gz"))
	t.Cleanup(func() { store.Close() })
	p, err := plan.Load(filepath.Join("..", "..", "examples", "checkout-v2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	schedule := p.Schedule()
	offsets := []time.Duration{-time.Hour, 30 * time.Minute, 59 * time.Minute, time.Hour, 2 * time.Hour,
		3*time.Hour - time.Minute, 3 * time.Hour, 10 * time.Hour, 27*time.Hour - time.Minute, 27 * time.Hour, 48 * time.Hour, 72 * time.Hour}
	inForce := map[string]bool{}
	actions := map[string]bool{}
	for _, off := range offsets {
		at := p.Start.Add(off)
		res, err := engine.Analyze(context.Background(), p, store, engine.Options{At: at})
		if err != nil {
			t.Fatalf("at %s: %v", at, err)
		}
		if len(res.StageGates) != len(schedule) {
			t.Fatalf("at %s: %d stage gates for %d stages", at, len(res.StageGates), len(schedule))
		}
		var want *engine.Decision
		stage := p.StageAt(at).Name
		for i, g := range res.StageGates {
			if g.Stage != schedule[i].Name || g.Decision.Stage != schedule[i].Name {
				t.Fatalf("at %s: gate %d is for %s (%s), want %s", at, i, g.Stage, g.Decision.Stage, schedule[i].Name)
			}
			if g.Stage == stage {
				want = &res.StageGates[i].Decision
			}
		}
		if want == nil || !reflect.DeepEqual(res.Decision, *want) {
			t.Errorf("at %s (+%s): decision %+v, gate of %s (in force) %+v", at.Format(time.RFC3339), off, res.Decision, stage, want)
		}
		inForce[stage] = true
		actions[res.Decision.Action] = true
	}
	if len(inForce) != len(schedule) || !actions[engine.ActionHold] {
		t.Errorf("the sweep saw stages %v and actions %v; it should see every stage and a hold", inForce, actions)
	}
}
