package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// maxFloat64Text bounds a property value: larger JSON numbers would be
// infinite as float64, so, like a non-number, they add nothing.
const maxFloat64Text = "1.7976931348623157e308"

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
// A property value counts only when it is a JSON number within float64's
// range; strings, booleans, null and absent values add nothing. Sums are
// exact (numeric) in SQL and converted to float64 once, at the end.
func (s *Source) MetricSums(ctx context.Context, sc events.Scope, m events.Metric) ([]events.GroupSums, error) {
	op := fmt.Sprintf("%s metric of %q", m.Kind, sc.Experiment)
	if err := s.checkScope(op, sc); err != nil {
		return nil, err
	}
	if err := checkMetric(op, m); err != nil {
		return nil, err
	}
	p := &params{}
	query := s.metricQuery(p, sc, m)

	var out []events.GroupSums
	err := s.query(ctx, op, query, p.args, func(rows pgx.Rows) error {
		var (
			arm, segment  string
			stage, bucket int64
			n             int64
			sums          [8]pgtype.Numeric
		)
		dest := []any{&arm, &stage, &segment, &bucket, &n}
		for i := range sums {
			dest = append(dest, &sums[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		var f [8]float64
		for i := range sums {
			v, err := numericFloat(sums[i])
			if err != nil {
				return fmt.Errorf("arm %q: %w", arm, err)
			}
			f[i] = v
		}
		out = append(out, events.GroupSums{
			GroupKey: events.NewGroupKey(sc, arm, stage, segment, bucket),
			Sums: stats.ArmSums{N: float64(n), SumY: f[0], SumY2: f[1], SumD: f[2], SumD2: f[3], SumYD: f[4],
				SumX: f[5], SumX2: f[6], SumXY: f[7]},
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	cmp := events.CompareGroupKeys(sc)
	slices.SortFunc(out, func(a, b events.GroupSums) int { return cmp(a.GroupKey, b.GroupKey) })
	return out, nil
}

// metricQuery builds the per-unit then per-group aggregation.
func (s *Source) metricQuery(p *params, sc events.Scope, m events.Metric) string {
	values := metricValues(m)

	// metric_events carries one numeric column per property the metric sums.
	var names []string
	propColumn := map[string]string{}
	var numericCols string
	for _, v := range values {
		if !slices.Contains(names, v.Event) {
			names = append(names, v.Event)
		}
		if v.Property == "" {
			continue
		}
		if _, ok := propColumn[v.Property]; ok {
			continue
		}
		col := "v" + strconv.Itoa(len(propColumn))
		propColumn[v.Property] = col
		key := p.text(v.Property)
		numericCols += ",\n\t\tCASE WHEN jsonb_typeof(x.p -> " + key + ") = 'number' AND abs((x.p -> " + key + ")::numeric) <= " +
			maxFloat64Text + " THEN (x.p -> " + key + ")::numeric END AS " + col
	}

	lower := sc.Start
	if m.CUPEDLookback > 0 {
		lower = sc.Start.Add(-m.CUPEDLookback)
	}
	after := "m.ts >= a.first_ts"
	join := "m.unit = a.unit"
	window := ""
	if m.Window > 0 {
		window = " AND m.ts < a.first_ts + " + p.interval(m.Window)
		after += window
	}
	before := ""
	if m.CUPEDLookback > 0 {
		before = "m.ts >= a.first_ts - " + p.interval(m.CUPEDLookback) + " AND m.ts < a.first_ts"
		// Rows outside [t0-lookback, t0+window) are dropped in the join,
		// before the per-unit aggregation sees them.
		join += " AND m.ts >= a.first_ts - " + p.interval(m.CUPEDLookback) + window
	} else {
		join += " AND " + after
	}

	// value is one per-unit value of v over the rows matching when.
	value := func(v events.EventValue, when string, convert bool) string {
		cond := "m.event = " + p.text(v.Event) + " AND " + when
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
		x = value(values[0], before, convert)
	}

	ts := s.col(s.mapping.Columns.Time)
	return `WITH ` + s.classifiedCTEs(p, sc) + `,
assigned AS (
	SELECT unit, arm, first_ts, stage, segment, bucket FROM classified WHERE status = ` + strconv.Itoa(statusAssigned) + `
),
metric_events AS (
	SELECT ` + s.unitExpr(p, sc) + ` AS unit, ` + s.col(s.mapping.Columns.Event) + `::text AS event, ` + ts + `::timestamptz AS ts` + numericCols + `
	FROM ` + s.eventsFrom() + `
	WHERE ` + s.col(s.mapping.Columns.Event) + ` = ANY(` + p.texts(names) + `)
		AND ` + ts + ` >= ` + p.timestamp(lower) + ` AND ` + ts + ` < ` + p.timestamp(sc.End) + `
),
per_unit AS (
	SELECT a.arm, a.stage, a.segment, a.bucket,
		(` + y + `)::numeric AS y,
		(` + d + `)::numeric AS d,
		(` + x + `)::numeric AS x
	FROM assigned a LEFT JOIN metric_events m ON ` + join + `
	GROUP BY a.unit, a.arm, a.stage, a.segment, a.bucket
)
SELECT arm, stage, segment, bucket, count(*),
	sum(y), sum(y * y), sum(d), sum(d * d), sum(y * d), sum(x), sum(x * x), sum(x * y)
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
