package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
)

// TestCancellationAndTimeout reads through a view that sleeps 5 s per row,
// so every query is slow, and checks that a short caller context and a short
// query_timeout both end it promptly, with an error naming the source and
// the operation, and that the server really stopped working on it.
func TestCancellationAndTimeout(t *testing.T) {
	srv := testserver.StartPostgres(t)
	fast, db := openTestSource(t, srv, events.LiftgateMapping())
	loadEvents(t, fast, []events.Event{exposureEv("1", "u1", at(h), "control", nil)})
	srv.Exec(t, db, `
CREATE FUNCTION slow_true() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(5); RETURN true; END $$;
CREATE VIEW slow_events AS SELECT * FROM events WHERE slow_true();`)
	slowMapping := events.LiftgateMapping()
	slowMapping.Table = "slow_events"
	open := func(timeout time.Duration) *Source {
		s, err := Open(context.Background(), Config{Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password),
			Mapping: slowMapping, QueryTimeout: plan.Duration(timeout)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}

	t.Run("caller context", func(t *testing.T) {
		slow := open(time.Minute)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		began := time.Now()
		_, err := slow.Exposures(ctx, baseScope())
		elapsed := time.Since(began)
		if err == nil {
			t.Fatal("a slow query under a 300ms context succeeded")
		}
		if elapsed > 3*time.Second {
			t.Errorf("cancellation took %s", elapsed)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error does not wrap context.DeadlineExceeded: %v", err)
		}
		for _, want := range []string{"postgres", `exposures of "exp"`, "cancelled by the caller"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	})

	t.Run("query_timeout", func(t *testing.T) {
		slow := open(300 * time.Millisecond)
		began := time.Now()
		_, err := slow.MetricSums(context.Background(), baseScope(), events.Metric{Kind: events.Count, Value: events.EventValue{Event: "purchase"}})
		elapsed := time.Since(began)
		if err == nil {
			t.Fatal("a slow query under a 300ms query_timeout succeeded")
		}
		if elapsed > 3*time.Second {
			t.Errorf("timeout took %s", elapsed)
		}
		for _, want := range []string{"postgres", `count metric of "exp"`, "timed out after 300ms (query_timeout)"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	})

	// The server cancelled the statements (no backend is still sleeping),
	// and the pool is still usable.
	conn, err := pgx.Connect(context.Background(), srv.DSN(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	deadline := time.Now().Add(3 * time.Second)
	for {
		var active int
		if err := conn.QueryRow(context.Background(),
			"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%slow_events%' AND pid <> pg_backend_pid()").Scan(&active); err != nil {
			t.Fatal(err)
		}
		if active == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d slow queries still running on the server after cancellation", active)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := mustExposures(t, fast, baseScope()); len(got.Groups) != 1 {
		t.Fatalf("fast source after cancellations: %+v", got)
	}
}
