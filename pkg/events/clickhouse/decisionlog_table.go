package clickhouse

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// decisionsTable is the decision log's table, in the configured database.
const decisionsTable = "liftgate_decisions"

// decisionsDDL creates the table. entry holds the whole entry as JSON and
// is what readers decode (times keep their nanoseconds there); the other
// columns exist to filter and to apply retention. DateTime holds whole
// seconds (18.16 has no DateTime64), which is all filtering and retention
// need. Partitions are UTC days of recorded_at, so retention drops whole
// days and never rewrites a kept entry (18.16 has no TTL, and its ALTER ...
// DELETE is an asynchronous mutation that rewrites parts).
const decisionsDDL = "CREATE TABLE IF NOT EXISTS `" + decisionsTable + "` (\n" +
	"\t`id` Int64,\n" +
	"\t`recorded_at` DateTime('UTC'),\n" +
	"\t`time` DateTime('UTC'),\n" +
	"\t`experiment` String,\n" +
	"\t`kind` String,\n" +
	"\t`plan_hash` String,\n" +
	"\t`entry` String\n" +
	") ENGINE = MergeTree()\nPARTITION BY toYYYYMMDD(`recorded_at`)\nORDER BY (`experiment`, `id`)"

// createDecisionsTable creates the table if it is missing. Two processes
// creating it at the same instant can make one CREATE ... IF NOT EXISTS
// fail ("already exists", or "is being created right now"): that is
// success once the table is there, so the check is repeated a few times.
func (s *Source) createDecisionsTable(ctx context.Context) error {
	const op = "decision log: creating " + decisionsTable
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.exec(ctx, op, decisionsDDL); err == nil {
			return nil
		}
		p := &params{}
		var n uint64
		found := s.query(ctx, op, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = "+p.text(decisionsTable),
			p.args, func(r driver.Rows) error { return r.Scan(&n) })
		if found == nil && n == 1 {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}
