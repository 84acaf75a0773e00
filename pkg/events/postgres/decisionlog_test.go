package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/decisionlog/logtest"
	"github.com/liftgate/liftgate/pkg/events"
)

// openDecisionLog opens a new Source on db, with its own connection pool
// (to the server, another process), and its decision log.
func openDecisionLog(t testing.TB, cfg Config, opts decisionlog.Options) (*Source, *DecisionLog) {
	t.Helper()
	ctx := context.Background()
	src, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = src.Close() })
	l, err := src.DecisionLog(ctx, opts)
	if err != nil {
		t.Fatalf("decision log: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return src, l
}

// dbConfig reaches database db of srv as the superuser.
func dbConfig(srv *testserver.PostgresServer, db string) Config {
	return Config{Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password), TLS: TLS{Mode: "disable"}}
}

func TestDecisionLogConformance(t *testing.T) {
	srv := testserver.StartPostgres(t)
	logtest.Run(t, func(t *testing.T) logtest.Opener {
		db := srv.CreateDatabase(t)
		return func(t *testing.T, opts decisionlog.Options) decisionlog.Log {
			_, l := openDecisionLog(t, dbConfig(srv, db), opts)
			return l
		}
	})
}

// TestDecisionLogTwoProcesses appends from two Sources (two pools, like the
// two exporters of an HA pair) at once while a third polls with AfterID the
// way the exporter's recorder does. If ids could become visible out of
// order, the poller would step over an id and miss its entry.
func TestDecisionLogTwoProcesses(t *testing.T) {
	srv := testserver.StartPostgres(t)
	db := srv.CreateDatabase(t)
	const processes, writers, batches = 2, 3, 12
	logs := make([]*DecisionLog, processes)
	for i := range logs {
		_, logs[i] = openDecisionLog(t, dbConfig(srv, db), decisionlog.Options{})
	}
	_, reader := openDecisionLog(t, dbConfig(srv, db), decisionlog.Options{})

	ctx := context.Background()
	stop := make(chan struct{})
	polled := make(chan []uint64)
	pollErr := make(chan error, 1)
	go func() {
		var seen []uint64
		var after uint64
		for done := false; ; {
			select {
			case <-stop:
				done = true // one last read after every append returned
			default:
			}
			got, err := reader.List(ctx, decisionlog.Filter{AfterID: after})
			if err != nil {
				pollErr <- err
				close(polled)
				return
			}
			for _, e := range got {
				seen = append(seen, e.ID)
				after = e.ID
			}
			if done {
				polled <- seen
				return
			}
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, processes*writers*batches)
	for p, l := range logs {
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				exp := fmt.Sprintf("p%d-w%d", p, w)
				for b := 0; b < batches; b++ {
					if _, err := l.Append(ctx, logtest.Plan(logtest.T0, exp, "", fmt.Sprintf("sha256:%d", b)),
						logtest.Verdict(logtest.T0, exp, "conv", "insufficient_data", "inconclusive")); err != nil {
						errs <- err
					}
				}
			}()
		}
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		t.Fatalf("append: %v", err)
	}
	seen, ok := <-polled
	if !ok {
		t.Fatalf("poll: %v", <-pollErr)
	}

	want := processes * writers * batches * 2
	all := map[uint64]bool{}
	for i, l := range append(logs, reader) {
		got, err := l.List(ctx, decisionlog.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Fatalf("log %d lists %d entries, want %d", i, len(got), want)
		}
		for j, e := range got {
			if j > 0 && e.ID <= got[j-1].ID {
				t.Fatalf("log %d: List not ordered by id at %d: %d then %d", i, j, got[j-1].ID, e.ID)
			}
			all[e.ID] = true
		}
	}
	if len(all) != want {
		t.Fatalf("%d distinct ids for %d entries", len(all), want)
	}
	if len(seen) != want {
		t.Fatalf("polling with AfterID saw %d of %d entries: an id became visible after a larger one", len(seen), want)
	}
}

