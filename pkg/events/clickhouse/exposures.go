package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/liftgate/liftgate/pkg/events"
)

// Exposures counts assigned units per (arm, stage, segment, bucket) and the
// units excluded for multiple arms or unknown arms. Groups without units
// are absent.
func (s *Source) Exposures(ctx context.Context, sc events.Scope) (events.ExposureCounts, error) {
	op := fmt.Sprintf("exposures of %q", sc.Experiment)
	if err := s.checkScope(op, sc); err != nil {
		return events.ExposureCounts{}, err
	}
	p := &params{}
	classified, err := s.classifiedSQL(ctx, op, p, sc)
	if err != nil {
		return events.ExposureCounts{}, err
	}
	// Excluded units collapse into one row per status.
	assigned := "_lg_status = " + strconv.Itoa(statusAssigned)
	query := `SELECT toUInt8(_lg_status) AS _lg_k_status, if(` + assigned + `, _lg_arm, '') AS _lg_k_arm,
	if(` + assigned + `, _lg_stage, toInt64(0)) AS _lg_k_stage, if(` + assigned + `, _lg_segment, '') AS _lg_k_segment,
	if(` + assigned + `, _lg_bucket, toInt64(0)) AS _lg_k_bucket, toInt64(count()) AS _lg_k_units
FROM (` + classified + `)
GROUP BY _lg_k_status, _lg_k_arm, _lg_k_stage, _lg_k_segment, _lg_k_bucket`

	var out events.ExposureCounts
	err = s.query(ctx, op, query, p.args, func(rows driver.Rows) error {
		var (
			status        uint8
			arm, segment  string
			stage, bucket int64
			units         int64
		)
		if err := rows.Scan(&status, &arm, &stage, &segment, &bucket, &units); err != nil {
			return err
		}
		switch status {
		case statusAssigned:
			out.Groups = append(out.Groups, events.GroupCount{GroupKey: events.NewGroupKey(sc, arm, stage, segment, bucket), Units: units})
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
