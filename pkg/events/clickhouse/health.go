package clickhouse

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/liftgate/liftgate/pkg/events"
)

var _ events.HealthChecker = (*Source)(nil)

// healthEarliest is before any time a table holds: the lower bound of the
// before-start check.
var healthEarliest = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)

// Health counts the data problems behind a scope with the same semantics as
// the DuckDB store, all in SQL: denominators of the exposures, denominators
// and the watermark of the events, then the offending rows of every kind
// (one UNION ALL subquery) counted per kind and, in a second query, the
// first few per kind by (time, id). Unlike DuckDB, a user's table keeps
// duplicate ids, so they are checked when the mapping has an id column:
// the count is the surplus rows (rows - distinct ids), the examples the ids
// stored more than once.
//
// With an assignment table the exposure checks read its rows (which have
// no id); the event checks read the event table.
func (s *Source) Health(ctx context.Context, sc events.Scope, req events.HealthRequest) (events.HealthReport, error) {
	op := fmt.Sprintf("health of %q", sc.Experiment)
	if err := s.checkScope(op, sc); err != nil {
		return events.HealthReport{}, err
	}
	if err := req.Validate(); err != nil {
		return events.HealthReport{}, errorf(op, "%v", err)
	}
	t, err := s.eventTableFor(ctx, op)
	if err != nil {
		return events.HealthReport{}, err
	}
	exposures, err := s.healthExposureRows(ctx, op, t, sc)
	if err != nil {
		return events.HealthReport{}, err
	}
	out := events.NewHealthReport(req, s.mapping.Columns.ID != "")
	if err := s.healthExposureTotals(ctx, op, exposures, sc, &out); err != nil {
		return events.HealthReport{}, err
	}
	if err := s.healthEventTotals(ctx, op, t, sc, req, &out); err != nil {
		return events.HealthReport{}, err
	}
	if err := s.healthFlagged(ctx, op, t, exposures, sc, req, &out); err != nil {
		return events.HealthReport{}, err
	}
	return out, nil
}

// exposureRowsFunc returns a subquery of the experiment's exposure rows in
// [lo, hi) microseconds as (_lg_id, _lg_u, _lg_a, _lg_t): id (empty
// when there is none), unit and arm (empty when absent), time in
// microseconds.
type exposureRowsFunc func(p *params, lo, hi int64) string

// healthExposureRows reads exposures from the event table, or from the
// assignment table when the mapping has one.
func (s *Source) healthExposureRows(ctx context.Context, op string, t eventTable, sc events.Scope) (exposureRowsFunc, error) {
	if s.mapping.Assignments != nil {
		a, err := s.assignmentTableFor(ctx, op)
		if err != nil {
			return nil, err
		}
		return func(p *params, lo, hi int64) string {
			return `WITH '' AS _lg_id, ` + a.unit + ` AS _lg_u, ` + a.value + ` AS _lg_a, ` + a.time.micros + ` AS _lg_t
	SELECT _lg_id, _lg_u, _lg_a, _lg_t
	FROM ` + a.from + `
	WHERE ` + a.experiment + ` = ` + p.text(sc.Experiment) + ` AND ` + a.time.within(p, "_lg_t", lo, hi)
		}, nil
	}
	exp := s.exposureFor(sc)
	return func(p *params, lo, hi int64) string {
		return `WITH ` + t.id + ` AS _lg_id, ` + t.unitOf(p, sc) + ` AS _lg_u, ` + t.props.text(p, exp.ArmProperty) + ` AS _lg_a, ` + t.time.micros + ` AS _lg_t
	SELECT _lg_id, _lg_u, _lg_a, _lg_t
	FROM ` + t.from + `
	WHERE ` + t.event + ` = ` + p.text(exp.Event) + `
		AND ` + t.time.within(p, "_lg_t", lo, hi) + `
		AND ` + t.props.text(p, exp.ExperimentProperty) + ` = ` + p.text(sc.Experiment)
	}, nil
}

// healthExposureTotals counts the exposures in the window and their
// distinct non-empty units.
func (s *Source) healthExposureTotals(ctx context.Context, op string, rows exposureRowsFunc, sc events.Scope, out *events.HealthReport) error {
	p := &params{}
	query := `SELECT toInt64(count()), toInt64(uniqExactIf(_lg_u, _lg_u != ''))
FROM (` + rows(p, sc.Start.UnixMicro(), sc.End.UnixMicro()) + `)`
	return s.query(ctx, op+": exposure totals", query, p.args, func(r driver.Rows) error {
		return r.Scan(&out.Exposures, &out.ExposedUnits)
	})
}

