// Package logtest is the conformance suite every decisionlog.Log
// implementation passes: the file log and the logs kept in the event stores
// (DuckDB, PostgreSQL, ClickHouse). One definition of what "append-only,
// durable, retained by policy" means, run against each real store.
package logtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/stats"
)

// Opener opens the log under test on one durable storage: every call sees
// what earlier calls stored (a reopen after Close, or a second process).
type Opener func(t *testing.T, opts decisionlog.Options) decisionlog.Log

// Run runs the suite. fresh returns an Opener on new, empty storage; each
// subtest calls it once.
func Run(t *testing.T, fresh func(t *testing.T) Opener) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, fresh(t)) })
	t.Run("Reopen", func(t *testing.T) { testReopen(t, fresh(t)) })
	t.Run("BatchAllOrNone", func(t *testing.T) { testBatchAllOrNone(t, fresh(t)) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, fresh(t)) })
	t.Run("Retention", func(t *testing.T) { testRetention(t, fresh(t)) })
	t.Run("RetentionNeverReusesIDs", func(t *testing.T) { testRetentionIDs(t, fresh(t)) })
	t.Run("ConcurrentAppends", func(t *testing.T) { testConcurrent(t, fresh(t)) })
	t.Run("ClosedAndCanceled", func(t *testing.T) { testClosedAndCanceled(t, fresh(t)) })
}

// T0 is the suite's reference time; it has nanoseconds, which every store
// must keep.
var T0 = time.Date(2026, 11, 20, 9, 30, 15, 123456789, time.UTC)

// Clock is a settable clock for Options.Now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at at.
func NewClock(at time.Time) *Clock { return &Clock{now: at} }

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Set moves the clock.
func (c *Clock) Set(at time.Time) { c.mu.Lock(); c.now = at; c.mu.Unlock() }

// Human is a valid human decision entry.
func Human(at time.Time, experiment, action, why string) decisionlog.Entry {
	return decisionlog.Entry{Kind: decisionlog.KindHumanDecision, Time: at, Experiment: experiment, PlanHash: "sha256:h1",
		Stage: "half", Human: &decisionlog.HumanDecision{Who: "alice", Action: action, Why: why,
			Link: "https://tickets.example.com/INC-1", Authenticated: true}}
}

// Verdict is a verdict change carrying a full result with its sums.
func Verdict(at time.Time, experiment, metric, from, to string) decisionlog.Entry {
	rel := engine.Effect{Estimate: 0.3658, CILower: 0.2833, CIUpper: 0.4482, SE: 0.042}
	res := &engine.MetricResult{Metric: metric, Role: "guardrail", Kind: "mean", Direction: "decrease", Arm: "treatment",
		Baseline: "control", BaselineStats: engine.ArmStats{N: 10234, Mean: 0.1, SE: 0.003},
		ArmStats: engine.ArmStats{N: 10191, Mean: 0.1366, SE: 0.0035},
		Absolute: engine.Effect{Estimate: 0.0366, CILower: 0.0283, CIUpper: 0.0448, SE: 0.0042}, Relative: &rel,
		PValue: 1.25e-9, AdjustedPValue: 3.75e-9, Margin: &stats.Margin{Relative: 0.05}, Verdict: stats.Verdict(to),
		Reason: "the 95% confidence sequence lies wholly beyond the margin",
		Sums: []engine.StageSums{
			{Stage: "canary", Baseline: stats.ArmSums{N: 950, SumY: 95, SumY2: 101}, Arm: stats.ArmSums{N: 51, SumY: 7, SumY2: 9}},
			{Stage: "half", Baseline: stats.ArmSums{N: 9284, SumY: 928.4, SumY2: 1001.5}, Arm: stats.ArmSums{N: 10140, SumY: 1390.9, SumY2: 1600.25}},
		}}
	return decisionlog.Entry{Kind: decisionlog.KindVerdictChange, Time: at, Experiment: experiment, PlanHash: "sha256:h1",
		Stage: "half", Metric: metric, Arm: "treatment", Role: "guardrail", From: from, To: to, Result: res,
		Decision: &engine.Decision{Stage: "half", Action: "rollback", Reasons: []string{"guardrail " + metric + " is harmful"}},
		Reasons:  []string{res.Reason}}
}

