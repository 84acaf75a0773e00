package decisionlog

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func TestRecorderRestartDoesNotRepeat(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := t0
	l := openAt(t, dir, &now, 0)
	rec, err := NewRecorder(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{"id": "1", "metrics": "a"}
	r1 := result(t0, "h1", "canary", "hold", "conv", "b", "inconclusive")
	if es, err := rec.Observe(ctx, r1, fields); err != nil || len(es) != 3 {
		t.Fatalf("first observation: %d entries, %v", len(es), err)
	}
	if es, _ := rec.Observe(ctx, result(t0.Add(time.Minute), "h1", "canary", "hold", "conv", "b", "inconclusive"), fields); len(es) != 0 {
		t.Fatalf("an unchanged result recorded %+v", es)
	}
	l.Close()

	// Restart: a new recorder rebuilds its state from the log.
	l2 := openAt(t, dir, &now, 0)
	rec2, err := NewRecorder(ctx, l2)
	if err != nil {
		t.Fatal(err)
	}
	if es, _ := rec2.Observe(ctx, result(t0.Add(2*time.Minute), "h1", "canary", "hold", "conv", "b", "inconclusive"), fields); len(es) != 0 {
		t.Fatalf("after a restart an unchanged result recorded %+v", summarize(es))
	}
	// The plan was edited while the exporter was down.
	newFields := map[string]string{"id": "1", "metrics": "b"}
	es, err := rec2.Observe(ctx, result(t0.Add(3*time.Minute), "h2", "canary", "rollback", "conv", "b", "harmful"), newFields)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"plan_change h1>h2", "verdict_change conv/b inconclusive>harmful", "decision_change hold>rollback"}
	if got := summarize(es); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if !reflect.DeepEqual(es[0].Plan.Changed, []string{"metrics"}) || es[0].Plan.OldHash != "h1" {
		t.Fatalf("plan change %+v", es[0].Plan)
	}
	all, _ := l2.List(ctx, Filter{})
	for _, e := range all {
		if e.PlanHash == "" {
			t.Fatalf("entry without plan hash: %+v", e)
		}
	}
}