// TestDecisionLogIsAppendOnly issues UPDATE and TRUNCATE directly: the
// table's trigger refuses both, even an UPDATE that matches nothing, while
// DELETE (retention) still works.
func TestDecisionLogIsAppendOnly(t *testing.T) {
	srv := testserver.StartPostgres(t)
	src, l := openDecisionLog(t, dbConfig(srv, srv.CreateDatabase(t)), decisionlog.Options{})
	ctx := context.Background()
	stored, err := l.Append(ctx, logtest.Human(logtest.T0, "a", decisionlog.HumanHold, "wait"))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE liftgate_decisions SET experiment = 'b'`,
		`UPDATE liftgate_decisions SET entry = '{}' WHERE id < 0`,
		`TRUNCATE liftgate_decisions`,
	} {
		_, err := src.pool.Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23001" || !strings.Contains(pgErr.Message, "append-only") {
			t.Errorf("%s: got %v, want the append-only trigger's restrict_violation", stmt, err)
		}
	}
	got, err := l.List(ctx, decisionlog.Filter{})
	if err != nil || len(got) != 1 || got[0].Experiment != "a" || got[0].ID != stored[0].ID {
		t.Fatalf("after refused changes: %+v %v", got, err)
	}
	if _, err := src.pool.Exec(ctx, `DELETE FROM liftgate_decisions WHERE id < 0`); err != nil {
		t.Fatalf("DELETE must stay allowed for retention: %v", err)
	}
}

// TestDecisionLogConcurrentCreate opens the log from several Sources at the
// same instant on a database without the table, as exporters starting
// together do.
func TestDecisionLogConcurrentCreate(t *testing.T) {
	srv := testserver.StartPostgres(t)
	db := srv.CreateDatabase(t)
	const n = 6
	srcs := make([]*Source, n)
	for i := range srcs {
		src, err := Open(context.Background(), dbConfig(srv, db))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = src.Close() })
		srcs[i] = src
	}
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for _, src := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := src.DecisionLog(context.Background(), decisionlog.Options{})
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
	var triggers int
	if err := srcs[0].pool.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_trigger WHERE tgrelid = 'liftgate_decisions'::regclass AND NOT tgisinternal`).Scan(&triggers); err != nil || triggers != 1 {
		t.Fatalf("triggers on the table: %d %v, want 1", triggers, err)
	}
}

// TestDecisionLogFollowsEventSchema checks where the table goes: into the
// schema of a schema-qualified event table, else the search_path's.
func TestDecisionLogFollowsEventSchema(t *testing.T) {
	srv := testserver.StartPostgres(t)
	ctx := context.Background()
	where := func(src *Source) string {
		var schema string
		if err := src.pool.QueryRow(ctx, `SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relname = 'liftgate_decisions'`).Scan(&schema); err != nil {
			t.Fatalf("finding the table: %v", err)
		}
		return schema
	}
	appendOne := func(l *DecisionLog) {
		if _, err := l.Append(ctx, logtest.Human(logtest.T0, "a", decisionlog.HumanHold, "wait")); err != nil {
			t.Fatal(err)
		}
		if got, err := l.List(ctx, decisionlog.Filter{}); err != nil || len(got) != 1 {
			t.Fatalf("list: %d %v", len(got), err)
		}
	}

	db := srv.CreateDatabase(t)
	srv.Exec(t, db, `CREATE SCHEMA analytics`)
	cfg := dbConfig(srv, db)
	cfg.Mapping = events.LiftgateMapping()
	cfg.Mapping.Table = "analytics.events"
	src, l := openDecisionLog(t, cfg, decisionlog.Options{})
	if got := where(src); got != "analytics" {
		t.Fatalf("with mapping.table analytics.events the log is in schema %q", got)
	}
	appendOne(l)

	db = srv.CreateDatabase(t)
	srv.Exec(t, db, `CREATE SCHEMA liftgate`)
	dsn, err := url.Parse(srv.DSN(db))
	if err != nil {
		t.Fatal(err)
	}
	q := dsn.Query()
	q.Set("search_path", "liftgate")
	dsn.RawQuery = q.Encode()
	src, l = openDecisionLog(t, Config{DSN: ConnString(dsn.String())}, decisionlog.Options{})
	if got := where(src); got != "liftgate" {
		t.Fatalf("with search_path liftgate the log is in schema %q", got)
	}
	appendOne(l)
}

