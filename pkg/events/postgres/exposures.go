package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/liftgate/liftgate/pkg/events"
)

// Exposures counts assigned units per (arm, stage, segment, bucket) and the
// units excluded for multiple arms or unknown arms. Groups without units are
// absent.
func (s *Source) Exposures(ctx context.Context, sc events.Scope) (events.ExposureCounts, error) {
	op := fmt.Sprintf("exposures of %q", sc.Experiment)
	if err := s.checkScope(op, sc); err != nil {
		return events.ExposureCounts{}, err
	}
	p := &params{}
	query := `WITH ` + s.classifiedCTEs(p, sc) + `
SELECT status, arm, stage, segment, bucket, count(*)
FROM classified WHERE status = ` + strconv.Itoa(statusAssigned) + `
GROUP BY status, arm, stage, segment, bucket
UNION ALL
SELECT status, NULL, NULL, NULL, NULL, count(*)
FROM classified WHERE status <> ` + strconv.Itoa(statusAssigned) + `
GROUP BY status`

	var out events.ExposureCounts
	err := s.query(ctx, op, query, p.args, func(rows pgx.Rows) error {
		var (
			status        int32
			arm, segment  *string
			stage, bucket *int64
			units         int64
		)
		if err := rows.Scan(&status, &arm, &stage, &segment, &bucket, &units); err != nil {
			return err
		}
		switch status {
		case statusAssigned:
			out.Groups = append(out.Groups, events.GroupCount{
				GroupKey: events.NewGroupKey(sc, deref(arm), derefInt(stage), deref(segment), derefInt(bucket)),
				Units:    units,
			})
		case statusMulti:
			out.MultiArmUnits = units
		case statusUnknown:
			out.UnknownArmUnits = units
		}
		return nil
	})
	if err != nil {
		return events.ExposureCounts{}, err
	}
	cmp := events.CompareGroupKeys(sc)
	slices.SortFunc(out.Groups, func(a, b events.GroupCount) int { return cmp(a.GroupKey, b.GroupKey) })
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}
