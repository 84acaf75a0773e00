package clickhouse

import (
	"context"
	"strconv"
	"strings"

	"github.com/liftgate/liftgate/pkg/events"
)

// Unit status in the classified subquery.
const (
	statusAssigned = 0 // exactly one planned arm
	statusMulti    = 1 // two or more planned arms: excluded
	statusUnknown  = 2 // exposures, but none with a planned arm
)

// noSegment labels units whose first exposure lacks the segment property.
const noSegment = "(none)"

// classifiedSQL returns a subquery with one row per exposed unit:
// (_lg_u, _lg_status, _lg_arm, _lg_first, _lg_stage, _lg_segment, _lg_bucket),
// _lg_first in epoch microseconds.
//
// Only exposures of this experiment in [Start, End) count. Exposures whose
// arm is not planned (or missing) are ignored for assignment: a unit's first
// exposure is its earliest exposure to a planned arm (ties broken by event
// id, then segment), and it fixes the unit's arm, stage, segment and bucket.
// A unit with two or more distinct planned arms is "multi"; one with
// exposures but no planned arm is "unknown".
//
// The per-unit GROUP BY reads the mapped table directly, so on a Distributed
// table every shard aggregates its own rows and the initiator merges the
// partial states; the rest runs on the initiator over one row per unit.
func (s *Source) classifiedSQL(ctx context.Context, op string, p *params, sc events.Scope) (string, error) {
	var exposed string
	var err error
	if s.mapping.Assignments != nil {
		exposed, err = s.exposedFromAssignments(ctx, op, p, sc)
	} else {
		exposed, err = s.exposedFromEvents(ctx, op, p, sc)
	}
	if err != nil {
		return "", err
	}
	bucket := "toInt64(0)"
	if sc.Bucket > 0 {
		bucket = "intDiv(_lg_first - " + p.int(sc.Start.UnixMicro()) + ", " + p.int(sc.Bucket.Microseconds()) + ")"
	}
	return `SELECT _lg_u, multiIf(_lg_narms = 1, ` + strconv.Itoa(statusAssigned) + `, _lg_narms > 1, ` + strconv.Itoa(statusMulti) + `, ` + strconv.Itoa(statusUnknown) + `) AS _lg_status,
		_lg_arm, _lg_first, ` + stageSQL(p, sc.Stages) + ` AS _lg_stage, _lg_seg AS _lg_segment, ` + bucket + ` AS _lg_bucket
	FROM (` + exposed + `)`, nil
}

// exposedFromEvents aggregates exposure events per unit.
func (s *Source) exposedFromEvents(ctx context.Context, op string, p *params, sc events.Scope) (string, error) {
	t, err := s.eventTableFor(ctx, op)
	if err != nil {
		return "", err
	}
	exp := s.exposureFor(sc)
	segment := "''"
	if sc.Segment != "" {
		segment = "if(" + t.props.present(p, sc.Segment) + ", " + t.props.text(p, sc.Segment) + ", " + p.text(noSegment) + ")"
	}
	return `WITH ` + t.unitOf(p, sc) + ` AS _lg_u, ` + t.time.micros + ` AS _lg_t, ` + t.id + ` AS _lg_id,
		` + t.props.text(p, exp.ArmProperty) + ` AS _lg_a, _lg_a IN ` + p.list(sc.Arms) + ` AS _lg_planned,
		` + segment + ` AS _lg_s
	SELECT _lg_u, uniqExactIf(_lg_a, _lg_planned) AS _lg_narms, minIf(_lg_t, _lg_planned) AS _lg_first,
		anyIf(_lg_a, _lg_planned) AS _lg_arm, argMinIf(_lg_s, (_lg_t, _lg_id, _lg_s), _lg_planned) AS _lg_seg
	FROM ` + t.from + `
	WHERE ` + t.event + ` = ` + p.text(exp.Event) + `
		AND ` + t.time.within(p, "_lg_t", sc.Start.UnixMicro(), sc.End.UnixMicro()) + `
		AND ` + t.props.text(p, exp.ExperimentProperty) + ` = ` + p.text(sc.Experiment) + `
		AND _lg_u != ''
	GROUP BY _lg_u`, nil
}

