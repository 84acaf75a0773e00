package clickhouse

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

func TestInsert(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	s, _ := openTestSource(t, srv, events.Mapping{})
	ctx := testCtx(t)

	// Before the schema exists, the error names the mapping field.
	if _, err := s.Insert(ctx, []events.Event{ev("a", "x", "u", t0, nil)}); err == nil || !strings.Contains(err.Error(), "mapping.table: table `events` does not exist") {
		t.Fatalf("want a missing-table error, got %v", err)
	}
	if err := s.CreateLiftgateSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateLiftgateSchema(ctx); err != nil {
		t.Fatalf("CreateLiftgateSchema is not idempotent: %v", err)
	}

	batch := []events.Event{
		exposure("e1", "u1", t0.Add(hour), "exp1", "control", map[string]any{
			"<b>&country": "US", "big": json.Number("12345678901234567890"),
		}),
		exposure("e1", "u9", t0.Add(hour), "exp1", "treatment", nil), // repeated id: the first wins
		{Name: "exposure", Unit: "u2", Time: t0.Add(hour), Properties: map[string]any{"experiment": "exp1", "arm": "treatment"}},
	}
	n, err := s.Insert(ctx, batch)
	if err != nil || n != 2 {
		t.Fatalf("Insert = %d, %v; want 2 new events", n, err)
	}
	// The same events again add nothing; one new event is added.
	n, err = s.Insert(ctx, append(batch, ev("p1", "purchase", "u1", t0.Add(2*hour), nil)))
	if err != nil || n != 1 {
		t.Fatalf("second Insert = %d, %v; want 1 new event", n, err)
	}

	// Stored properties read back through the store's own extraction:
	// keys with <, > and & (written unescaped, so 18.16's byte-for-byte
	// key match finds them) and a 20-digit number exactly as written.
	for _, c := range []struct{ segment, want string }{{"<b>&country", "US"}, {"big", "12345678901234567890"}} {
		sc := baseScope()
		sc.Segment = c.segment
		got, err := s.Exposures(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		checkExposures(t, got, events.ExposureCounts{Groups: []events.GroupCount{
			{GroupKey: key("control", 0, c.want, time.Time{}), Units: 1},
			{GroupKey: key("treatment", 0, "(none)", time.Time{}), Units: 1},
		}})
	}

	// An event without an id got its content id, so re-inserting it with
	// that id explicitly adds nothing.
	again := batch[2]
	again.ID = events.ContentID(again)
	if n, err := s.Insert(ctx, []events.Event{again}); err != nil || n != 0 {
		t.Fatalf("content id not used: Insert = %d, %v", n, err)
	}

	// Bad events fail the whole batch, naming the event and the field.
	for _, c := range []struct {
		e    events.Event
		want string
	}{
		{ev("b1", "", "u", t0, nil), `event 1 (id "b1"): name is empty`},
		{ev("b2", "x", "", t0, nil), `event 1 (id "b2"): unit is empty`},
		{ev("b3", "x", "u\x00", t0, nil), `unit is not valid UTF-8 text without NUL`},
		{ev("b4", "x", "u", time.Time{}, nil), `event 1 (id "b4"): time is not set`},
		{ev("b5", "x", "u", t0.Add(time.Millisecond), nil), "has a fraction of a second, but the time column is a DateTime"},
		{ev("b6", "x", "u", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), nil), "outside a DateTime's range"},
	} {
		_, err := s.Insert(ctx, []events.Event{ev("ok", "x", "u", t0, nil), c.e})
		if err == nil || !strings.HasPrefix(err.Error(), "clickhouse: insert: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error containing %q, got %v", c.want, err)
		}
	}
	var count uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM events").Scan(&count); err != nil || count != 3 {
		t.Fatalf("table holds %d events (%v), want 3: a failed batch wrote something", count, err)
	}
}

