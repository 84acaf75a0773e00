package clickhouse

import (
	"fmt"
	"testing"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// TestQueryAfterInsertKeepsItsConnection is the regression test for a
// clickhouse-go race (ClickHouse/clickhouse-go#2032): batch.Send stops its
// context watchdog without waiting for it, so cancelling the batch's
// context right after Send can make the watchdog close the TCP connection
// Send had already returned to the pool, and the next query on it fails
// with "use of closed network connection" (one CI run of the health test
// failed so). With one pooled connection every query after an insert
// reuses that connection; the race depends on scheduling, so this test
// catches it only sometimes, never falsely.
func TestQueryAfterInsertKeepsItsConnection(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	db := srv.CreateDatabase(t)
	s, err := Open(testCtx(t), Config{Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password), MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateLiftgateSchema(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	sc := baseScope()
	for i := range 300 {
		ev := ev(fmt.Sprintf("e%d", i), "exposure", fmt.Sprintf("u%d", i), t0, map[string]any{"experiment": "exp1", "arm": "control"})
		if _, err := s.Insert(testCtx(t), []events.Event{ev}); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
		if _, err := s.Exposures(testCtx(t), sc); err != nil {
			t.Fatalf("query right after insert %d: %v", i, err)
		}
	}
}
