package duckdb

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// MetricSums computes one metric per assigned unit, then its sufficient
// statistics per (arm, stage, segment, bucket), both steps in SQL; only the
// group rows reach Go. Units without metric events count with value 0.
//
// Per unit, with t0 its first exposure, an event counts toward Y (and D) when
// it lies in [t0, t0+Window) and before End (Window 0: until End), and toward
// the CUPED covariate X when it lies in [t0-CUPEDLookback, t0):
//   - conversion: 1 if the unit did Value.Event at least once, else 0;
//   - count: the number of Value.Event events (Value.Property is ignored);
//   - mean: the sum of the numeric property Value.Property over them;
//   - ratio: Y from Numerator and D from Denominator, each a count (no
//     property) or a property sum; X is the numerator's pre-exposure value,
//     the single covariate stats.ArmSums has room for.
//
// A property value counts only when it is a finite JSON number; strings,
// booleans, null and absent values add nothing.
func (s *Store) MetricSums(ctx context.Context, sc events.Scope, m events.Metric) ([]events.GroupSums, error) {
	if err := checkScope(sc); err != nil {
		return nil, err
	}
	if err := checkMetric(m); err != nil {
		return nil, err
	}
	p := &params{}
	query := metricQuery(p, sc, m)
	rows, err := s.db.QueryContext(ctx, query, p.args...)
	if err != nil {
		return nil, fmt.Errorf("duckdb: %s metric of %q: %w", m.Kind, sc.Experiment, err)
	}
	defer rows.Close()

	var out []events.GroupSums
	for rows.Next() {
		var a stats.ArmSums
		key, err := scanGroupKey(rows, sc, &a.N, &a.SumY, &a.SumY2, &a.SumD, &a.SumD2, &a.SumYD, &a.SumX, &a.SumX2, &a.SumXY)
		if err != nil {
			return nil, err
		}
		for _, v := range []float64{a.SumY, a.SumY2, a.SumD, a.SumD2, a.SumYD, a.SumX, a.SumX2, a.SumXY} {
			if math.IsInf(v, 0) || math.IsNaN(v) {
				return nil, fmt.Errorf("duckdb: %s metric of %q: sums overflow float64 in arm %q (property values too large)", m.Kind, sc.Experiment, key.Arm)
			}
		}
		out = append(out, events.GroupSums{GroupKey: key, Sums: a})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: %s metric of %q: %w", m.Kind, sc.Experiment, err)
	}
	cmp := events.CompareGroupKeys(sc)
	slices.SortFunc(out, func(a, b events.GroupSums) int { return cmp(a.GroupKey, b.GroupKey) })
	return out, nil
}

// metricQuery builds the per-unit then per-group aggregation.
func metricQuery(p *params, sc events.Scope, m events.Metric) string {
	values := metricValues(m)

	// metric_events carries one numeric column per property the metric sums.
	var names, props []string
	propColumn := map[string]string{}
	for _, v := range values {
		if !slices.Contains(names, v.Event) {
			names = append(names, v.Event)
		}
		if v.Property != "" {
			if _, ok := propColumn[v.Property]; !ok {
				propColumn[v.Property] = "v" + strconv.Itoa(len(props))
				props = append(props, v.Property)
			}
		}
	}
	// Each property is extracted once as JSON text. A JSON number, and only
	// a number, starts with '-' or a digit; testing that character instead of
	// calling json_type saves a second parse per event (about 2x faster).
	// Numbers beyond float64 cast to ±Inf and are dropped by isfinite.
	var jsonCols, numberCols string
	for i, prop := range props {
		col := "v" + strconv.Itoa(i)
		jsonCols += ", json_extract(properties, " + p.bind(jsonPointer(prop)) + ")::VARCHAR AS " + col
		numberCols += ", CASE WHEN left(" + col + ", 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9') THEN TRY_CAST(" + col + " AS DOUBLE) END AS " + col
	}

	lower := sc.Start
	if m.CUPEDLookback > 0 {
		lower = sc.Start.Add(-m.CUPEDLookback)
	}
	after := "m.ts >= a.first_ts"
	if m.Window > 0 {
		after += " AND m.ts < a.first_ts + " + p.interval(m.Window)
	}

	// value is one per-unit value of v over the rows matching when.
	value := func(v events.EventValue, when string, convert bool) string {
		cond := "m.event = " + p.bind(v.Event) + " AND " + when
		switch {
		case convert:
			return "CASE WHEN count(*) FILTER (WHERE " + cond + ") > 0 THEN 1 ELSE 0 END"
		case v.Property == "":
			return "count(*) FILTER (WHERE " + cond + ")"
		default:
			return "coalesce(sum(m." + propColumn[v.Property] + ") FILTER (WHERE " + cond + "), 0)"
		}
	}
	convert := m.Kind == events.Conversion
	y, d, x := value(values[0], after, convert), "0", "0"
	if m.Kind == events.Ratio {
		d = value(values[1], after, false)
	}
	if m.CUPEDLookback > 0 {
		before := "m.ts >= a.first_ts - " + p.interval(m.CUPEDLookback) + " AND m.ts < a.first_ts"
		x = value(values[0], before, convert)
	}

	return `WITH ` + assignmentCTEs(p, sc) + `,
assigned AS (
	SELECT unit, arm, first_ts, stage, segment, bucket FROM classified WHERE status = '` + statusAssigned + `'
),
metric_events AS (
	SELECT unit, event, ts` + finiteCols(props) + ` FROM (
		SELECT unit, event, ts` + numberCols + ` FROM (
			SELECT ` + unitExpr(p, sc, "properties") + ` AS unit, event, ts` + jsonCols + `
			FROM events
			WHERE event IN ` + p.list(names) + ` AND ts >= ` + p.timestamp(lower) + ` AND ts < ` + p.timestamp(sc.End) + `
		)
	)
),
per_unit AS (
	SELECT a.arm, a.stage, a.segment, a.bucket,
		(` + y + `)::DOUBLE AS y,
		(` + d + `)::DOUBLE AS d,
		(` + x + `)::DOUBLE AS x
	FROM assigned a LEFT JOIN metric_events m ON m.unit = a.unit
	GROUP BY a.unit, a.arm, a.stage, a.segment, a.bucket
)
SELECT arm, stage, segment, bucket, count(*)::DOUBLE,
	fsum(y), fsum(y * y), fsum(d), fsum(d * d), fsum(y * d), fsum(x), fsum(x * x), fsum(x * y)
FROM per_unit
GROUP BY arm, stage, segment, bucket`
}

// metricValues lists the per-unit values a metric needs: the value, or the
// numerator then the denominator. Counts and conversions ignore a property.
func metricValues(m events.Metric) []events.EventValue {
	switch m.Kind {
	case events.Ratio:
		return []events.EventValue{m.Numerator, m.Denominator}
	case events.Mean:
		return []events.EventValue{m.Value}
	default:
		return []events.EventValue{{Event: m.Value.Event}}
	}
}

// finiteCols keeps the finite values of the numeric property columns.
func finiteCols(props []string) string {
	var b strings.Builder
	for i := range props {
		col := "v" + strconv.Itoa(i)
		b.WriteString(", CASE WHEN isfinite(" + col + ") THEN " + col + " END AS " + col)
	}
	return b.String()
}