// exposedFromAssignments aggregates assignment-table rows per unit. An
// assignment table has no properties: a segment is read from the unit's
// first event named like the exposure event in [Start, End), if the mapping
// or plan names one, else it is "(none)".
func (s *Source) exposedFromAssignments(ctx context.Context, op string, p *params, sc events.Scope) (string, error) {
	a, err := s.assignmentTableFor(ctx, op)
	if err != nil {
		return "", err
	}
	exposed := `WITH ` + a.unit + ` AS _lg_u, ` + a.time.micros + ` AS _lg_t, ` + a.value + ` AS _lg_a, _lg_a IN ` + p.list(sc.Arms) + ` AS _lg_planned
	SELECT _lg_u, uniqExactIf(_lg_a, _lg_planned) AS _lg_narms, minIf(_lg_t, _lg_planned) AS _lg_first, anyIf(_lg_a, _lg_planned) AS _lg_arm
	FROM ` + a.from + `
	WHERE ` + a.experiment + ` = ` + p.text(sc.Experiment) + `
		AND ` + a.time.within(p, "_lg_t", sc.Start.UnixMicro(), sc.End.UnixMicro()) + `
		AND _lg_u != ''
	GROUP BY _lg_u`
	exp := s.exposureFor(sc)
	if sc.Segment == "" {
		return `SELECT *, '' AS _lg_seg FROM (` + exposed + `)`, nil
	}
	if exp.Event == "" {
		return `SELECT *, ` + p.text(noSegment) + ` AS _lg_seg FROM (` + exposed + `)`, nil
	}
	t, err := s.eventTableFor(ctx, op)
	if err != nil {
		return "", err
	}
	// _lg_found tells a unit without such an event (0 after the LEFT JOIN)
	// from one whose event has an empty segment value.
	firstEvent := `WITH ` + t.unitOf(p, sc) + ` AS _lg_u, ` + t.time.micros + ` AS _lg_t, ` + t.id + ` AS _lg_id,
		if(` + t.props.present(p, sc.Segment) + `, ` + t.props.text(p, sc.Segment) + `, ` + p.text(noSegment) + `) AS _lg_s
	SELECT _lg_u, argMin(_lg_s, (_lg_t, _lg_id, _lg_s)) AS _lg_first_seg, toUInt8(1) AS _lg_found
	FROM ` + t.from + `
	WHERE ` + t.event + ` = ` + p.text(exp.Event) + `
		AND ` + t.time.within(p, "_lg_t", sc.Start.UnixMicro(), sc.End.UnixMicro()) + `
		AND _lg_u != ''
	GROUP BY _lg_u`
	return `SELECT _lg_u, _lg_narms, _lg_first, _lg_arm, if(_lg_found = 1, _lg_first_seg, ` + p.text(noSegment) + `) AS _lg_seg
	FROM (` + exposed + `) ALL LEFT JOIN (` + firstEvent + `) USING _lg_u`, nil
}

// stageSQL returns the stage index of _lg_first: the last stage whose start
// is at or before it, 0 when none is. Testing from the last stage down makes
// the first match the answer even if stages are not in time order.
func stageSQL(p *params, stages []events.StageStart) string {
	if len(stages) < 2 {
		return "toInt64(0)"
	}
	var b strings.Builder
	b.WriteString("toInt64(multiIf(")
	for i := len(stages) - 1; i >= 1; i-- {
		b.WriteString("_lg_first >= " + p.int(stages[i].Start.UnixMicro()) + ", " + strconv.Itoa(i) + ", ")
	}
	b.WriteString("0))")
	return b.String()
}
