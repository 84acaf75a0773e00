package evaluator

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/pkg/events"
)

// TestLateDataVerdictChangesAreCounted checks the late-data counter: a
// growing window that changes verdicts counts nothing, re-evaluating the
// same window on the same data counts nothing, and a late batch that lands
// inside an already judged window and flips its verdicts counts each flip.
func TestLateDataVerdictChangesAreCounted(t *testing.T) {
	store := newStore(t)
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	var now atomic.Pointer[time.Time]
	clock := evalAt.Add(time.Hour)
	now.Store(&clock)
	e := newEvaluator(t, store, dir, &now)
	ctx := context.Background()
	view := func() ExperimentView {
		t.Helper()
		x, _ := e.Experiment("exp-a")
		if !x.Last.OK() {
			t.Fatalf("evaluation failed: %v", x.Last.Err)
		}
		return x
	}

	// Three hours in, fewer than 100 units per arm: insufficient_data. Two
	// days in, beneficial. The window grew, so the change is not late data.
	e.EvaluateAt(ctx, "exp-a", start.Add(3*time.Hour))
	early := verdictOf(view(), "purchase_conversion")
	e.EvaluateAt(ctx, "exp-a", evalAt)
	x := view()
	if early == verdictOf(x, "purchase_conversion") {
		t.Fatalf("setup: verdict %s both early and late; the growing window should change it", early)
	}
	if x.LateDataVerdictChanges != 0 {
		t.Fatalf("a growing window counted %d late-data changes, want 0", x.LateDataVerdictChanges)
	}
	e.EvaluateAt(ctx, "exp-a", evalAt)
	before := view()
	if before.LateDataVerdictChanges != 0 {
		t.Fatalf("re-evaluating unchanged data counted %d late-data changes, want 0", before.LateDataVerdictChanges)
	}

	// A late batch stamped inside the judged window (before the watermark,
	// so the data end stays put): 600 more control units that all convert.
	var late []events.Event
	for i := range 600 {
		unit := fmt.Sprintf("late%04d", i)
		at := start.Add(2 * time.Hour)
		late = append(late,
			events.Event{ID: unit + "-x", Name: "experiment_viewed", Unit: unit, Time: at,
				Properties: map[string]any{"experiment_id": "exp-a", "variation_id": "control"}},
			events.Event{ID: unit + "-p", Name: "purchase", Unit: unit, Time: at.Add(time.Hour),
				Properties: map[string]any{"amount": 10.0}})
	}
	if _, err := store.Append(ctx, late); err != nil {
		t.Fatal(err)
	}
	e.EvaluateAt(ctx, "exp-a", evalAt)
	after := view()
	if !after.Last.Result.Health.DataEnd.Equal(before.Last.Result.Health.DataEnd) {
		t.Fatalf("setup: the late batch moved the data end from %s to %s", before.Last.Result.Health.DataEnd, after.Last.Result.Health.DataEnd)
	}
	flipped := 0
	for _, cv := range after.Verdicts {
		if verdictOf(before, cv.Metric) != cv.Verdict {
			flipped++
		}
	}
	if flipped == 0 {
		t.Fatalf("setup: the late batch changed no verdict (%+v)", after.Verdicts)
	}
	if after.LateDataVerdictChanges != uint64(flipped) {
		t.Errorf("late-data changes = %d, want %d (one per flipped verdict)", after.LateDataVerdictChanges, flipped)
	}
}