// Plan is a plan change with field fingerprints.
func Plan(at time.Time, experiment, from, to string) decisionlog.Entry {
	return decisionlog.Entry{Kind: decisionlog.KindPlanChange, Time: at, Experiment: experiment, PlanHash: to, From: from, To: to,
		Reasons: []string{"plan version " + to + " in force"},
		Plan: &decisionlog.PlanChange{OldHash: from, NewHash: to, Changed: []string{"metrics", "stages"},
			Fields: map[string]string{"metrics": "sha256:aa", "stages": "sha256:bb", "id": "sha256:cc"}}}
}

func open(t *testing.T, o Opener, clock *Clock, maxAge time.Duration) decisionlog.Log {
	t.Helper()
	l := o(t, decisionlog.Options{MaxAge: maxAge, Now: clock.Now})
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func mustAppend(t *testing.T, l decisionlog.Log, es ...decisionlog.Entry) []decisionlog.Entry {
	t.Helper()
	stored, err := l.Append(context.Background(), es...)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	if len(stored) != len(es) {
		t.Fatalf("append returned %d entries for %d", len(stored), len(es))
	}
	return stored
}

func mustList(t *testing.T, l decisionlog.Log, f decisionlog.Filter) []decisionlog.Entry {
	t.Helper()
	got, err := l.List(context.Background(), f)
	if err != nil {
		t.Fatalf("list %+v: %v", f, err)
	}
	return got
}

// sameEntries compares entries by their JSON, the form every reader sees.
func sameEntries(t *testing.T, what string, got, want []decisionlog.Entry) {
	t.Helper()
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	if string(g) != string(w) {
		t.Fatalf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

func ids(es []decisionlog.Entry) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func testRoundTrip(t *testing.T, o Opener) {
	clock := NewClock(T0.Add(time.Second))
	l := open(t, o, clock, 0)
	// User text with quotes, SQL and control characters is data, stored
	// verbatim: nothing is pasted into a statement.
	why := "errors up 37%; it's bad'); DROP TABLE liftgate_decisions; -- \"quoted\" \\ \t ünïcödé 回滚 " + strings.Repeat("x", 3000)
	in := []decisionlog.Entry{
		Plan(T0, "checkout-v2", "", "sha256:h1"),
		Verdict(T0, "checkout-v2", "errors_per_session", "insufficient_data", "harmful"),
		Human(T0.Add(500*time.Millisecond), "checkout-v2", decisionlog.HumanRollback, why),
	}
	stored := mustAppend(t, l, in...)
	for i, e := range stored {
		if e.ID == 0 || (i > 0 && e.ID <= stored[i-1].ID) {
			t.Fatalf("ids must be assigned and increase within a batch: %v", ids(stored))
		}
		if !e.RecordedAt.Equal(clock.Now()) {
			t.Fatalf("entry %d recorded_at %s, want the clock's %s", i, e.RecordedAt, clock.Now())
		}
		if !e.Time.Equal(in[i].Time) {
			t.Fatalf("entry %d time %s, want %s (nanoseconds kept)", i, e.Time, in[i].Time)
		}
	}
	sameEntries(t, "list after append", mustList(t, l, decisionlog.Filter{}), stored)
	if got := mustList(t, l, decisionlog.Filter{})[2].Human.Why; got != why {
		t.Fatalf("why not stored verbatim: %q", got)
	}
	more := mustAppend(t, l, Human(T0.Add(time.Hour), "other", decisionlog.HumanHold, "waiting for traffic"))
	if more[0].ID <= stored[2].ID {
		t.Fatalf("id %d after %d: ids must increase across appends", more[0].ID, stored[2].ID)
	}
}

func testReopen(t *testing.T, o Opener) {
	clock := NewClock(T0)
	l := open(t, o, clock, 0)
	first := mustAppend(t, l, Plan(T0, "a", "", "sha256:h1"), Verdict(T0, "a", "conv", "insufficient_data", "beneficial"))
	if err := l.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	l2 := open(t, o, clock, 0)
	sameEntries(t, "after a reopen", mustList(t, l2, decisionlog.Filter{}), first)
	clock.Set(T0.Add(time.Minute))
	next := mustAppend(t, l2, Human(T0.Add(time.Minute), "a", decisionlog.HumanProceed, "looks fine"))
	if next[0].ID <= first[1].ID {
		t.Fatalf("id %d after a reopen, want more than %d", next[0].ID, first[1].ID)
	}
	sameEntries(t, "appended after a reopen", mustList(t, l2, decisionlog.Filter{}), append(first, next...))
}

func testBatchAllOrNone(t *testing.T, o Opener) {
	l := open(t, o, NewClock(T0), 0)
	bad := Verdict(T0, "a", "conv", "inconclusive", "harmful")
	bad.PlanHash = ""
	_, err := l.Append(context.Background(), Human(T0, "a", decisionlog.HumanHold, "x"), bad)
	if err == nil || !strings.Contains(err.Error(), "plan_hash") {
		t.Fatalf("want an error naming plan_hash, got %v", err)
	}
	badHuman := Human(T0, "a", "delete", "x")
	if _, err := l.Append(context.Background(), badHuman); err == nil || !strings.Contains(err.Error(), "action") {
		t.Fatalf("want an error naming action, got %v", err)
	}
	if got := mustList(t, l, decisionlog.Filter{}); len(got) != 0 {
		t.Fatalf("a rejected batch stored %d entries", len(got))
	}
	if got, err := l.Append(context.Background()); err != nil || len(got) != 0 {
		t.Fatalf("an empty append: %v %v", got, err)
	}
}

func testFilters(t *testing.T, o Opener) {
	l := open(t, o, NewClock(T0), 0)
	all := mustAppend(t, l,
		Plan(T0, "a", "", "sha256:h1"),
		Verdict(T0.Add(time.Minute), "a", "conv", "insufficient_data", "beneficial"),
		Plan(T0.Add(2*time.Minute), "b", "", "sha256:h9"),
		Human(T0.Add(3*time.Minute+time.Millisecond), "a", decisionlog.HumanHold, "wait"),
		Verdict(T0.Add(4*time.Minute), "b", "conv", "insufficient_data", "harmful"),
	)
	cases := []struct {
		f    decisionlog.Filter
		want []int
	}{
		{decisionlog.Filter{}, []int{0, 1, 2, 3, 4}},
		{decisionlog.Filter{Experiment: "a"}, []int{0, 1, 3}},
		{decisionlog.Filter{Kind: decisionlog.KindPlanChange}, []int{0, 2}},
		{decisionlog.Filter{Experiment: "b", Kind: decisionlog.KindVerdictChange}, []int{4}},
		// Since is inclusive and exact to the nanosecond.
		{decisionlog.Filter{Since: T0.Add(3*time.Minute + time.Millisecond)}, []int{3, 4}},
		{decisionlog.Filter{Since: T0.Add(3*time.Minute + time.Millisecond + 1)}, []int{4}},
		{decisionlog.Filter{AfterID: all[2].ID}, []int{3, 4}},
		{decisionlog.Filter{Experiment: "a", AfterID: all[1].ID}, []int{3}},
		{decisionlog.Filter{Experiment: "nobody"}, nil},
	}
	for _, c := range cases {
		var want []decisionlog.Entry
		for _, i := range c.want {
			want = append(want, all[i])
		}
		got := mustList(t, l, c.f)
		if got == nil {
			t.Fatalf("filter %+v: List returned nil, want an empty slice", c.f)
		}
		if want == nil {
			want = []decisionlog.Entry{}
		}
		sameEntries(t, fmt.Sprintf("filter %+v", c.f), got, want)
	}
}

func testRetention(t *testing.T, o Opener) {
	ctx := context.Background()
	now := T0.Add(30 * 24 * time.Hour)
	clock := NewClock(now.Add(-100 * time.Hour))
	l := open(t, o, clock, 48*time.Hour)
	r, ok := l.(decisionlog.Retainer)
	if !ok {
		t.Fatalf("%T has no Compact: every log applies a retention policy", l)
	}
	old := mustAppend(t, l, Human(clock.Now(), "a", decisionlog.HumanHold, "old"))
	clock.Set(now.Add(-time.Hour))
	kept := mustAppend(t, l, Human(clock.Now(), "a", decisionlog.HumanRollback, "recent"))
	clock.Set(now)
	n, err := r.Compact(ctx, now)
	if err != nil {
		t.Fatalf("compact: %v", err)
	}
	if n != len(old) {
		t.Fatalf("compact dropped %d entries, want %d", n, len(old))
	}
	sameEntries(t, "after retention", mustList(t, l, decisionlog.Filter{}), kept)
	// Retention never frees an id for reuse.
	next := mustAppend(t, l, Human(now, "a", decisionlog.HumanProceed, "go"))
	if next[0].ID <= kept[0].ID {
		t.Fatalf("id %d after retention, want more than %d", next[0].ID, kept[0].ID)
	}
	if n, err := r.Compact(ctx, now); err != nil || n != 0 {
		t.Fatalf("a second compact dropped %d (%v), want 0", n, err)
	}

	// MaxAge 0 keeps everything.
	clock0 := NewClock(now.Add(-1000 * time.Hour))
	l0 := open(t, o, clock0, 0)
	if n, err := l0.(decisionlog.Retainer).Compact(ctx, now.Add(1000*time.Hour)); err != nil || n != 0 {
		t.Fatalf("without retention compact dropped %d (%v)", n, err)
	}
	if got := mustList(t, l0, decisionlog.Filter{}); len(got) != 2 {
		t.Fatalf("without retention %d entries remain, want 2", len(got))
	}
}

// testRetentionIDs lets retention find every entry too old, then reopens
// the log: the next id still follows every id given before (a log may keep
// its newest entries to remember that, or use a sequence).
func testRetentionIDs(t *testing.T, o Opener) {
	ctx := context.Background()
	now := T0.Add(30 * 24 * time.Hour)
	clock := NewClock(now.Add(-100 * time.Hour))
	l := open(t, o, clock, 48*time.Hour)
	old := mustAppend(t, l, Human(clock.Now(), "a", decisionlog.HumanHold, "old"), Human(clock.Now(), "a", decisionlog.HumanProceed, "old"))
	clock.Set(now)
	// A restart first: retention then runs on a log that has written
	// nothing since it opened.
	if err := l.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	l1 := open(t, o, clock, 48*time.Hour)
	if _, err := l1.(decisionlog.Retainer).Compact(ctx, now); err != nil {
		t.Fatalf("compact: %v", err)
	}
	if err := l1.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	l2 := open(t, o, clock, 48*time.Hour)
	next := mustAppend(t, l2, Human(now, "a", decisionlog.HumanRollback, "new"))
	if next[0].ID <= old[1].ID {
		t.Fatalf("after retention and a reopen the log gave id %d again (or lower); %d was given before", next[0].ID, old[1].ID)
	}
}

func testConcurrent(t *testing.T, o Opener) {
	l := open(t, o, NewClock(T0), 0)
	const writers, batches = 6, 8
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	got := make(chan []decisionlog.Entry, writers*batches)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for b := 0; b < batches; b++ {
				exp := fmt.Sprintf("exp-%d", w)
				s, err := l.Append(context.Background(),
					Plan(T0, exp, "", fmt.Sprintf("sha256:%d", b)),
					Verdict(T0, exp, "conv", "insufficient_data", "inconclusive"))
				if err != nil {
					errs <- err
					continue
				}
				got <- s
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	close(got)
	for err := range errs {
		t.Fatalf("concurrent append: %v", err)
	}
	seen := map[uint64]bool{}
	for s := range got {
		if s[1].ID <= s[0].ID {
			t.Fatalf("a batch's ids must increase: %v", ids(s))
		}
		for _, e := range s {
			if seen[e.ID] {
				t.Fatalf("id %d given twice", e.ID)
			}
			seen[e.ID] = true
		}
	}
	all := mustList(t, l, decisionlog.Filter{})
	if len(all) != writers*batches*2 {
		t.Fatalf("%d entries stored, want %d", len(all), writers*batches*2)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatalf("List not ordered by id at %d: %d then %d", i, all[i-1].ID, all[i].ID)
		}
	}
}

func testClosedAndCanceled(t *testing.T, o Opener) {
	l := open(t, o, NewClock(T0), 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Append(ctx, Human(T0, "a", decisionlog.HumanHold, "x")); err == nil {
		t.Fatal("append with a canceled context succeeded")
	}
	if got := mustList(t, l, decisionlog.Filter{}); len(got) != 0 {
		t.Fatalf("a canceled append stored %d entries", len(got))
	}
	if err := l.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := l.Append(context.Background(), Human(T0, "a", decisionlog.HumanHold, "x")); err == nil {
		t.Fatal("append after close succeeded")
	}
}