func TestSchemaErrorsNameTheMapping(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	db := srv.CreateDatabase(t)
	srv.Exec(t, db, "CREATE TABLE ev (id String, name String, who UInt64, at Date, props Nullable(String)) ENGINE = Memory")
	ctx := testCtx(t)
	sc := baseScope()
	for _, c := range []struct {
		edit func(*events.Mapping)
		want string
	}{
		{func(m *events.Mapping) { m.Table = "nope" }, "mapping.table: table `nope` does not exist"},
		{func(m *events.Mapping) { m.Table = db + ".nope" }, "mapping.table: table `" + db + "`.`nope` does not exist"},
		{func(m *events.Mapping) { m.Columns.Event = "event" }, "mapping.columns.event: table `ev` has no column `event`"},
		{func(m *events.Mapping) {}, "mapping.columns.time: column `at` has type Date; expected DateTime or DateTime64"},
		{func(m *events.Mapping) { m.Columns.Time = "id" }, "mapping.columns.time: column `id` has type String"},
		{func(m *events.Mapping) { m.Columns.Time, m.Columns.Properties = "at", "who" }, "mapping.columns.time"},
		{func(m *events.Mapping) { m.Properties = "map"; m.Columns.Time = "at" }, "mapping.columns.time"},
	} {
		m := events.Mapping{Table: "ev", Columns: events.EventColumns{ID: "id", Event: "name", Unit: "who", Time: "at", Properties: "props"}, Properties: "json"}
		c.edit(&m)
		s := openOn(t, srv, db, m)
		_, err := s.Exposures(ctx, sc)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error containing %q, got %v", c.want, err)
		}
	}

	// With a usable time column, the properties column is checked too: a
	// Map needs a newer server, and a number is no JSON.
	srv.Exec(t, db, "CREATE TABLE ev2 (name String, who UInt64, at DateTime, props Nullable(String), n Int32) ENGINE = Memory")
	for _, c := range []struct {
		edit func(*events.Mapping)
		want string
	}{
		{func(m *events.Mapping) { m.Properties = "map" }, "mapping.properties is map, but column `props` has type Nullable(String)"},
		{func(m *events.Mapping) { m.Columns.Properties = "n" }, "mapping.columns.properties: column `n` has type Int32"},
	} {
		m := events.Mapping{Table: "ev2", Columns: events.EventColumns{Event: "name", Unit: "who", Time: "at", Properties: "props"}, Properties: "json"}
		c.edit(&m)
		s := openOn(t, srv, db, m)
		_, err := s.MetricSums(ctx, sc, events.Metric{Kind: events.Count, Value: events.EventValue{Event: "x"}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error containing %q, got %v", c.want, err)
		}
	}

	// A numeric unit column and a Nullable properties column work as they are.
	m := events.Mapping{Table: "ev2", Columns: events.EventColumns{Event: "name", Unit: "who", Time: "at", Properties: "props"}, Properties: "json"}
	srv.Exec(t, db, `INSERT INTO ev2 SELECT 'exposure', 42, toDateTime('2024-03-01 01:00:00', 'UTC'), '{"experiment":"exp1","arm":"control"}', 0`)
	srv.Exec(t, db, `INSERT INTO ev2 SELECT 'exposure', 43, toDateTime('2024-03-01 01:00:00', 'UTC'), NULL, 0`)
	got, err := openOn(t, srv, db, m).Exposures(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	checkExposures(t, got, events.ExposureCounts{Groups: []events.GroupCount{{GroupKey: key("control", 0, "", time.Time{}), Units: 1}}})
}

func TestScopeAndMetricChecks(t *testing.T) {
	s := &Source{mapping: events.LiftgateMapping()}
	ctx := testCtx(t)
	for _, c := range []struct {
		edit func(*events.Scope)
		want string
	}{
		{func(sc *events.Scope) { sc.Experiment = "" }, "experiment id is empty"},
		{func(sc *events.Scope) { sc.Exposure.ArmProperty = "" }, "exposure arm property is empty"},
		{func(sc *events.Scope) { sc.Arms = nil }, "no arms"},
		{func(sc *events.Scope) { sc.Arms = []string{"a", "a"} }, `arm "a" is listed twice`},
		{func(sc *events.Scope) { sc.End = sc.Start }, "is not after start"},
		{func(sc *events.Scope) { sc.Bucket = -time.Hour }, "bucket"},
		{func(sc *events.Scope) { sc.Stages = []events.StageStart{{Name: "x"}} }, `stage 0 ("x") has no start time`},
	} {
		sc := baseScope()
		c.edit(&sc)
		_, err := s.Exposures(ctx, sc)
		if err == nil || !strings.HasPrefix(err.Error(), `clickhouse: exposures of "`) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error containing %q, got %v", c.want, err)
		}
	}
	for _, c := range []struct {
		m    events.Metric
		want string
	}{
		{events.Metric{Kind: "median"}, `metric kind "median" is not one of`},
		{events.Metric{Kind: events.Mean, Value: events.EventValue{Event: "x"}}, "a mean needs a value event and the numeric property"},
		{events.Metric{Kind: events.Ratio, Numerator: events.EventValue{Event: "x"}}, "a ratio needs numerator and denominator events"},
		{events.Metric{Kind: events.Count, Value: events.EventValue{Event: "x"}, Window: -time.Hour}, "window"},
		{events.Metric{Kind: events.Count, Value: events.EventValue{Event: "x"}, CUPEDLookback: -time.Hour}, "CUPED lookback"},
	} {
		_, err := s.MetricSums(ctx, baseScope(), c.m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error containing %q, got %v", c.want, err)
		}
	}
}
