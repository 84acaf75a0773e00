package clickhouse

import (
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// hostile strings: SQL quoting and comments, backslashes, statement breaks,
// unicode, and the placeholder syntaxes of every binding style
// clickhouse-go knows ($1, ?, @name, {name:Type}).
var (
	hostileExperiment = `exp'; DROP TABLE events; --`
	hostileControl    = `ctl"\' OR 1=1 /*`
	hostileTreatment  = `tr*/ $1 ? @p1 {x:String} ü🚀`
	hostileExposure   = "exp`osure\\'\n--"
	hostileMetric     = `buy;-- ' " \ ; SELECT 1`
	hostileSegment    = `se"g\'m ${x} %s`
	// Property names without '"' or '\': JSON writes those escaped, and
	// 18.16's visitParam functions only find keys written verbatim.
	hostileExperimentKey = `exp'key;-- /**/`
	hostileArmKey        = `arm $1 ? @p2 {y:UInt8} ü`
	hostileAmountKey     = `amt'); DROP TABLE events; --`
	hostileSegmentKey    = `seg{z:String}`
)

func TestHostileInputIsInert(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	s, db := openTestSource(t, srv, events.Mapping{})
	ctx := testCtx(t)
	if err := s.CreateLiftgateSchema(ctx); err != nil {
		t.Fatal(err)
	}
	props := func(arm, segment string) map[string]any {
		return map[string]any{hostileExperimentKey: hostileExperiment, hostileArmKey: arm, hostileSegmentKey: segment}
	}
	units := []string{`u'1`, `u\2`, `ü"3`, `u4; DROP DATABASE ` + db, "u5\n--"}
	evs := []events.Event{
		ev(`id'1`, hostileExposure, units[0], t0.Add(hour), props(hostileControl, hostileSegment)),
		ev(`id"2`, hostileExposure, units[1], t0.Add(hour), props(hostileTreatment, hostileSegment)),
		ev(`id\3`, hostileExposure, units[2], t0.Add(hour), props(hostileTreatment, "plain")),
		ev(`id;4`, hostileExposure, units[3], t0.Add(hour), props(hostileControl, "")),
		ev(`id--5`, hostileExposure, units[4], t0.Add(hour), props(`ctl"\' OR 1=1 /`, "x")), // almost a planned arm: unknown
		ev(`m1`, hostileMetric, units[0], t0.Add(2*hour), map[string]any{hostileAmountKey: 1.5}),
		ev(`m2`, hostileMetric, units[1], t0.Add(2*hour), map[string]any{hostileAmountKey: 2}),
		ev(`m3`, hostileMetric, units[1], t0.Add(3*hour), map[string]any{hostileAmountKey: `3'`}),
	}
	mustInsert(t, s, evs)

	sc := events.Scope{
		Experiment: hostileExperiment,
		Exposure:   events.Exposure{Event: hostileExposure, ExperimentProperty: hostileExperimentKey, ArmProperty: hostileArmKey},
		Arms:       []string{hostileControl, hostileTreatment},
		Start:      t0,
		End:        t0.Add(day),
		Segment:    hostileSegmentKey,
	}
	got, err := s.Exposures(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	checkExposures(t, got, events.ExposureCounts{
		Groups: []events.GroupCount{
			{GroupKey: key(hostileControl, 0, "", time.Time{}), Units: 1},
			{GroupKey: key(hostileControl, 0, hostileSegment, time.Time{}), Units: 1},
			{GroupKey: key(hostileTreatment, 0, "plain", time.Time{}), Units: 1},
			{GroupKey: key(hostileTreatment, 0, hostileSegment, time.Time{}), Units: 1},
		},
		UnknownArmUnits: 1,
	})

	sums, err := s.MetricSums(ctx, sc, events.Metric{Kind: events.Mean, Value: events.EventValue{Event: hostileMetric, Property: hostileAmountKey}})
	if err != nil {
		t.Fatal(err)
	}
	checkSums(t, sums, map[events.GroupKey]stats.ArmSums{
		key(hostileControl, 0, "", time.Time{}):               sumsOf([]float64{0}, nil, nil),
		key(hostileControl, 0, hostileSegment, time.Time{}):   sumsOf([]float64{1.5}, nil, nil),
		key(hostileTreatment, 0, hostileSegment, time.Time{}): sumsOf([]float64{2}, nil, nil), // "3'" is a string
		key(hostileTreatment, 0, "plain", time.Time{}):        sumsOf([]float64{0}, nil, nil),
	})

	t.Run("keys with quotes and backslashes", func(t *testing.T) {
		// Inert on every server; found only where JSONExtractRaw reads
		// escaped keys, so here only the absence of errors and damage is
		// checked.
		for _, k := range []string{`a"b`, `a\b`, `"`, `\`, `\"); DROP TABLE events; --`} {
			sc := sc
			sc.Exposure.ArmProperty = k
			sc.Segment = k
			if _, err := s.Exposures(ctx, sc); err != nil {
				t.Errorf("arm property %q: %v", k, err)
			}
			if _, err := s.MetricSums(ctx, sc, events.Metric{Kind: events.Mean, Value: events.EventValue{Event: hostileMetric, Property: k}}); err != nil {
				t.Errorf("property %q: %v", k, err)
			}
		}
	})

	// The data and the table survive everything above.
	var n uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+quoteIdent(s.mapping.Table)).Scan(&n); err != nil {
		t.Fatalf("events table is gone: %v", err)
	}
	if n != uint64(len(evs)) {
		t.Fatalf("events table holds %d rows, want %d", n, len(evs))
	}
	// Every stored value reads back byte for byte.
	var gotUnits []string
	rows, err := s.conn.Query(ctx, "SELECT unit_id FROM "+quoteIdent(s.mapping.Table)+" WHERE event = ? ORDER BY id", hostileExposure)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		gotUnits = append(gotUnits, u)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{units[1], units[0], units[4], units[3], units[2]} // ids id"2 id'1 id--5 id;4 id\3 in byte order
	if strings.Join(gotUnits, "|") != strings.Join(want, "|") {
		t.Fatalf("units read back as %q, want %q", gotUnits, want)
	}
}

func TestHostileMappingIsRefused(t *testing.T) {
	for _, c := range []struct {
		name, field string
		edit        func(*events.Mapping)
	}{
		{"table with a statement", "mapping.table", func(m *events.Mapping) { m.Table = "events; DROP TABLE x" }},
		{"backquote in a column", "mapping.columns.unit", func(m *events.Mapping) { m.Columns.Unit = "unit`id" }},
		{"comment in a column", "mapping.columns.time", func(m *events.Mapping) { m.Columns.Time = "ts--" }},
		{"reserved alias prefix", "mapping.columns.properties", func(m *events.Mapping) { m.Columns.Properties = "_lg_u" }},
		{"assignment table", "mapping.assignments.variant", func(m *events.Mapping) {
			m.Assignments = &events.AssignmentTable{Table: "a", Unit: "u", Time: "t", Experiment: "e", Variant: "v'"}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := events.LiftgateMapping()
			c.edit(&m)
			err := Config{Addr: "127.0.0.1:9000", Mapping: m}.Validate()
			if err == nil || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("want an error naming %s, got %v", c.field, err)
			}
		})
	}
}
