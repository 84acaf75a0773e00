package duckdb

import (
	"database/sql"
	"fmt"

	"github.com/liftgate/liftgate/pkg/events"
)

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
	return events.NewGroupKey(sc, arm, stage, segment, bucket), nil
}
