package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/liftgate/liftgate/pkg/events"
)

// Exposures counts assigned units per (arm, stage, segment, bucket) and the
// units excluded for multiple arms or unknown arms. Groups without units
// are absent.
func (s *Store) Exposures(ctx context.Context, sc events.Scope) (events.ExposureCounts, error) {
	if err := checkScope(sc); err != nil {
		return events.ExposureCounts{}, err
	}
	p := &params{}
	query := `WITH ` + assignmentCTEs(p, sc) + `
SELECT status, arm, stage, segment, bucket, count(*) AS units
FROM classified WHERE status = '` + statusAssigned + `'
GROUP BY status, arm, stage, segment, bucket
UNION ALL
SELECT status, NULL, NULL, NULL, NULL, count(*)
FROM classified WHERE status <> '` + statusAssigned + `'
GROUP BY status`
	rows, err := s.db.QueryContext(ctx, query, p.args...)
	if err != nil {
		return events.ExposureCounts{}, fmt.Errorf("duckdb: exposures of %q: %w", sc.Experiment, err)
	}
	defer rows.Close()

	var out events.ExposureCounts
	for rows.Next() {
		var (
			status, arm, segment sql.NullString
			stage, bucket        sql.NullInt64
			units                int64
		)
		if err := rows.Scan(&status, &arm, &stage, &segment, &bucket, &units); err != nil {
			return events.ExposureCounts{}, fmt.Errorf("duckdb: exposures of %q: %w", sc.Experiment, err)
		}
		switch status.String {
		case statusAssigned:
			out.Groups = append(out.Groups, events.GroupCount{
				GroupKey: events.NewGroupKey(sc, arm.String, stage.Int64, segment.String, bucket.Int64),
				Units:    units,
			})
		case statusMulti:
			out.MultiArmUnits = units
		case statusUnknown:
			out.UnknownArmUnits = units
		}
	}
	if err := rows.Err(); err != nil {
		return events.ExposureCounts{}, fmt.Errorf("duckdb: exposures of %q: %w", sc.Experiment, err)
	}
	cmp := events.CompareGroupKeys(sc)
	slices.SortFunc(out.Groups, func(a, b events.GroupCount) int { return cmp(a.GroupKey, b.GroupKey) })
	return out, nil
}
