package clickhouse

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
)

func TestTimeoutsAndCancellation(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	s, db := openTestSource(t, srv, events.Mapping{})
	ctx := testCtx(t)
	if err := s.CreateLiftgateSchema(ctx); err != nil {
		t.Fatal(err)
	}
	mustInsert(t, s, scenarioEvents())
	// A view that sleeps for every block it reads makes every store query
	// slow. (sleep is capped at 3 s per call on the server.)
	srv.Exec(t, db, "CREATE VIEW slow_events AS SELECT * FROM events WHERE sleep(2) = 0")

	sleepy := func(s *Source, ctx context.Context) error {
		return s.query(ctx, "sleep probe", "SELECT sleep(3)", nil, func(driver.Rows) error { return nil })
	}
	// expectPrompt fails the test if a cancelled query waited for the
	// server to finish: the point of cancellation.
	expectPrompt := func(t *testing.T, start time.Time) {
		t.Helper()
		if d := time.Since(start); d > 2500*time.Millisecond {
			t.Errorf("the call returned after %v, not when it was cancelled", d)
		}
	}

	t.Run("caller deadline", func(t *testing.T) {
		cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := sleepy(s, cctx)
		expectPrompt(t, start)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "clickhouse: sleep probe: cancelled by the caller") {
			t.Fatalf("want a deadline error naming the source and operation, got %v", err)
		}
	})

	t.Run("caller cancels", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		err := sleepy(s, cctx)
		expectPrompt(t, start)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "clickhouse: sleep probe: cancelled by the caller") {
			t.Fatalf("want a cancellation error naming the source and operation, got %v", err)
		}
	})

	slowMapping := events.LiftgateMapping()
	slowMapping.Table = "slow_events"
	slow, err := Open(ctx, Config{
		Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password),
		Mapping: slowMapping, QueryTimeout: plan.Duration(400 * time.Millisecond),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()

	t.Run("query_timeout", func(t *testing.T) {
		start := time.Now()
		err := sleepy(slow, ctx)
		expectPrompt(t, start)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "clickhouse: sleep probe: query timed out after 400ms (query_timeout)") {
			t.Fatalf("want a query_timeout error, got %v", err)
		}
	})

	t.Run("slow metric query", func(t *testing.T) {
		start := time.Now()
		_, err := slow.MetricSums(ctx, stagedScope(), events.Metric{Kind: events.Mean, Value: events.EventValue{Event: "purchase", Property: "amount"}})
		expectPrompt(t, start)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), `clickhouse: mean metric of "exp1": query timed out`) {
			t.Fatalf("want a timeout naming the source and the metric, got %v", err)
		}
		start = time.Now()
		_, err = slow.Exposures(ctx, stagedScope())
		expectPrompt(t, start)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), `clickhouse: exposures of "exp1": query timed out`) {
			t.Fatalf("want a timeout naming the source and exposures, got %v", err)
		}
	})

	t.Run("already cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := s.Exposures(cctx, stagedScope())
		if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "clickhouse: ") {
			t.Fatalf("want a cancellation error, got %v", err)
		}
	})

	// Cancelled queries close their connections; the pool recovers.
	got, err := s.Exposures(ctx, stagedScope())
	if err != nil || len(got.Groups) != 4 {
		t.Fatalf("after cancellations: %+v, %v", got, err)
	}
}
