package postgres

import (
	"strconv"
	"strings"

	"github.com/liftgate/liftgate/pkg/events"
)

// Unit status in the classified CTE.
const (
	statusAssigned = 0 // exactly one planned arm
	statusMulti    = 1 // two or more planned arms: excluded
	statusUnknown  = 2 // exposures, but none with a planned arm
)

// noSegment labels units whose first exposure lacks the segment property.
const noSegment = "(none)"

// eventsFrom is the event table with its properties as jsonb under x.p, so
// a json or text column is converted once per row.
func (s *Source) eventsFrom() string {
	return ident(s.mapping.Table) + " e CROSS JOIN LATERAL (SELECT e." +
		ident(s.mapping.Columns.Properties) + "::jsonb AS p) x"
}

// col is a mapped column of the event table.
func (s *Source) col(name string) string { return "e." + ident(name) }

// unitExpr is the unit of an event row as text: the mapped unit column for
// "user_id" (or ""), else the named property (NULL when absent).
func (s *Source) unitExpr(p *params, sc events.Scope) string {
	if sc.Unit == "" || sc.Unit == "user_id" {
		return s.col(s.mapping.Columns.Unit) + "::text"
	}
	return "(x.p ->> " + p.text(sc.Unit) + ")"
}

// idExpr is the event id as text, or NULL when the mapping has none.
func (s *Source) idExpr() string {
	if s.mapping.Columns.ID == "" {
		return "NULL::text"
	}
	return s.col(s.mapping.Columns.ID) + "::text"
}

// classifiedCTEs returns the WITH-clause entries that assign units to arms,
// ending in classified(unit, status, arm, first_ts, stage, segment, bucket).
//
// Ties and arm comparisons use the "C" collation (byte order), so the
// answer does not depend on the database's locale and matches the other
// stores.
//
// Only exposures of this experiment in [Start, End) with a non-empty unit
// count. Exposures whose arm is not planned (or missing) are ignored for
// assignment: a unit's first exposure is its earliest exposure to a planned
// arm (ties broken by event id), and it fixes the unit's arm, stage, segment
// and bucket. A unit with two or more distinct planned arms is "multi"; one
// with exposures but no planned arm is "unknown".
func (s *Source) classifiedCTEs(p *params, sc events.Scope) string {
	exposure, segmentJoin := s.exposureCTE(p, sc)
	segment := "''::text"
	if sc.Segment != "" {
		segment = "segment"
		if segmentJoin != "" {
			segment = "coalesce(segment_source.segment, '" + noSegment + "')"
		}
	}
	firstSegment := ""
	if sc.Segment != "" && segmentJoin == "" {
		firstSegment = ",\n\t\t(array_agg(segment ORDER BY ts, id COLLATE \"C\", segment COLLATE \"C\") FILTER (WHERE planned))[1] AS segment"
	}
	bucket := "0::bigint"
	if sc.Bucket > 0 {
		// extract(epoch ...) is an exact numeric (PostgreSQL 14+), so a
		// first exposure on a boundary lands in the later bucket.
		bucket = "div((extract(epoch FROM first_ts) - extract(epoch FROM " + p.timestamp(sc.Start) + ")) * 1000000, " +
			p.bigint(sc.Bucket.Microseconds()) + ")::bigint"
	}
	return exposure + `,
planned_exposure AS (
	SELECT *, coalesce(arm = ANY(` + p.texts(sc.Arms) + `), false) AS planned FROM exposure WHERE unit IS NOT NULL AND unit <> ''
),
exposed AS (
	SELECT unit,
		bool_or(planned) AS any_planned,
		min(arm COLLATE "C") FILTER (WHERE planned) AS arm,
		max(arm COLLATE "C") FILTER (WHERE planned) AS arm_max,
		min(ts) FILTER (WHERE planned) AS first_ts` + firstSegment + `
	FROM planned_exposure
	GROUP BY unit
),
classified AS (
	SELECT exposed.unit,
		CASE WHEN NOT any_planned THEN ` + strconv.Itoa(statusUnknown) + ` WHEN arm = arm_max THEN ` + strconv.Itoa(statusAssigned) + ` ELSE ` + strconv.Itoa(statusMulti) + ` END AS status,
		arm, first_ts,
		` + stageCase(p, sc.Stages) + ` AS stage,
		` + segment + ` AS segment,
		` + bucket + ` AS bucket
	FROM exposed` + segmentJoin + `
)`
}

