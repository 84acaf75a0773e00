package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/liftgate/liftgate/pkg/events"
)

var _ events.HealthChecker = (*Source)(nil)

// healthEarliest is before any time a table holds: the lower bound of the
// before-start check.
var healthEarliest = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)

// Health counts the data problems behind a scope with the same semantics
// as the DuckDB store, in two read-only queries: totals (denominators and
// the watermark), then every kind of offending row with its count and the
// first few by (time, id). Unlike DuckDB, a user's table may keep duplicate
// ids, so they are checked when the mapping has an id column: the count is
// the surplus rows (rows - distinct ids), the examples the ids stored more
// than once. With an assignment table the exposure checks read its rows
// (which have no id); the event checks read the event table.
func (s *Source) Health(ctx context.Context, sc events.Scope, req events.HealthRequest) (events.HealthReport, error) {
	op := fmt.Sprintf("health of %q", sc.Experiment)
	if err := s.checkScope(op, sc); err != nil {
		return events.HealthReport{}, err
	}
	if err := req.Validate(); err != nil {
		return events.HealthReport{}, errorf(op, "%v", err)
	}
	out := events.NewHealthReport(req, s.mapping.Columns.ID != "")
	if err := s.healthTotals(ctx, op, sc, req, &out); err != nil {
		return events.HealthReport{}, err
	}
	if err := s.healthFlagged(ctx, op, sc, req, &out); err != nil {
		return events.HealthReport{}, err
	}
	return out, nil
}

// healthExposures selects the experiment's exposure rows in [from, to) as
// (id, unit, arm, ts): unit and arm NULL when absent, id NULL without an id
// column (always, for an assignment table).
func (s *Source) healthExposures(p *params, sc events.Scope, from, to time.Time) string {
	if a := s.mapping.Assignments; a != nil {
		return `SELECT NULL::text AS id, a.` + ident(a.Unit) + `::text AS unit, a.` + ident(a.Variant) + `::text AS arm, a.` + ident(a.Time) + `::timestamptz AS ts
	FROM ` + ident(a.Table) + ` a
	WHERE a.` + ident(a.Experiment) + `::text = ` + p.text(sc.Experiment) + `
		AND a.` + ident(a.Time) + ` >= ` + p.timestamp(from) + ` AND a.` + ident(a.Time) + ` < ` + p.timestamp(to)
	}
	exp := s.exposureFor(sc)
	ts := s.col(s.mapping.Columns.Time)
	return `SELECT ` + s.idExpr() + ` AS id, ` + s.unitExpr(p, sc) + ` AS unit, x.p ->> ` + p.text(exp.ArmProperty) + ` AS arm, ` + ts + `::timestamptz AS ts
	FROM ` + s.eventsFrom() + `
	WHERE ` + s.col(s.mapping.Columns.Event) + ` = ` + p.text(exp.Event) + `
		AND ` + ts + ` >= ` + p.timestamp(from) + ` AND ` + ts + ` < ` + p.timestamp(to) + `
		AND x.p ->> ` + p.text(exp.ExperimentProperty) + ` = ` + p.text(sc.Experiment)
}

// healthTotals counts the exposures and their units, the checked events
// and each property's events in the window, and finds the watermark (the
// latest time at or before Now+ClockSkew, over the whole table).
func (s *Source) healthTotals(ctx context.Context, op string, sc events.Scope, req events.HealthRequest, out *events.HealthReport) error {
	p := &params{}
	ts, event := s.col(s.mapping.Columns.Time), s.col(s.mapping.Columns.Event)
	inWindow := ts + " >= " + p.timestamp(sc.Start) + " AND " + ts + " < " + p.timestamp(sc.End)
	cols := []string{
		"(SELECT count(*) FROM exposure)",
		"(SELECT count(DISTINCT unit) FROM exposure WHERE unit <> '')",
		"count(*) FILTER (WHERE " + event + " = ANY(" + p.texts(req.CheckedEvents(s.exposureFor(sc).Event)) + ") AND " + inWindow + ")",
		"max(" + ts + "::timestamptz) FILTER (WHERE " + ts + " <= " + p.timestamp(req.FutureAfter()) + ")",
	}
	for _, pr := range req.Properties {
		cols = append(cols, "count(*) FILTER (WHERE "+event+" = "+p.text(pr.Event)+" AND "+inWindow+")")
	}
	query := `WITH exposure AS (` + s.healthExposures(p, sc, sc.Start, sc.End) + `)
SELECT ` + strings.Join(cols, ", ") + `
FROM ` + ident(s.mapping.Table) + ` e`
	return s.query(ctx, op+": totals", query, p.args, func(rows pgx.Rows) error {
		var watermark *time.Time
		dst := []any{&out.Exposures, &out.ExposedUnits, &out.Events, &watermark}
		for i := range out.Properties {
			dst = append(dst, &out.Properties[i].Events)
		}
		if err := rows.Scan(dst...); err != nil {
			return err
		}
		if watermark != nil {
			out.Watermark = watermark.UTC()
		}
		return nil
	})
}

