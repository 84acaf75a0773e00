package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

var _ events.HealthChecker = (*Store)(nil)

// Health counts the data problems behind a scope in three queries: totals
// (denominators and the watermark), offending rows with a few examples per
// kind, and units exposed to several planned arms. Duplicate ids cannot be
// stored (Append dedupes them and counts them in AppendResult), so
// DuplicatesChecked is false.
func (s *Store) Health(ctx context.Context, sc events.Scope, req events.HealthRequest) (events.HealthReport, error) {
	if err := checkScope(sc); err != nil {
		return events.HealthReport{}, err
	}
	if err := req.Validate(); err != nil {
		return events.HealthReport{}, fmt.Errorf("duckdb: %w", err)
	}
	fail := func(what string, err error) (events.HealthReport, error) {
		return events.HealthReport{}, fmt.Errorf("duckdb: health of %q: %s: %w", sc.Experiment, what, err)
	}
	out := events.NewHealthReport(req, false)
	if err := s.healthTotals(ctx, sc, req, &out); err != nil {
		return fail("totals", err)
	}
	if err := s.healthFlagged(ctx, sc, req, &out); err != nil {
		return fail("offending rows", err)
	}
	if err := s.healthMultiArm(ctx, sc, req, &out); err != nil {
		return fail("multi-arm units", err)
	}
	return out, nil
}

// exposureRows selects the experiment's exposure rows in [from, to) as
// (id, unit, arm, ts), unit and arm NULL when absent: the same rows the
// assignment CTE starts from, before it drops rows without a unit.
func exposureRows(p *params, sc events.Scope, from, to time.Time) string {
	return `SELECT id, ` + unitExpr(p, sc, "properties") + ` AS unit, ` + p.property("properties", sc.Exposure.ArmProperty) + ` AS arm, ts
	FROM events
	WHERE event = ` + p.bind(sc.Exposure.Event) + `
		AND ts >= ` + p.timestamp(from) + ` AND ts < ` + p.timestamp(to) + `
		AND ` + p.property("properties", sc.Exposure.ExperimentProperty) + ` = ` + p.bind(sc.Experiment)
}

// numberText is true when the JSON text v passes the test MetricSums
// applies before summing: it starts like a JSON number and is finite.
func numberText(v string) string {
	return "(left(" + v + ", 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9') AND coalesce(isfinite(TRY_CAST(" + v + " AS DOUBLE)), false))"
}

// earliest is before any time a store holds: the lower bound of the
// before-start check.
var earliest = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)

func (s *Store) healthTotals(ctx context.Context, sc events.Scope, req events.HealthRequest, out *events.HealthReport) error {
	p := &params{}
	inWindow := "ts >= " + p.timestamp(sc.Start) + " AND ts < " + p.timestamp(sc.End)
	cols := []string{
		"count(*) FILTER (WHERE event IN " + p.list(req.CheckedEvents(sc.Exposure.Event)) + " AND " + inWindow + ")",
		"max(ts) FILTER (WHERE ts <= " + p.timestamp(req.FutureAfter()) + ")",
	}
	for _, pr := range req.Properties {
		cols = append(cols, "count(*) FILTER (WHERE event = "+p.bind(pr.Event)+" AND "+inWindow+")")
	}
	query := `SELECT (SELECT count(*) FROM x), (SELECT count(DISTINCT unit) FILTER (WHERE unit <> '') FROM x), ` + strings.Join(cols, ", ") + `
FROM events`
	query = `WITH x AS (` + exposureRows(p, sc, sc.Start, sc.End) + `) ` + query
	var watermark sql.NullTime
	dst := []any{&out.Exposures, &out.ExposedUnits, &out.Events, &watermark}
	for i := range out.Properties {
		dst = append(dst, &out.Properties[i].Events)
	}
	if err := s.db.QueryRowContext(ctx, query, p.args...).Scan(dst...); err != nil {
		return err
	}
	if watermark.Valid {
		out.Watermark = watermark.Time.UTC()
	}
	return nil
}

