package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// TestExistingTablesWithAssignments reads a schema liftgate did not create:
// a GrowthBook-style assignment table and an event table with other column
// names and types (bigint units, uuid ids, timestamp without time zone,
// json rather than jsonb). The server runs in a +05:45 zone to show that
// timestamp columns are read as UTC whatever the server's TimeZone.
func TestExistingTablesWithAssignments(t *testing.T) {
	srv := testserver.StartPostgres(t, testserver.WithPostgresSetting("timezone", "Asia/Kathmandu"))
	db := srv.CreateDatabase(t)
	srv.Exec(t, db, `
CREATE SCHEMA analytics;
CREATE TABLE analytics.assignments (user_key bigint, assigned_at timestamp, experiment_id text, variation varchar(32));
CREATE TABLE analytics.tracks (event_id uuid DEFAULT gen_random_uuid(), event_name varchar(64), user_key bigint, happened_at timestamp, props json);
INSERT INTO analytics.assignments VALUES
	(1, '2026-03-02 01:00:00', 'exp', 'control'),
	(1, '2026-03-02 05:00:00', 'exp', 'control'),   -- a repeat: first stays 01:00
	(2, '2026-03-02 02:00:00', 'exp', 'treatment'),
	(3, '2026-03-02 01:00:00', 'exp', 'control'),
	(3, '2026-03-02 03:00:00', 'exp', 'treatment'), -- two arms: excluded
	(4, '2026-03-02 01:00:00', 'exp', 'ghost'),     -- unknown arm
	(5, '2026-03-02 01:00:00', 'other', 'control'), -- other experiment
	(6, '2026-03-01 23:00:00', 'exp', 'control');   -- before Start
INSERT INTO analytics.tracks (event_name, user_key, happened_at, props) VALUES
	('purchase', 1, '2026-03-02 00:30:00', '{"amount": 2}'),   -- 30 min before u1's first: CUPED only
	('purchase', 1, '2026-03-02 02:00:00', '{"amount": 5}'),
	('purchase', 2, '2026-03-02 03:00:00', '{"amount": 7.5}'),
	('purchase', 3, '2026-03-02 04:00:00', '{"amount": 100}'),
	('exposure', 1, '2026-03-02 01:00:00', '{"country": "DE"}'),
	('exposure', 1, '2026-03-02 06:00:00', '{"country": "FR"}');
`)
	mapping := events.Mapping{
		Table:      "analytics.tracks",
		Columns:    events.EventColumns{ID: "event_id", Event: "event_name", Unit: "user_key", Time: "happened_at", Properties: "props"},
		Properties: "json",
		Assignments: &events.AssignmentTable{Table: "analytics.assignments", Unit: "user_key", Time: "assigned_at",
			Experiment: "experiment_id", Variant: "variation"},
	}
	src, err := Open(context.Background(), Config{Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password), Mapping: mapping})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	control, treatment := events.GroupKey{Arm: "control"}, events.GroupKey{Arm: "treatment"}
	sc := baseScope()
	checkExposures(t, mustExposures(t, src, sc), events.ExposureCounts{
		Groups:        []events.GroupCount{{GroupKey: control, Units: 1}, {GroupKey: treatment, Units: 1}},
		MultiArmUnits: 1, UnknownArmUnits: 1,
	})
	m := events.Metric{Kind: events.Mean, Value: events.EventValue{Event: "purchase", Property: "amount"}, CUPEDLookback: h}
	checkSums(t, mustSums(t, src, sc, m), []events.GroupSums{
		{GroupKey: control, Sums: sumsOf([]float64{5}, nil, []float64{2})},
		{GroupKey: treatment, Sums: sumsOf([]float64{7.5}, nil, []float64{0})},
	})

	// Segments come from each unit's first event named like the exposure.
	sc.Segment = "country"
	checkExposures(t, mustExposures(t, src, sc), events.ExposureCounts{
		Groups: []events.GroupCount{
			{GroupKey: events.GroupKey{Arm: "control", Segment: "DE"}, Units: 1},
			{GroupKey: events.GroupKey{Arm: "treatment", Segment: "(none)"}, Units: 1},
		},
		MultiArmUnits: 1, UnknownArmUnits: 1,
	})
}

// TestPostHogShapedTable reads a table with PostHog's column names through
// events.PostHogMapping, whose $feature_flag_called exposure overrides the
// plan's exposure event.
func TestPostHogShapedTable(t *testing.T) {
	srv := testserver.StartPostgres(t)
	db := srv.CreateDatabase(t)
	srv.Exec(t, db, `
CREATE TABLE events (uuid uuid DEFAULT gen_random_uuid(), event text, distinct_id text, "timestamp" timestamptz, properties jsonb);
INSERT INTO events (event, distinct_id, "timestamp", properties) VALUES
	('$feature_flag_called', 'anna', '2026-03-02T01:00:00Z', '{"$feature_flag": "exp", "$feature_flag_response": "control"}'),
	('$feature_flag_called', 'ben',  '2026-03-02T01:00:00Z', '{"$feature_flag": "exp", "$feature_flag_response": "treatment"}'),
	('$feature_flag_called', 'cleo', '2026-03-02T01:00:00Z', '{"$feature_flag": "exp", "$feature_flag_response": false}'),
	('$feature_flag_called', 'dan',  '2026-03-02T01:00:00Z', '{"$feature_flag": "other-flag", "$feature_flag_response": "control"}'),
	('experiment_viewed',    'eve',  '2026-03-02T01:00:00Z', '{"experiment": "exp", "arm": "control"}'),
	('$pageview', 'anna', '2026-03-02T02:00:00Z', '{}'),
	('$pageview', 'ben',  '2026-03-02T02:00:00Z', '{}'),
	('$pageview', 'ben',  '2026-03-02T03:00:00Z', '{}');
`)
	src, err := Open(context.Background(), Config{Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password), Mapping: events.PostHogMapping()})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	sc := baseScope()
	sc.Exposure = events.Exposure{Event: "experiment_viewed", ExperimentProperty: "experiment", ArmProperty: "arm"}
	// cleo's response false is not a planned arm; eve's event is not a
	// PostHog exposure.
	checkExposures(t, mustExposures(t, src, sc), events.ExposureCounts{
		Groups:          []events.GroupCount{{GroupKey: events.GroupKey{Arm: "control"}, Units: 1}, {GroupKey: events.GroupKey{Arm: "treatment"}, Units: 1}},
		UnknownArmUnits: 1,
	})
	checkSums(t, mustSums(t, src, sc, events.Metric{Kind: events.Count, Value: events.EventValue{Event: "$pageview"}}), []events.GroupSums{
		{GroupKey: events.GroupKey{Arm: "control"}, Sums: sumsOf([]float64{1}, nil, nil)},
		{GroupKey: events.GroupKey{Arm: "treatment"}, Sums: sumsOf([]float64{2}, nil, nil)},
	})
}