// healthFlagged lists the offending rows of every kind as (kind, w, id,
// unit, value, ts), where the weight w is 1 per row except for a duplicated
// id (one row of weight copies-1), and keeps per kind the total weight and
// the first few rows by (time, id).
func (s *Source) healthFlagged(ctx context.Context, op string, sc events.Scope, req events.HealthRequest, out *events.HealthReport) error {
	p := &params{}
	ts, event := s.col(s.mapping.Columns.Time), s.col(s.mapping.Columns.Event)
	unitCol := s.col(s.mapping.Columns.Unit) + "::text"
	noUnit := "(unit IS NULL OR unit = '')"
	noArm := "(arm IS NULL OR arm = '')"
	arms := p.texts(sc.Arms)
	checked := event + " = ANY(" + p.texts(req.CheckedEvents(s.exposureFor(sc).Event)) + ")"
	inWindow := ts + " >= " + p.timestamp(sc.Start) + " AND " + ts + " < " + p.timestamp(sc.End)
	parts := []string{
		`SELECT '` + events.HealthKindUnknownArm + `'::text AS kind, 1::bigint AS w, id, unit, arm AS value, ts FROM x_exposure WHERE NOT ` + noArm + ` AND NOT coalesce(arm = ANY(` + arms + `), false)`,
		`SELECT '` + events.HealthKindMissingUnit + `', 1, id, unit, arm, ts FROM x_exposure WHERE ` + noUnit,
		`SELECT '` + events.HealthKindMissingArm + `', 1, id, unit, arm, ts FROM x_exposure WHERE ` + noArm,
		`SELECT '` + events.HealthKindBeforeStart + `', 1, id, unit, arm, ts FROM (` + s.healthExposures(p, sc, healthEarliest, sc.Start) + `) early`,
		`SELECT '` + events.HealthKindMultiArm + `', 1, NULL, unit, string_agg(arm, ',' ORDER BY arm COLLATE "C"), NULL::timestamptz
	FROM (SELECT DISTINCT unit, arm FROM x_exposure WHERE NOT ` + noUnit + ` AND arm = ANY(` + arms + `)) ua
	GROUP BY unit HAVING count(*) > 1`,
		`SELECT '` + events.HealthKindFuture + `', 1, ` + s.idExpr() + `, ` + unitCol + `, NULL, ` + ts + `::timestamptz FROM ` + ident(s.mapping.Table) + ` e
	WHERE ` + checked + ` AND ` + ts + ` > ` + p.timestamp(req.FutureAfter()),
	}
	if s.mapping.Columns.ID != "" {
		parts = append(parts, `SELECT '`+events.HealthKindDuplicate+`', count(*) - 1, `+s.idExpr()+`, min(`+unitCol+` COLLATE "C"), count(*) || ' rows', min(`+ts+`::timestamptz)
	FROM `+ident(s.mapping.Table)+` e
	WHERE `+checked+` AND `+inWindow+` AND `+s.idExpr()+` IS NOT NULL
	GROUP BY `+s.idExpr()+` HAVING count(*) > 1`)
	}
	for i, pr := range req.Properties {
		n := strconv.Itoa(i)
		key := p.text(pr.Property)
		from := ` FROM (SELECT ` + s.idExpr() + ` AS id, ` + unitCol + ` AS unit, x.p -> ` + key + ` AS v, ` + ts + `::timestamptz AS ts
		FROM ` + s.eventsFrom() + ` WHERE ` + event + ` = ` + p.text(pr.Event) + ` AND ` + inWindow + `) prop`
		// The test MetricSums applies before summing: a JSON number within
		// float64's range. CASE, because AND may evaluate the cast of a
		// string first, which fails.
		number := "(CASE WHEN jsonb_typeof(v) = 'number' THEN abs(v::numeric) <= " + maxFloat64Text + " ELSE false END)"
		missing := "(v IS NULL OR jsonb_typeof(v) = 'null')"
		parts = append(parts,
			`SELECT '`+events.HealthKindMissingProperty+n+`', 1, id, unit, v::text, ts`+from+` WHERE `+missing,
			`SELECT '`+events.HealthKindNonNumericProperty+n+`', 1, id, unit, v::text, ts`+from+` WHERE NOT `+missing+` AND NOT `+number,
		)
	}
	query := `WITH x_exposure AS (` + s.healthExposures(p, sc, sc.Start, sc.End) + `),
flagged AS (
` + strings.Join(parts, "\nUNION ALL\n") + `
)
SELECT kind, n, coalesce(id, ''), coalesce(unit, ''), left(coalesce(value, ''), ` + strconv.Itoa(events.HealthExampleChars) + `), ts FROM (
	SELECT *, sum(w) OVER (PARTITION BY kind) AS n,
		row_number() OVER (PARTITION BY kind ORDER BY ts, id COLLATE "C", unit COLLATE "C") AS rn
	FROM flagged
) f
WHERE rn <= ` + p.bigint(int64(req.ExampleLimit())) + `
ORDER BY kind, rn`
	return s.query(ctx, op+": offending rows", query, p.args, func(rows pgx.Rows) error {
		var (
			kind, id, unit, value string
			n                     int64
			at                    *time.Time
		)
		if err := rows.Scan(&kind, &n, &id, &unit, &value, &at); err != nil {
			return err
		}
		c := out.CountFor(kind)
		if c == nil {
			return fmt.Errorf("unexpected kind %q", kind)
		}
		ex := events.HealthExample{ID: id, Unit: unit, Value: value}
		if at != nil {
			ex.Time = at.UTC()
		}
		c.Count = n
		c.Examples = append(c.Examples, ex)
		return nil
	})
}
