package decisionlog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func human(at time.Time, exp, action string) Entry {
	return Entry{Kind: KindHumanDecision, Time: at, Experiment: exp, PlanHash: "h1",
		Human: &HumanDecision{Who: "alice", Action: action, Why: "checkout errors"}}
}

func openAt(t *testing.T, dir string, now *time.Time, maxAge time.Duration) *FileLog {
	t.Helper()
	l, err := OpenFile(dir, FileOptions{MaxAge: maxAge, Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestFileLogSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := t0
	l := openAt(t, dir, &now, 0)
	stored, err := l.Append(ctx, human(t0, "a", "hold"), human(t0, "b", "rollback"))
	if err != nil {
		t.Fatal(err)
	}
	if stored[0].ID != 1 || stored[1].ID != 2 || !stored[0].RecordedAt.Equal(t0) {
		t.Fatalf("ids/recorded_at not assigned: %+v", stored)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2 := openAt(t, dir, &now, 0)
	all, _ := l2.List(ctx, Filter{})
	if len(all) != 2 || all[1].Human.Action != "rollback" || all[1].Experiment != "b" {
		t.Fatalf("after reopen: %+v", all)
	}
	more, err := l2.Append(ctx, human(t0.Add(time.Hour), "a", "proceed"))
	if err != nil || more[0].ID != 3 {
		t.Fatalf("ids must continue after a reopen: %+v %v", more, err)
	}
	got, _ := l2.List(ctx, Filter{Experiment: "a", Since: t0.Add(time.Minute)})
	if len(got) != 1 || got[0].ID != 3 {
		t.Fatalf("filter: %+v", got)
	}
	if got, _ := l2.List(ctx, Filter{Kind: KindPlanChange}); len(got) != 0 {
		t.Fatalf("kind filter: %+v", got)
	}
}

func TestFileLogRejectsInvalidEntriesWhole(t *testing.T) {
	ctx := context.Background()
	now := t0
	l := openAt(t, t.TempDir(), &now, 0)
	bad := human(t0, "a", "hold")
	bad.PlanHash = ""
	_, err := l.Append(ctx, human(t0, "a", "hold"), bad)
	if err == nil || !strings.Contains(err.Error(), "plan_hash") {
		t.Fatalf("want a plan_hash error, got %v", err)
	}
	if all, _ := l.List(ctx, Filter{}); len(all) != 0 {
		t.Fatalf("a rejected batch stored %d entries", len(all))
	}
	for _, h := range []HumanDecision{
		{Who: "", Action: "hold", Why: "x"},
		{Who: "a", Action: "delete", Why: "x"},
		{Who: "a", Action: "hold", Why: " "},
		{Who: "a", Action: "hold", Why: "x", Link: "javascript:alert(1)"},
	} {
		if err := h.Validate(); err == nil {
			t.Errorf("%+v accepted", h)
		}
	}
}

func TestFileLogCutsTornTail(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := t0
	l := openAt(t, dir, &now, 0)
	if _, err := l.Append(ctx, human(t0, "a", "hold")); err != nil {
		t.Fatal(err)
	}
	l.Close()
	seg := filepath.Join(dir, "decisions-2026-11-01.jsonl")
	f, err := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"id":2,"kind":"human_dec`) // a crash mid-write
	f.Close()
	l2 := openAt(t, dir, &now, 0)
	if _, err := l2.Append(ctx, human(t0, "a", "rollback")); err != nil {
		t.Fatal(err)
	}
	l2.Close()
	l3 := openAt(t, dir, &now, 0)
	all, _ := l3.List(ctx, Filter{})
	if len(all) != 2 || all[1].Human.Action != "rollback" || all[1].ID != 2 {
		t.Fatalf("after a torn write: %+v", all)
	}
}

func TestFileLogCorruptLineIsAnError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "decisions-2026-11-01.jsonl"), []byte("{}\nnot json\n"), 0o644)
	_, err := OpenFile(dir, FileOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("want an error naming line 2, got %v", err)
	}
}

func TestFileLogRetentionDropsWholeOldDays(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := t0 // 2026-11-01 12:00
	l := openAt(t, dir, &now, 48*time.Hour)
	l.Append(ctx, human(now, "a", "hold"))
	now = t0.Add(24 * time.Hour) // 11-02
	l.Append(ctx, human(now, "a", "proceed"))
	keptBefore, _ := os.ReadFile(filepath.Join(dir, "decisions-2026-11-02.jsonl"))
	now = t0.Add(72 * time.Hour) // 11-04 12:00: cutoff 11-02 12:00, so 11-01 goes, 11-02 stays
	l.Append(ctx, human(now, "a", "rollback"))
	n, err := l.Compact(context.Background(), now)
	if err != nil || n != 1 {
		t.Fatalf("compaction removed %d (%v), want 1", n, err)
	}
	all, _ := l.List(ctx, Filter{})
	if len(all) != 2 || all[0].Human.Action != "proceed" {
		t.Fatalf("kept %+v", all)
	}
	keptAfter, _ := os.ReadFile(filepath.Join(dir, "decisions-2026-11-02.jsonl"))
	if string(keptBefore) != string(keptAfter) || len(keptAfter) == 0 {
		t.Fatal("a kept segment was rewritten")
	}
	if _, err := os.Stat(filepath.Join(dir, "decisions-2026-11-01.jsonl")); !os.IsNotExist(err) {
		t.Fatalf("old segment still there: %v", err)
	}
}