func TestMissingTableNamesSourceAndOperation(t *testing.T) {
	srv := testserver.StartPostgres(t)
	src, _ := openTestSource(t, srv, events.LiftgateMapping())
	_, err := src.Exposures(context.Background(), baseScope())
	if err == nil {
		t.Fatal("want an error for a missing table")
	}
	for _, want := range []string{"postgres", "exposures of \"exp\"", "events"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestInsertIsIdempotent(t *testing.T) {
	srv := testserver.StartPostgres(t)
	src, db := openTestSource(t, srv, events.LiftgateMapping())
	ctx := context.Background()
	if err := src.CreateLiftgateSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if err := src.CreateLiftgateSchema(ctx); err != nil {
		t.Fatalf("second CreateLiftgateSchema: %v", err)
	}
	batch := []events.Event{
		exposureEv("a", "u1", at(h), "control", nil),
		exposureEv("b", "u2", at(h), "treatment", nil),
		exposureEv("a", "u3", at(h), "treatment", nil),                                           // repeated id: the first wins
		{Name: "purchase", Unit: "u1", Time: at(2 * h), Properties: map[string]any{"amount": 1}}, // no id: content id
	}
	n, err := src.Insert(ctx, batch)
	if err != nil || n != 3 {
		t.Fatalf("first insert: %d, %v; want 3 new", n, err)
	}
	n, err = src.Insert(ctx, batch)
	if err != nil || n != 0 {
		t.Fatalf("second insert: %d, %v; want 0 new", n, err)
	}
	got := mustExposures(t, src, baseScope())
	checkExposures(t, got, events.ExposureCounts{Groups: []events.GroupCount{
		{GroupKey: events.GroupKey{Arm: "control"}, Units: 1}, {GroupKey: events.GroupKey{Arm: "treatment"}, Units: 1},
	}})

	for _, bad := range []struct {
		ev   events.Event
		want string
	}{
		{events.Event{ID: "x", Unit: "u", Time: at(0)}, "name is empty"},
		{events.Event{ID: "x", Name: "e", Time: at(0)}, "unit is empty"},
		{events.Event{ID: "x", Name: "e", Unit: "u"}, "time is not set"},
		{events.Event{ID: "x", Name: "e", Unit: "u\x00", Time: at(0)}, "NUL"},
		{events.Event{ID: "x", Name: "e", Unit: "u", Time: at(0), Properties: map[string]any{"k": "a\x00b"}}, "NUL"},
	} {
		_, err := src.Insert(ctx, []events.Event{exposureEv("ok", "u9", at(h), "control", nil), bad.ev})
		if err == nil || !strings.Contains(err.Error(), bad.want) || !strings.Contains(err.Error(), "event 1") {
			t.Errorf("insert %+v: got %v, want an error about event 1 saying %q", bad.ev, err, bad.want)
		}
	}
	// A rejected batch wrote nothing.
	srv.Exec(t, db, `DO $$ BEGIN IF (SELECT count(*) FROM events WHERE id = 'ok') <> 0 THEN RAISE 'partial batch stored'; END IF; END $$`)
}

// TestTiesUseByteOrder stores two exposures of one unit at the same instant
// with ids "T1" and "t0" in a database whose default collation is ICU
// en-US, where "t0" sorts first; byte order (the other stores' order) puts
// "T1" first, and that exposure's segment must win.
func TestTiesUseByteOrder(t *testing.T) {
	srv := testserver.StartPostgres(t)
	srv.Exec(t, "postgres", `CREATE DATABASE icu_db LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C' TEMPLATE template0`)
	src, err := Open(context.Background(), Config{Addr: srv.Addr(), Database: "icu_db", User: srv.User, Password: Secret(srv.Password)})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	loadEvents(t, src, []events.Event{
		exposureEv("t0", "u1", at(h), "control", map[string]any{"country": "from-t0"}),
		exposureEv("T1", "u1", at(h), "control", map[string]any{"country": "from-T1"}),
	})
	sc := baseScope()
	sc.Segment = "country"
	checkExposures(t, mustExposures(t, src, sc), events.ExposureCounts{Groups: []events.GroupCount{
		{GroupKey: events.GroupKey{Arm: "control", Segment: "from-T1"}, Units: 1},
	}})
}
