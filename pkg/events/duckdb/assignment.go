package duckdb

import (
	"strconv"
	"strings"

	"github.com/liftgate/liftgate/pkg/events"
)

// Unit status in the classified CTE.
const (
	statusAssigned = "assigned" // exactly one planned arm
	statusMulti    = "multi"    // two or more planned arms: excluded
	statusUnknown  = "unknown"  // exposures, but none with a planned arm
)

// noSegment labels units whose first exposure lacks the segment property.
const noSegment = "(none)"

// unitExpr is the unit of an event row: the unit_id column for "user_id"
// (or ""), else the named property.
func unitExpr(p *params, sc events.Scope, column string) string {
	if sc.Unit == "" || sc.Unit == "user_id" {
		return "unit_id"
	}
	return p.property(column, sc.Unit)
}

// assignmentCTEs returns the WITH-clause entries that assign units to arms,
// ending in classified(unit, status, arm, first_ts, stage, segment, bucket).
//
// Only exposures of this experiment in [Start, End) count. Exposures whose
// arm is not planned are ignored for assignment: a unit's first exposure is
// its earliest exposure to a planned arm (ties broken by event id), and it
// fixes the unit's arm, stage, segment and bucket. A unit with two or more
// distinct planned arms is "multi"; one with exposures but no planned arm
// is "unknown".
func assignmentCTEs(p *params, sc events.Scope) string {
	segment := "''"
	if sc.Segment != "" {
		segment = "coalesce(" + p.property("properties", sc.Segment) + ", '" + noSegment + "')"
	}
	bucket := "0"
	if sc.Bucket > 0 {
		bucket = "(epoch_us(first_ts) - " + p.bind(sc.Start.UnixMicro()) + "::BIGINT) // " + p.bind(sc.Bucket.Microseconds()) + "::BIGINT"
	}
	return `exposure AS (
	SELECT ` + unitExpr(p, sc, "properties") + ` AS unit, ts, id,
		` + p.property("properties", sc.Exposure.ArmProperty) + ` AS arm,
		` + segment + ` AS segment
	FROM events
	WHERE event = ` + p.bind(sc.Exposure.Event) + `
		AND ts >= ` + p.timestamp(sc.Start) + ` AND ts < ` + p.timestamp(sc.End) + `
		AND ` + p.property("properties", sc.Exposure.ExperimentProperty) + ` = ` + p.bind(sc.Experiment) + `
),
planned_exposure AS (
	SELECT *, coalesce(arm IN ` + p.list(sc.Arms) + `, false) AS planned FROM exposure WHERE unit IS NOT NULL AND unit <> ''
),
exposed AS (
	SELECT unit,
		count(DISTINCT arm) FILTER (WHERE planned) AS planned_arms,
		min(ts) FILTER (WHERE planned) AS first_ts,
		arg_min(arm, {'ts': ts, 'id': id}) FILTER (WHERE planned) AS arm,
		arg_min(segment, {'ts': ts, 'id': id}) FILTER (WHERE planned) AS segment
	FROM planned_exposure
	GROUP BY unit
),
classified AS (
	SELECT unit,
		CASE WHEN planned_arms = 1 THEN '` + statusAssigned + `' WHEN planned_arms > 1 THEN '` + statusMulti + `' ELSE '` + statusUnknown + `' END AS status,
		arm, first_ts,
		` + stageCase(p, sc.Stages) + ` AS stage,
		segment,
		` + bucket + ` AS bucket
	FROM exposed
)`
}

// stageCase returns the stage index of first_ts: the last stage whose start
// is at or before it, 0 when none is. Testing from the last stage down makes
// the first matching WHEN the answer even if stages are not in time order.
func stageCase(p *params, stages []events.StageStart) string {
	if len(stages) < 2 {
		return "0"
	}
	var b strings.Builder
	b.WriteString("CASE")
	for i := len(stages) - 1; i >= 1; i-- {
		b.WriteString(" WHEN first_ts >= " + p.timestamp(stages[i].Start) + " THEN " + strconv.Itoa(i))
	}
	b.WriteString(" ELSE 0 END")
	return b.String()
}
