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
	rec := NewRecorder(l)
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
	rec2 := NewRecorder(l2)
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

// TestRecordersSharingALog is an HA pair on one database: the second
// exporter judges the same change after the first recorded it and records
// nothing, and a later change recorded by either is seen by the other.
func TestRecordersSharingALog(t *testing.T) {
	ctx := context.Background()
	now := t0
	l := openAt(t, t.TempDir(), &now, 0)
	a, b := NewRecorder(l), NewRecorder(l)
	fields := map[string]string{"id": "1"}
	if es, err := a.Observe(ctx, result(t0, "h1", "canary", "hold", "lat", "b", "inconclusive"), fields); err != nil || len(es) != 3 {
		t.Fatalf("a: %d entries, %v", len(es), err)
	}
	if es, err := b.Observe(ctx, result(t0.Add(time.Second), "h1", "canary", "hold", "lat", "b", "inconclusive"), fields); err != nil || len(es) != 0 {
		t.Fatalf("b recorded what a had recorded: %q %v", summarize(es), err)
	}
	es, err := b.Observe(ctx, result(t0.Add(time.Minute), "h1", "canary", "rollback", "lat", "b", "harmful"), fields)
	if err != nil || len(es) != 2 {
		t.Fatalf("b: %q %v", summarize(es), err)
	}
	if es, err := a.Observe(ctx, result(t0.Add(time.Minute+time.Second), "h1", "canary", "rollback", "lat", "b", "harmful"), fields); err != nil || len(es) != 0 {
		t.Fatalf("a recorded what b had recorded: %q %v", summarize(es), err)
	}
	if all, _ := l.List(ctx, Filter{}); len(all) != 5 {
		t.Fatalf("the shared log has %d entries, want 5: %q", len(all), summarize(all))
	}
}

// failingLog fails until ok is set: a database that is still starting.
type failingLog struct {
	Log
	ok bool
}

func (f *failingLog) List(ctx context.Context, flt Filter) ([]Entry, error) {
	if !f.ok {
		return nil, context.DeadlineExceeded
	}
	return f.Log.List(ctx, flt)
}

func TestRecorderWaitsForTheLog(t *testing.T) {
	ctx := context.Background()
	now := t0
	l := openAt(t, t.TempDir(), &now, 0)
	if _, err := l.Append(ctx, Diff(nil, result(t0, "h1", "canary", "hold", "lat", "b", "inconclusive"))...); err != nil {
		t.Fatal(err)
	}
	f := &failingLog{Log: l}
	rec := NewRecorder(f)
	if _, err := rec.Observe(ctx, result(t0.Add(time.Minute), "h1", "canary", "hold", "lat", "b", "inconclusive"), nil); err == nil {
		t.Fatal("Observe succeeded while the log could not be read")
	}
	f.ok = true
	// Once readable, the recorder learns the recorded state first: the
	// unchanged verdict is not recorded again.
	if es, err := rec.Observe(ctx, result(t0.Add(2*time.Minute), "h1", "canary", "hold", "lat", "b", "inconclusive"), nil); err != nil || len(es) != 0 {
		t.Fatalf("after the log came back: %q %v", summarize(es), err)
	}
}