// exposureCTE returns exposure(unit, ts, id, arm, segment) and, when the
// segment must come from elsewhere, the join that supplies it.
func (s *Source) exposureCTE(p *params, sc events.Scope) (cte, segmentJoin string) {
	exp := s.exposureFor(sc)
	if a := s.mapping.Assignments; a != nil {
		cte = `exposure AS (
	SELECT a.` + ident(a.Unit) + `::text AS unit, a.` + ident(a.Time) + `::timestamptz AS ts, NULL::text AS id,
		a.` + ident(a.Variant) + `::text AS arm, NULL::text AS segment
	FROM ` + ident(a.Table) + ` a
	WHERE a.` + ident(a.Experiment) + `::text = ` + p.text(sc.Experiment) + `
		AND a.` + ident(a.Time) + ` >= ` + p.timestamp(sc.Start) + ` AND a.` + ident(a.Time) + ` < ` + p.timestamp(sc.End) + `
)`
		if sc.Segment == "" {
			return cte, ""
		}
		// An assignment table has no properties: the segment is read from
		// the unit's first exposure-named event in [Start, End), if the
		// mapping or plan names one.
		if exp.Event == "" {
			return cte, " CROSS JOIN (SELECT NULL::text AS segment) segment_source"
		}
		cte += `,
segment_source AS (
	SELECT DISTINCT ON (unit) unit, segment FROM (
		SELECT ` + s.unitExpr(p, sc) + ` AS unit, ` + s.col(s.mapping.Columns.Time) + `::timestamptz AS ts, ` + s.idExpr() + ` AS id,
			x.p ->> ` + p.text(sc.Segment) + ` AS segment
		FROM ` + s.eventsFrom() + `
		WHERE ` + s.col(s.mapping.Columns.Event) + ` = ` + p.text(exp.Event) + `
			AND ` + s.col(s.mapping.Columns.Time) + ` >= ` + p.timestamp(sc.Start) + ` AND ` + s.col(s.mapping.Columns.Time) + ` < ` + p.timestamp(sc.End) + `
	) seg
	WHERE unit IS NOT NULL
	ORDER BY unit, ts, id COLLATE "C", segment COLLATE "C"
)`
		return cte, " LEFT JOIN segment_source ON segment_source.unit = exposed.unit"
	}

	segment := "NULL::text"
	if sc.Segment != "" {
		segment = "coalesce(x.p ->> " + p.text(sc.Segment) + ", '" + noSegment + "')"
	}
	ts := s.col(s.mapping.Columns.Time)
	cte = `exposure AS (
	SELECT ` + s.unitExpr(p, sc) + ` AS unit, ` + ts + `::timestamptz AS ts, ` + s.idExpr() + ` AS id,
		x.p ->> ` + p.text(exp.ArmProperty) + ` AS arm,
		` + segment + ` AS segment
	FROM ` + s.eventsFrom() + `
	WHERE ` + s.col(s.mapping.Columns.Event) + ` = ` + p.text(exp.Event) + `
		AND ` + ts + ` >= ` + p.timestamp(sc.Start) + ` AND ` + ts + ` < ` + p.timestamp(sc.End) + `
		AND x.p ->> ` + p.text(exp.ExperimentProperty) + ` = ` + p.text(sc.Experiment) + `
)`
	return cte, ""
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