// healthEventTotals counts the checked events in the window, the events
// of each checked property, and finds the watermark (the latest time at or
// before Now+ClockSkew, over the whole table).
func (s *Source) healthEventTotals(ctx context.Context, op string, t eventTable, sc events.Scope, req events.HealthRequest, out *events.HealthReport) error {
	p := &params{}
	inWindow := "(_lg_t >= " + p.int(sc.Start.UnixMicro()) + " AND _lg_t < " + p.int(sc.End.UnixMicro()) + ")"
	checked := "(_lg_e IN " + p.list(req.CheckedEvents(s.exposureFor(sc).Event)) + " AND " + inWindow + ")"
	settled := "(_lg_t <= " + p.int(req.FutureAfter().UnixMicro()) + ")"
	cols := []string{
		"toInt64(countIf(" + checked + "))",
		"toInt64(countIf(" + settled + "))",
		"toInt64(maxIf(_lg_t, " + settled + "))",
	}
	for _, pr := range req.Properties {
		cols = append(cols, "toInt64(countIf(_lg_e = "+p.text(pr.Event)+" AND "+inWindow+"))")
	}
	query := `WITH ` + t.event + ` AS _lg_e, ` + t.time.micros + ` AS _lg_t
SELECT ` + strings.Join(cols, ", ") + `
FROM ` + t.from
	var settledRows, watermark int64
	return s.query(ctx, op+": event totals", query, p.args, func(r driver.Rows) error {
		dst := []any{&out.Events, &settledRows, &watermark}
		for i := range out.Properties {
			dst = append(dst, &out.Properties[i].Events)
		}
		if err := r.Scan(dst...); err != nil {
			return err
		}
		if settledRows > 0 {
			out.Watermark = time.UnixMicro(watermark).UTC()
		}
		return nil
	})
}

// healthFlagged counts the offending rows per kind and keeps the first few
// of each. Every branch yields (_lg_k kind, _lg_w weight, _lg_id, _lg_u,
// _lg_v value, _lg_t micros); the weight is 1 per row, except for a
// duplicated id, which is one row of weight copies-1.
func (s *Source) healthFlagged(ctx context.Context, op string, t eventTable, exposures exposureRowsFunc, sc events.Scope, req events.HealthRequest, out *events.HealthReport) error {
	p := &params{}
	flagged := s.flaggedSQL(p, t, exposures, sc, req)
	counts := `SELECT _lg_k, toInt64(sum(_lg_w)) FROM (` + flagged + `) GROUP BY _lg_k`
	err := s.query(ctx, op+": offending rows", counts, p.args, func(r driver.Rows) error {
		var kind string
		var n int64
		if err := r.Scan(&kind, &n); err != nil {
			return err
		}
		c := out.CountFor(kind)
		if c == nil {
			return fmt.Errorf("unexpected kind %q", kind)
		}
		c.Count = n
		return nil
	})
	if err != nil {
		return err
	}
	// LIMIT BY takes a literal: the example cap is a validated count.
	examples := `SELECT _lg_k, _lg_id, _lg_u, substringUTF8(_lg_v, 1, ` + strconv.Itoa(events.HealthExampleChars) + `), _lg_t
FROM (` + flagged + `)
ORDER BY _lg_k, _lg_t, _lg_id, _lg_u
LIMIT ` + strconv.Itoa(req.ExampleLimit()) + ` BY _lg_k`
	return s.query(ctx, op+": offending examples", examples, p.args, func(r driver.Rows) error {
		var (
			kind, id, unit, value string
			micros                int64
		)
		if err := r.Scan(&kind, &id, &unit, &value, &micros); err != nil {
			return err
		}
		c := out.CountFor(kind)
		if c == nil {
			return fmt.Errorf("unexpected kind %q", kind)
		}
		ex := events.HealthExample{ID: id, Unit: unit, Value: value}
		if kind != events.HealthKindMultiArm { // a unit's arms have no single time
			ex.Time = time.UnixMicro(micros).UTC()
		}
		c.Examples = append(c.Examples, ex)
		return nil
	})
}

