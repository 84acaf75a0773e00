package duckdb

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// groupKey reads one group's key columns (arm, stage, segment, bucket index)
// into an events.GroupKey. The bucket comes back as an index so that its
// time is computed here, exactly, rather than through SQL time zones.
func groupKey(sc events.Scope, arm string, stage int64, segment string, bucket int64) events.GroupKey {
	k := events.GroupKey{Arm: arm, Stage: int(stage), Segment: segment}
	if sc.Bucket > 0 {
		k.Bucket = time.UnixMicro(sc.Start.UnixMicro() + bucket*sc.Bucket.Microseconds()).UTC()
	}
	return k
}

// compareKeys orders groups by planned arm order, then stage, segment and
// bucket, so results are stable and read in the plan's order.
func compareKeys(sc events.Scope) func(a, b events.GroupKey) int {
	armIndex := func(arm string) int { return slices.Index(sc.Arms, arm) }
	return func(a, b events.GroupKey) int {
		if c := armIndex(a.Arm) - armIndex(b.Arm); c != 0 {
			return c
		}
		if c := a.Stage - b.Stage; c != 0 {
			return c
		}
		if c := strings.Compare(a.Segment, b.Segment); c != 0 {
			return c
		}
		return a.Bucket.Compare(b.Bucket)
	}
}

// scanGroupKey scans the four key columns, which are NULL-free for
// assigned units.
func scanGroupKey(rows *sql.Rows, sc events.Scope, rest ...any) (events.GroupKey, error) {
	var (
		arm, segment  string
		stage, bucket int64
	)
	if err := rows.Scan(append([]any{&arm, &stage, &segment, &bucket}, rest...)...); err != nil {
		return events.GroupKey{}, fmt.Errorf("duckdb: reading a group: %w", err)
	}
	return groupKey(sc, arm, stage, segment, bucket), nil
}
