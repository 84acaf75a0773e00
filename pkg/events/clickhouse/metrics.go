package clickhouse

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

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
func (s *Source) MetricSums(ctx context.Context, sc events.Scope, m events.Metric) ([]events.GroupSums, error) {
	op := fmt.Sprintf("%s metric of %q", m.Kind, sc.Experiment)
	if err := s.checkScope(op, sc); err != nil {
		return nil, err
	}
	if err := checkMetric(op, m); err != nil {
		return nil, err
	}
	p := &params{}
	query, err := s.metricQuery(ctx, op, p, sc, m)
	if err != nil {
		return nil, err
	}
	var out []events.GroupSums
	err = s.query(ctx, op, query, p.args, func(rows driver.Rows) error {
		var (
			arm, segment  string
			stage, bucket int64
			a             stats.ArmSums
		)
		if err := rows.Scan(&arm, &stage, &segment, &bucket, &a.N, &a.SumY, &a.SumY2, &a.SumD, &a.SumD2, &a.SumYD, &a.SumX, &a.SumX2, &a.SumXY); err != nil {
			return err
		}
		for _, v := range []float64{a.SumY, a.SumY2, a.SumD, a.SumD2, a.SumYD, a.SumX, a.SumX2, a.SumXY} {
			if math.IsInf(v, 0) || math.IsNaN(v) {
				return fmt.Errorf("sums overflow float64 in arm %q (property values too large)", arm)
			}
		}
		out = append(out, events.GroupSums{GroupKey: events.NewGroupKey(sc, arm, stage, segment, bucket), Sums: a})
		return nil
	})
	if err != nil {
		return nil, err
	}
	cmp := events.CompareGroupKeys(sc)
	slices.SortFunc(out, func(a, b events.GroupSums) int { return cmp(a.GroupKey, b.GroupKey) })
	return out, nil
}

// metricQuery builds the per-unit then per-group aggregation. The per-unit
// step reads the mapped table directly and joins the assigned units with
// GLOBAL JOIN: on a Distributed table the initiator computes the assigned
// units once and ships them to every shard, each shard joins and
// aggregates its own events, and the initiator merges per-unit partial
// sums. On a plain table GLOBAL changes nothing.
func (s *Source) metricQuery(ctx context.Context, op string, p *params, sc events.Scope, m events.Metric) (string, error) {
	classified, err := s.classifiedSQL(ctx, op, p, sc)
	if err != nil {
		return "", err
	}
	t, err := s.eventTableFor(ctx, op)
	if err != nil {
		return "", err
	}
	values := metricValues(m)
	var names []string
	for _, v := range values {
		if !slices.Contains(names, v.Event) {
			names = append(names, v.Event)
		}
	}

	inWindow := "_lg_t >= _lg_first"
	if m.Window > 0 {
		inWindow += " AND _lg_t < _lg_first + " + p.int(m.Window.Microseconds())
	}
	inLookback := ""
	lower := sc.Start.UnixMicro()
	if m.CUPEDLookback > 0 {
		inLookback = "_lg_t >= _lg_first - " + p.int(m.CUPEDLookback.Microseconds()) + " AND _lg_t < _lg_first"
		lower -= m.CUPEDLookback.Microseconds()
	}

	// Row-level columns: per value i, _lg_is<i> (the row is its event) and,
	// for a property sum, _lg_v<i> (the property as a finite number or 0).
	with := t.unitOf(p, sc) + " AS _lg_u, " + t.time.micros + " AS _lg_t"
	for i, v := range values {
		n := strconv.Itoa(i)
		with += ", " + t.event + " = " + p.text(v.Event) + " AS _lg_is" + n
		if v.Property != "" {
			with += ", " + t.props.number(p, v.Property) + " AS _lg_v" + n
		}
	}
	// perUnit is one per-unit value of values[i] over the rows matching when.
	convert := m.Kind == events.Conversion
	perUnit := func(i int, when string) string {
		n := strconv.Itoa(i)
		cond := "_lg_is" + n + " AND " + when
		switch {
		case convert:
			return "toFloat64(max(" + cond + "))"
		case values[i].Property == "":
			return "toFloat64(countIf(" + cond + "))"
		default:
			return "sumIf(_lg_v" + n + ", " + cond + ")"
		}
	}
	y, d, x := perUnit(0, inWindow), "toFloat64(0)", "toFloat64(0)"
	if m.Kind == events.Ratio {
		d = perUnit(1, inWindow)
	}
	if m.CUPEDLookback > 0 {
		x = perUnit(0, inLookback)
	}

	assigned := `SELECT * FROM (` + classified + `) WHERE _lg_status = ` + strconv.Itoa(statusAssigned)
	perUnitSQL := `WITH ` + with + `
	SELECT _lg_u, ` + y + ` AS _lg_y, ` + d + ` AS _lg_d, ` + x + ` AS _lg_x
	FROM ` + t.from + `
	GLOBAL ALL INNER JOIN (SELECT _lg_u, _lg_first FROM (` + assigned + `)) USING _lg_u
	WHERE ` + t.event + ` IN ` + p.list(names) + `
		AND ` + t.time.within(p, "_lg_t", lower, sc.End.UnixMicro()) + `
		AND _lg_u != ''
	GROUP BY _lg_u`

	// Plain sum, not sumKahan: 18.16 writes sumKahan states to disk wrongly
	// (groups go missing, or the query fails with "Empty query"), and this
	// step spills too once the query as a whole passes
	// max_bytes_before_external_group_by, few groups or not.
	return `SELECT _lg_arm, _lg_stage, _lg_segment, _lg_bucket, toFloat64(count()),
	sum(_lg_y), sum(_lg_y * _lg_y), sum(_lg_d), sum(_lg_d * _lg_d), sum(_lg_y * _lg_d),
	sum(_lg_x), sum(_lg_x * _lg_x), sum(_lg_x * _lg_y)
FROM (
	SELECT _lg_arm, _lg_stage, _lg_segment, _lg_bucket, _lg_y, _lg_d, _lg_x
	FROM (` + assigned + `)
	ALL LEFT JOIN (` + perUnitSQL + `) USING _lg_u
)
GROUP BY _lg_arm, _lg_stage, _lg_segment, _lg_bucket`, nil
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