// flaggedSQL is the UNION ALL of every kind of offending row.
func (s *Source) flaggedSQL(p *params, t eventTable, exposures exposureRowsFunc, sc events.Scope, req events.HealthRequest) string {
	start, end := sc.Start.UnixMicro(), sc.End.UnixMicro()
	inWindow := exposures(p, start, end)
	one := "toInt64(1)"
	parts := []string{
		`SELECT '` + events.HealthKindUnknownArm + `' AS _lg_k, ` + one + ` AS _lg_w, _lg_id, _lg_u, _lg_a AS _lg_v, _lg_t FROM (` + inWindow + `)
	WHERE _lg_a != '' AND NOT (_lg_a IN ` + p.list(sc.Arms) + `)`,
		`SELECT '` + events.HealthKindMissingUnit + `', ` + one + `, _lg_id, _lg_u, _lg_a, _lg_t FROM (` + inWindow + `) WHERE _lg_u = ''`,
		`SELECT '` + events.HealthKindMissingArm + `', ` + one + `, _lg_id, _lg_u, _lg_a, _lg_t FROM (` + inWindow + `) WHERE _lg_a = ''`,
		`SELECT '` + events.HealthKindBeforeStart + `', ` + one + `, _lg_id, _lg_u, _lg_a, _lg_t FROM (` + exposures(p, healthEarliest.UnixMicro(), start) + `)`,
		`SELECT '` + events.HealthKindMultiArm + `', ` + one + `, '', _lg_mu, arrayStringConcat(arraySort(groupUniqArray(_lg_ma)), ','), toInt64(0)
	FROM (SELECT _lg_u AS _lg_mu, _lg_a AS _lg_ma FROM (` + inWindow + `) WHERE _lg_u != '' AND _lg_a IN ` + p.list(sc.Arms) + `)
	GROUP BY _lg_mu HAVING uniqExact(_lg_ma) > 1`,
	}
	checked := p.list(req.CheckedEvents(s.exposureFor(sc).Event))
	// rowsOf selects (_lg_id, _lg_u, _lg_t, _lg_r, _lg_p, _lg_n) of the
	// event table's rows matching where: id, the unit column, time, and a
	// property's text, presence and numberness (constants without one).
	rowsOf := func(where, raw, present, numeric string) string {
		return `WITH ` + t.id + ` AS _lg_id, ` + t.unit + ` AS _lg_u, ` + t.time.micros + ` AS _lg_t, ` +
			raw + ` AS _lg_r, ` + present + ` AS _lg_p, ` + numeric + ` AS _lg_n
	SELECT _lg_id, _lg_u, _lg_t, _lg_r, _lg_p, _lg_n FROM ` + t.from + ` WHERE ` + where
	}
	future := req.FutureAfter().UnixMicro() + 1
	parts = append(parts, `SELECT '`+events.HealthKindFuture+`', `+one+`, _lg_id, _lg_u, '', _lg_t FROM (`+
		rowsOf(t.event+` IN `+checked+` AND `+t.time.within(p, "_lg_t", future, math.MaxInt64), "''", "1", "1")+`)`)
	if s.mapping.Columns.ID != "" {
		// Two levels, so the memory of the check does not grow with the
		// length of the ids: first the 64-bit hashes seen more than once
		// (8 bytes a key instead of the id's text; the GROUP BY spills to
		// disk past max_bytes_before_external_group_by), then the exact
		// GROUP BY id over only the rows with such a hash, which also
		// drops a hash collision of two distinct ids. The filter applies
		// on the initiator; GLOBAL keeps the hash set computed once should
		// a server push it down to the shards of a Distributed table (on a
		// plain table it is IN). Inner names differ from the outer ones so
		// the aggregates do not read their own aliases.
		dupRows := rowsOf(t.event+` IN `+checked+` AND `+t.time.within(p, "_lg_t", start, end)+` AND _lg_id != ''`, "''", "1", "1")
		parts = append(parts, `SELECT '`+events.HealthKindDuplicate+`', toInt64(count()) - 1, _lg_di, min(_lg_du), concat(toString(count()), ' rows'), min(_lg_dt)
	FROM (SELECT _lg_id AS _lg_di, _lg_u AS _lg_du, _lg_t AS _lg_dt FROM (`+dupRows+`)
		WHERE cityHash64(_lg_id) GLOBAL IN (SELECT _lg_dh FROM (SELECT cityHash64(_lg_id) AS _lg_dh FROM (`+dupRows+`)) GROUP BY _lg_dh HAVING count() > 1))
	GROUP BY _lg_di HAVING count() > 1`)
	}
	for i, pr := range req.Properties {
		n := strconv.Itoa(i)
		present, numeric, raw := s.propertyChecks(t.props, p, pr.Property)
		from := ` FROM (` + rowsOf(t.event+` = `+p.text(pr.Event)+` AND `+t.time.within(p, "_lg_t", start, end), raw, present, numeric) + `)`
		parts = append(parts,
			`SELECT '`+events.HealthKindMissingProperty+n+`', `+one+`, _lg_id, _lg_u, _lg_r, _lg_t`+from+` WHERE NOT _lg_p`,
			`SELECT '`+events.HealthKindNonNumericProperty+n+`', `+one+`, _lg_id, _lg_u, _lg_r, _lg_t`+from+` WHERE _lg_p AND NOT _lg_n`,
		)
	}
	return strings.Join(parts, "\nUNION ALL\n")
}

// propertyChecks returns SQL for a property's presence, whether it is a
// finite number (the test MetricSums applies before summing), and its text
// as stored (the JSON text; the value of a Map column).
func (s *Source) propertyChecks(r propertyReader, p *params, key string) (present, numeric, raw string) {
	if r.kind == mapColumn {
		text := r.text(p, key)
		return "(" + text + " != '')", "(isNotNull(toFloat64OrNull(" + text + ")) AND isFinite(toFloat64OrZero(" + text + ")))", text
	}
	raw = r.raw(p, key)
	return "(" + raw + " NOT IN ('', 'null'))", "(match(" + raw + ", '^-?[0-9]') AND isFinite(toFloat64OrZero(" + raw + ")))", raw
}
