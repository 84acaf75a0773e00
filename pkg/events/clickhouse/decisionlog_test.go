package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/decisionlog/logtest"
	"github.com/liftgate/liftgate/pkg/events"
)

// openDecisionLog opens a new Source on db (new connections: to the
// server, a reopen) and its decision log.
func openDecisionLog(t testing.TB, srv *testserver.ClickHouseServer, db string, opts decisionlog.Options) (*Source, *DecisionLog) {
	t.Helper()
	s := openOn(t, srv, db, events.Mapping{})
	l, err := s.DecisionLog(testCtx(t), opts)
	if err != nil {
		t.Fatalf("decision log: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return s, l
}

func TestDecisionLogConformance(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	logtest.Run(t, func(t *testing.T) logtest.Opener {
		db := srv.CreateDatabase(t)
		return func(t *testing.T, opts decisionlog.Options) decisionlog.Log {
			_, l := openDecisionLog(t, srv, db, opts)
			return l
		}
	})
}

// TestDecisionLogOneProcessTwoSources appends through two Sources of one
// process on one database at once: the process-wide lock keeps ids unique.
// (Two processes may pick the same id; see DecisionLog.)
func TestDecisionLogOneProcessTwoSources(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	db := srv.CreateDatabase(t)
	ctx := testCtx(t)
	_, a := openDecisionLog(t, srv, db, decisionlog.Options{})
	_, b := openDecisionLog(t, srv, db, decisionlog.Options{})
	const writers, batches = 3, 6
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers*batches)
	for i, l := range []*DecisionLog{a, b} {
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				exp := fmt.Sprintf("s%d-w%d", i, w)
				for n := 0; n < batches; n++ {
					if _, err := l.Append(ctx, logtest.Plan(logtest.T0, exp, "", "sha256:x"), logtest.Human(logtest.T0, exp, decisionlog.HumanHold, "wait")); err != nil {
						errs <- err
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("append: %v", err)
	}
	got, err := a.List(ctx, decisionlog.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 * writers * batches * 2; len(got) != want {
		t.Fatalf("%d entries, want %d", len(got), want)
	}
	for i := 1; i < len(got); i++ {
		if got[i].ID <= got[i-1].ID {
			t.Fatalf("ids not unique and increasing at %d: %d then %d", i, got[i-1].ID, got[i].ID)
		}
	}
}

// TestDecisionLogRetentionByDay records entries on several UTC days and
// checks that Compact drops exactly the days that ended by the cutoff,
// reports their entries, leaves the other partitions as they were, and
// keeps the newest partition even when it is old, so ids never restart.
func TestDecisionLogRetentionByDay(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	db := srv.CreateDatabase(t)
	ctx := testCtx(t)
	day1 := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	clock := logtest.NewClock(day1)
	s, l := openDecisionLog(t, srv, db, decisionlog.Options{MaxAge: 48 * time.Hour, Now: clock.Now})
	add := func(at time.Time, n int) {
		t.Helper()
		clock.Set(at)
		for i := 0; i < n; i++ {
			if _, err := l.Append(ctx, logtest.Human(at, "a", decisionlog.HumanHold, "wait")); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(day1.Add(time.Hour), 2)                // 2026-03-10
	add(day1.Add(24*time.Hour+time.Second), 3) // 2026-03-11
	add(day1.Add(72*time.Hour-time.Second), 1) // 2026-03-12, last second
	add(day1.Add(72*time.Hour), 4)             // 2026-03-13
	partitions := func() []string {
		var out []string
		p := &params{}
		err := s.query(ctx, "parts", "SELECT DISTINCT partition FROM system.parts WHERE active AND database = currentDatabase() AND table = "+
			p.text("liftgate_decisions")+" ORDER BY partition", p.args, func(r driver.Rows) error {
			var part string
			if err := r.Scan(&part); err != nil {
				return err
			}
			out = append(out, part)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := fmt.Sprint(partitions()); got != "[20260310 20260311 20260312 20260313]" {
		t.Fatalf("partitions %s, want one per UTC day", got)
	}
	before, err := l.List(ctx, decisionlog.Filter{})
	if err != nil {
		t.Fatal(err)
	}

	// Cutoff 2026-03-12 00:00: the 10th and the 11th have ended by then.
	n, err := l.Compact(ctx, day1.Add(4*24*time.Hour))
	if err != nil || n != 5 {
		t.Fatalf("compact dropped %d (%v), want the 5 entries of the 10th and 11th", n, err)
	}
	if got := fmt.Sprint(partitions()); got != "[20260312 20260313]" {
		t.Fatalf("partitions after compact %s", got)
	}
	after, err := l.List(ctx, decisionlog.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := asJSON(t, after), asJSON(t, before[5:]); got != want {
		t.Fatalf("kept entries changed:\ngot  %s\nwant %s", got, want)
	}

	// Long after: every day has ended, but the newest partition stays.
	n, err = l.Compact(ctx, day1.Add(100*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("second compact dropped %d (%v), want the 1 entry of the 12th", n, err)
	}
	clock.Set(day1.Add(101 * 24 * time.Hour))
	next, err := l.Append(ctx, logtest.Human(clock.Now(), "a", decisionlog.HumanProceed, "go"))
	if err != nil {
		t.Fatal(err)
	}
	if last := before[len(before)-1].ID; next[0].ID <= last {
		t.Fatalf("id %d after retention, want more than %d", next[0].ID, last)
	}
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDecisionLogTimesOutsideDateTime stores entries whose times a DateTime
// cannot hold: the JSON keeps them, and Since still finds them.
func TestDecisionLogTimesOutsideDateTime(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	ctx := testCtx(t)
	_, l := openDecisionLog(t, srv, srv.CreateDatabase(t), decisionlog.Options{})
	early := time.Date(1960, 1, 1, 0, 0, 0, 5, time.UTC)
	late := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	stored, err := l.Append(ctx, logtest.Human(early, "a", decisionlog.HumanHold, "x"), logtest.Human(late, "a", decisionlog.HumanHold, "y"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		since time.Time
		want  int
	}{{early, 2}, {early.Add(1), 1}, {late, 1}, {late.Add(1), 0}} {
		got, err := l.List(ctx, decisionlog.Filter{Since: c.since})
		if err != nil || len(got) != c.want {
			t.Fatalf("since %s: %d entries (%v), want %d", c.since, len(got), err, c.want)
		}
		if c.want > 0 && !got[len(got)-1].Time.Equal(stored[1].Time) {
			t.Fatalf("since %s: time %s, want %s", c.since, got[len(got)-1].Time, stored[1].Time)
		}
	}
}

// TestDecisionLogConcurrentCreate opens the log from several Sources at the
// same instant on a database without the table.
func TestDecisionLogConcurrentCreate(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	db := srv.CreateDatabase(t)
	const n = 4
	srcs := make([]*Source, n)
	for i := range srcs {
		srcs[i] = openOn(t, srv, db, events.Mapping{})
	}
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for _, s := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.DecisionLog(context.Background(), decisionlog.Options{})
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent DecisionLog: %v", err)
		}
	}
}

// TestDecisionLogReadOnlyUser opens the log on a connection that may not
// change the schema (readonly = 2): with the table already there it opens
// (the CREATE it cannot run is not needed) and reads, and an Append fails
// with the server's refusal instead of storing anything.
func TestDecisionLogReadOnlyUser(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	db := srv.CreateDatabase(t)
	ctx := testCtx(t)
	_, owner := openDecisionLog(t, srv, db, decisionlog.Options{})
	stored, err := owner.Append(ctx, logtest.Human(logtest.T0, "a", decisionlog.HumanHold, "wait"))
	if err != nil {
		t.Fatal(err)
	}
	ro, err := Open(ctx, Config{Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password), Settings: map[string]any{"readonly": 2}})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	l, err := ro.DecisionLog(ctx, decisionlog.Options{})
	if err != nil {
		t.Fatalf("opening an existing log read-only: %v", err)
	}
	got, err := l.List(ctx, decisionlog.Filter{})
	if err != nil || asJSON(t, got) != asJSON(t, stored) {
		t.Fatalf("read-only list: %v %v", got, err)
	}
	if _, err := l.Append(ctx, logtest.Human(logtest.T0, "a", decisionlog.HumanHold, "again")); err == nil {
		t.Fatal("append on a read-only connection succeeded")
	}
	if got, err := owner.List(ctx, decisionlog.Filter{}); err != nil || len(got) != 1 {
		t.Fatalf("after the refused append: %d entries (%v), want 1", len(got), err)
	}

	bare := srv.CreateDatabase(t)
	ro2, err := Open(ctx, Config{Addr: srv.Addr(), Database: bare, User: srv.User, Password: Secret(srv.Password), Settings: map[string]any{"readonly": 2}})
	if err != nil {
		t.Fatal(err)
	}
	defer ro2.Close()
	if _, err := ro2.DecisionLog(ctx, decisionlog.Options{}); err == nil || !strings.Contains(err.Error(), "creating liftgate_decisions") {
		t.Fatalf("read-only without the table: %v", err)
	}
}

// TestDecisionLogHostileFilterValues stores experiments and plan hashes
// that would subvert SQL if they were pasted into it, and selects each by
// its experiment: every one is found, alone, and the table survives.
func TestDecisionLogHostileFilterValues(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	ctx := testCtx(t)
	_, l := openDecisionLog(t, srv, srv.CreateDatabase(t), decisionlog.Options{})
	hostile := []string{"exp'; DROP TABLE liftgate_decisions; --", `a\'b"c` + "`", "nul\x00byte", "@p1 $1 ? {x:String} ü"}
	var in []decisionlog.Entry
	for _, h := range hostile {
		e := logtest.Human(logtest.T0, h, decisionlog.HumanHold, h)
		e.PlanHash = h
		in = append(in, e)
	}
	stored, err := l.Append(ctx, in...)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hostile {
		got, err := l.List(ctx, decisionlog.Filter{Experiment: h, Kind: decisionlog.KindHumanDecision})
		if err != nil || len(got) != 1 || got[0].ID != stored[i].ID || got[0].Experiment != h {
			t.Fatalf("experiment %q: %+v (%v)", h, got, err)
		}
	}
}

// BenchmarkDecisionLogAppend and BenchmarkDecisionLogSync run the shared
// decision log benchmarks on a real ClickHouse (docs/performance.md).
func BenchmarkDecisionLogAppend(b *testing.B) {
	srv := testserver.StartClickHouse(b)
	_, l := openDecisionLog(b, srv, srv.CreateDatabase(b), decisionlog.Options{})
	logtest.BenchmarkAppend(b, l)
}

func BenchmarkDecisionLogSync(b *testing.B) {
	srv := testserver.StartClickHouse(b)
	_, l := openDecisionLog(b, srv, srv.CreateDatabase(b), decisionlog.Options{})
	logtest.BenchmarkSync(b, l)
}