// TestDecisionLogWriterRole opens the log as a role that may read, append
// and delete but not create: it works once an owner has created the
// table, and fails with a clear error before.
func TestDecisionLogWriterRole(t *testing.T) {
	srv := testserver.StartPostgres(t)
	ctx := context.Background()
	srv.Exec(t, "postgres", `CREATE ROLE writer LOGIN PASSWORD 'writer-pw'`)
	writer := func(db string) Config {
		return Config{Addr: srv.Addr(), Database: db, User: "writer", Password: "writer-pw", TLS: TLS{Mode: "disable"}}
	}

	bare := srv.CreateDatabase(t)
	src, err := Open(ctx, writer(bare))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.DecisionLog(ctx, decisionlog.Options{}); err == nil || !strings.Contains(err.Error(), "creating liftgate_decisions") {
		t.Fatalf("without the table and without CREATE: %v", err)
	}

	db := srv.CreateDatabase(t)
	openDecisionLog(t, dbConfig(srv, db), decisionlog.Options{}) // the owner creates it
	srv.Exec(t, db, `GRANT SELECT, INSERT, DELETE ON liftgate_decisions TO writer`)
	srv.Exec(t, db, `GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO writer`)
	clock := logtest.NewClock(logtest.T0)
	_, l := openDecisionLog(t, writer(db), decisionlog.Options{MaxAge: time.Hour, Now: clock.Now})
	if _, err := l.Append(ctx, logtest.Human(logtest.T0, "a", decisionlog.HumanHold, "wait")); err != nil {
		t.Fatalf("append as writer: %v", err)
	}
	if n, err := l.Compact(ctx, logtest.T0.Add(2*time.Hour)); err != nil || n != 1 {
		t.Fatalf("compact as writer: %d %v", n, err)
	}
}

// TestDecisionLogRetentionCutoff checks Compact's boundary: an entry
// recorded exactly MaxAge before now is kept, one recorded a microsecond
// earlier is dropped, and Compact reports how many it dropped.
func TestDecisionLogRetentionCutoff(t *testing.T) {
	srv := testserver.StartPostgres(t)
	ctx := context.Background()
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := logtest.NewClock(base.Add(-time.Microsecond))
	_, l := openDecisionLog(t, dbConfig(srv, srv.CreateDatabase(t)), decisionlog.Options{MaxAge: time.Hour, Now: clock.Now})
	for _, at := range []time.Time{base.Add(-time.Microsecond), base, base.Add(time.Minute)} {
		clock.Set(at)
		if _, err := l.Append(ctx, logtest.Human(at, "a", decisionlog.HumanHold, "wait")); err != nil {
			t.Fatal(err)
		}
	}
	n, err := l.Compact(ctx, base.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("compact dropped %d (%v), want 1", n, err)
	}
	got, err := l.List(ctx, decisionlog.Filter{})
	if err != nil || len(got) != 2 || !got[0].RecordedAt.Equal(base) || !got[1].RecordedAt.Equal(base.Add(time.Minute)) {
		t.Fatalf("kept %+v (%v), want the entries recorded at and after the cutoff", got, err)
	}
}

// TestDecisionLogHostileFilterValues stores experiments and plan hashes
// that would subvert SQL if they were pasted into it, or that a text
// column cannot hold (NUL), and selects each by its experiment: every one
// is found, alone, exactly as given, and the table survives.
func TestDecisionLogHostileFilterValues(t *testing.T) {
	srv := testserver.StartPostgres(t)
	ctx := context.Background()
	_, l := openDecisionLog(t, dbConfig(srv, srv.CreateDatabase(t)), decisionlog.Options{})
	hostile := []string{"exp'; DROP TABLE liftgate_decisions; --", `$$; DELETE FROM liftgate_decisions; $$`, "nul\x00byte", "nul\uFFFDbyte", `a"b\c ü`}
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
		if err != nil || len(got) != 1 || got[0].ID != stored[i].ID || got[0].Experiment != h || got[0].Human.Why != h {
			t.Fatalf("experiment %q: %+v (%v)", h, got, err)
		}
	}
}

// BenchmarkDecisionLogAppend and BenchmarkDecisionLogSync run the shared
// decision log benchmarks on a real PostgreSQL (docs/performance.md).
func BenchmarkDecisionLogAppend(b *testing.B) {
	srv := testserver.StartPostgres(b)
	_, l := openDecisionLog(b, dbConfig(srv, srv.CreateDatabase(b)), decisionlog.Options{})
	logtest.BenchmarkAppend(b, l)
}

func BenchmarkDecisionLogSync(b *testing.B) {
	srv := testserver.StartPostgres(b)
	_, l := openDecisionLog(b, dbConfig(srv, srv.CreateDatabase(b)), decisionlog.Options{})
	logtest.BenchmarkSync(b, l)
}
