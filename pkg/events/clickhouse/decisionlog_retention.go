package clickhouse

import (
	"context"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Compact implements decisionlog.Retainer: it drops every daily partition
// whose UTC day ended at or before now − MaxAge (so an entry may be kept up
// to a day longer, as in the file log) and returns how many entries those
// partitions held. Dropping a partition is synchronous and leaves every
// other partition untouched, unlike ALTER TABLE ... DELETE.
//
// The partition holding the largest id is always kept, like the file log's
// open segment: ids are max(id)+1, so emptying the table would let them
// start again at 1. A later Compact drops it once a newer append has moved
// the largest id to another day.
//
// Counting then dropping is not atomic: a row written into an old day by a
// process whose clock is far behind, or a Compact of another process at
// the same moment, can make the count differ from what was dropped.
func (l *DecisionLog) Compact(ctx context.Context, now time.Time) (int, error) {
	const op = "decision log: retention"
	if err := l.usable(ctx, op); err != nil {
		return 0, err
	}
	if l.maxAge == 0 {
		return 0, nil
	}
	// Days before the one holding the cutoff ended at or before it.
	keepFrom := yyyymmdd(now.Add(-l.maxAge))
	s := l.src
	decisionsMu.Lock()
	defer decisionsMu.Unlock()

	type day struct {
		rows  uint64
		maxID int64
	}
	days := map[uint32]day{}
	var newest uint32
	var newestID int64 = -1
	err := s.query(ctx, op, "SELECT toYYYYMMDD(`recorded_at`) AS d, count(), max(`id`) FROM `"+decisionsTable+"` GROUP BY d", nil,
		func(r driver.Rows) error {
			var d uint32
			var x day
			if err := r.Scan(&d, &x.rows, &x.maxID); err != nil {
				return err
			}
			days[d] = x
			if x.maxID > newestID {
				newest, newestID = d, x.maxID
			}
			return nil
		})
	if err != nil {
		return 0, err
	}
	dropped := 0
	for d, x := range days {
		if d >= keepFrom || d == newest {
			continue
		}
		// The partition is named by the integer the server computed from
		// recorded_at, formatted here with strconv: no text from an entry
		// ever reaches the statement.
		if err := s.exec(ctx, op, "ALTER TABLE `"+decisionsTable+"` DROP PARTITION "+strconv.FormatUint(uint64(d), 10)); err != nil {
			return dropped, err
		}
		dropped += int(x.rows)
	}
	return dropped, nil
}

// yyyymmdd is t's UTC day as the partition key writes it, e.g. 20261216.
func yyyymmdd(t time.Time) uint32 {
	y, m, d := t.UTC().Date()
	if y < 0 {
		return 0
	}
	return uint32(y*10000 + int(m)*100 + d)
}