// healthFlagged lists the offending rows of every kind, keeping per kind
// the count and the first few rows by (time, id).
func (s *Store) healthFlagged(ctx context.Context, sc events.Scope, req events.HealthRequest, out *events.HealthReport) error {
	p := &params{}
	noUnit := "(unit IS NULL OR unit = '')"
	noArm := "(arm IS NULL OR arm = '')"
	parts := []string{
		`SELECT '` + events.HealthKindUnknownArm + `' AS kind, id, unit, arm AS value, ts FROM x WHERE NOT ` + noArm + ` AND NOT coalesce(arm IN ` + p.list(sc.Arms) + `, false)`,
		`SELECT '` + events.HealthKindMissingUnit + `', id, unit, arm, ts FROM x WHERE ` + noUnit,
		`SELECT '` + events.HealthKindMissingArm + `', id, unit, arm, ts FROM x WHERE ` + noArm,
		`SELECT '` + events.HealthKindBeforeStart + `', id, unit, arm, ts FROM (` + exposureRows(p, sc, earliest, sc.Start) + `)`,
		`SELECT '` + events.HealthKindFuture + `', id, unit_id, event, ts FROM events WHERE event IN ` + p.list(req.CheckedEvents(sc.Exposure.Event)) + ` AND ts > ` + p.timestamp(req.FutureAfter()),
	}
	for i, pr := range req.Properties {
		from := ` FROM (SELECT id, unit_id, json_extract(properties, ` + p.bind(jsonPointer(pr.Property)) + `)::VARCHAR AS v, ts
			FROM events WHERE event = ` + p.bind(pr.Event) + ` AND ts >= ` + p.timestamp(sc.Start) + ` AND ts < ` + p.timestamp(sc.End) + `)`
		parts = append(parts,
			`SELECT '`+events.HealthKindMissingProperty+strconv.Itoa(i)+`', id, unit_id, v, ts`+from+` WHERE v IS NULL OR v = 'null'`,
			`SELECT '`+events.HealthKindNonNumericProperty+strconv.Itoa(i)+`', id, unit_id, v, ts`+from+` WHERE v IS NOT NULL AND v <> 'null' AND NOT `+numberText("v"),
		)
	}
	limit := p.bind(int64(req.ExampleLimit()))
	query := `WITH x AS (` + exposureRows(p, sc, sc.Start, sc.End) + `),
flagged AS (` + strings.Join(parts, "\nUNION ALL\n") + `)
SELECT kind, n, id, coalesce(unit, ''), left(coalesce(value, ''), ` + strconv.Itoa(events.HealthExampleChars) + `), ts FROM (
	SELECT *, count(*) OVER (PARTITION BY kind) AS n, row_number() OVER (PARTITION BY kind ORDER BY ts, id) AS rn FROM flagged
) WHERE rn <= ` + limit + `::BIGINT
ORDER BY kind, ts, id`
	rows, err := s.db.QueryContext(ctx, query, p.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			kind, id, unit, value string
			n                     int64
			ts                    time.Time
		)
		if err := rows.Scan(&kind, &n, &id, &unit, &value, &ts); err != nil {
			return err
		}
		c := out.CountFor(kind)
		if c == nil {
			return fmt.Errorf("unexpected kind %q", kind)
		}
		ex := events.HealthExample{ID: id, Unit: unit, Value: value, Time: ts.UTC()}
		if kind == events.HealthKindFuture {
			ex.Value = "" // the event name; the id says enough
		}
		c.Count = n
		c.Examples = append(c.Examples, ex)
	}
	return rows.Err()
}

// healthMultiArm counts units exposed to two or more planned arms, with
// the first few units (by id) and their arms.
func (s *Store) healthMultiArm(ctx context.Context, sc events.Scope, req events.HealthRequest, out *events.HealthReport) error {
	p := &params{}
	query := `WITH multi AS (
	SELECT unit, array_to_string(list_sort(list(DISTINCT arm)), ',') AS arms
	FROM (` + exposureRows(p, sc, sc.Start, sc.End) + `)
	WHERE unit IS NOT NULL AND unit <> '' AND arm IN ` + p.list(sc.Arms) + `
	GROUP BY unit HAVING count(DISTINCT arm) > 1
)
SELECT (SELECT count(*) FROM multi), unit, arms FROM multi ORDER BY unit LIMIT ` + p.bind(int64(req.ExampleLimit())) + `::BIGINT`
	rows, err := s.db.QueryContext(ctx, query, p.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ex events.HealthExample
		if err := rows.Scan(&out.MultiArmUnits.Count, &ex.Unit, &ex.Value); err != nil {
			return err
		}
		out.MultiArmUnits.Examples = append(out.MultiArmUnits.Examples, ex)
	}
	return rows.Err()
}
