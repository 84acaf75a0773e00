package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// hAt is t0 plus h hours.
func hAt(h float64) time.Time { return at(time.Duration(h * float64(time.Hour))) }

// healthScope reads the unit from the "account" property, so an exposure
// can lack its unit (the unit column is never empty).
func healthScope() events.Scope {
	sc := baseScope()
	sc.Experiment = "exp1"
	sc.Unit = "account"
	sc.End = hAt(240)
	return sc
}

func healthRequest() events.HealthRequest {
	return events.HealthRequest{
		Events:     []string{"purchase"},
		Properties: []events.EventValue{{Event: "purchase", Property: "amount"}},
		Now:        hAt(240),
		ClockSkew:  5 * time.Minute,
	}
}

// goodHealthEvents are 20 units, alternating arms, each with one purchase.
func goodHealthEvents() []events.Event {
	var evs []events.Event
	for i := range 20 {
		unit := fmt.Sprintf("u%02d", i)
		arm := []string{"control", "treatment"}[i%2]
		evs = append(evs,
			ev("x-"+unit, "exposure", unit, hAt(float64(i)), map[string]any{"experiment": "exp1", "arm": arm, "account": unit}),
			ev("p-"+unit, "purchase", unit, hAt(float64(i)+1), map[string]any{"amount": 10 + i, "account": unit}),
		)
	}
	return evs
}

// faultyHealthEvents inject one or more of each fault, the same as the
// DuckDB store's test, so both stores must report the same numbers.
func faultyHealthEvents() []events.Event {
	exp := func(id, unit string, h float64, props map[string]any) events.Event {
		props["experiment"] = "exp1"
		if unit != "" {
			props["account"] = unit
		}
		return ev(id, "exposure", "someone", hAt(h), props)
	}
	buy := func(id string, h float64, props map[string]any) events.Event {
		props["account"] = "u03"
		return ev(id, "purchase", "u03", hAt(h), props)
	}
	return []events.Event{
		exp("unknown-1", "k1", 5, map[string]any{"arm": "treatmnet"}),
		exp("unknown-2", "k2", 6, map[string]any{"arm": "treatmnet"}),
		exp("noarm-1", "m1", 7, map[string]any{}),
		exp("nounit-1", "", 8, map[string]any{"arm": "control"}),
		exp("multi-1", "u00", 30, map[string]any{"arm": "treatment"}),
		exp("early-1", "e1", -2, map[string]any{"arm": "control"}),
		// Another experiment's exposure is not this one's unknown arm.
		ev("other-1", "exposure", "o1", hAt(9), map[string]any{"experiment": "exp2", "arm": "zzz", "account": "o1"}),
		buy("future-1", 241, map[string]any{"amount": 1}),
		buy("skewed-1", 240+1.0/60, map[string]any{"amount": 1}), // within the 5m skew: not future
		buy("noamount-1", 50, map[string]any{}),
		buy("textamount-1", 51, map[string]any{"amount": "12.5"}),
		buy("boolamount-1", 52, map[string]any{"amount": true}),
		buy("nullamount-1", 53, map[string]any{"amount": nil}),
	}
}

// TestHealth runs every scenario against one server, each in its own
// database.
func TestHealth(t *testing.T) {
	srv := testserver.StartPostgres(t)
	health := func(t *testing.T, s *Source, sc events.Scope, req events.HealthRequest) events.HealthReport {
		t.Helper()
		r, err := s.Health(context.Background(), sc, req)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	t.Run("clean data raises nothing", func(t *testing.T) {
		s, _ := openTestSource(t, srv, events.LiftgateMapping())
		loadEvents(t, s, goodHealthEvents())
		r := health(t, s, healthScope(), healthRequest())
		if r.Exposures != 20 || r.ExposedUnits != 20 || r.Events != 40 {
			t.Errorf("denominators = %d exposures, %d units, %d events; want 20, 20, 40", r.Exposures, r.ExposedUnits, r.Events)
		}
		for name, c := range map[string]events.HealthCount{
			"unknown arm": r.UnknownArm, "missing unit": r.MissingUnit, "missing arm": r.MissingArm,
			"multi-arm": r.MultiArmUnits, "before start": r.BeforeStart, "future": r.Future, "duplicates": r.Duplicates,
			"missing amount": r.Properties[0].Missing, "non-numeric amount": r.Properties[0].NonNumeric,
		} {
			if c.Count != 0 || len(c.Examples) != 0 {
				t.Errorf("%s = %+v on clean data", name, c)
			}
		}
		if !r.DuplicatesChecked {
			t.Error("the mapping has an id column, yet duplicates are not checked")
		}
		if want := hAt(20); !r.Watermark.Equal(want) {
			t.Errorf("watermark = %v, want the last purchase %v", r.Watermark, want)
		}
		if r.Properties[0].Events != 20 {
			t.Errorf("purchases = %d, want 20", r.Properties[0].Events)
		}
	})

	t.Run("each fault is detected", func(t *testing.T) {
		s, _ := openTestSource(t, srv, events.LiftgateMapping())
		loadEvents(t, s, append(goodHealthEvents(), faultyHealthEvents()...))
		r := health(t, s, healthScope(), healthRequest())
		// 20 good + unknown 2 + missing arm + missing unit + second arm.
		if r.Exposures != 25 || r.ExposedUnits != 23 {
			t.Errorf("exposures %d, exposed units %d; want 25 and 23 (u00-u19, k1, k2, m1)", r.Exposures, r.ExposedUnits)
		}
		// Exposures of both experiments in the window (26) and purchases (24).
		if r.Events != 50 {
			t.Errorf("checked events = %d, want 50", r.Events)
		}
		checkCount(t, "unknown arm", r.UnknownArm, 2, []string{"unknown-1", "unknown-2"})
		if ex := r.UnknownArm.Examples; len(ex) == 0 || ex[0].Value != "treatmnet" || ex[0].Unit != "k1" || !ex[0].Time.Equal(hAt(5)) {
			t.Errorf("unknown arm examples = %+v, want unit k1 with value treatmnet at %v first", ex, hAt(5))
		}
		checkCount(t, "missing arm", r.MissingArm, 1, []string{"noarm-1"})
		checkCount(t, "missing unit", r.MissingUnit, 1, []string{"nounit-1"})
		checkCount(t, "before start", r.BeforeStart, 1, []string{"early-1"})
		checkCount(t, "future", r.Future, 1, []string{"future-1"})
		checkCount(t, "missing amount", r.Properties[0].Missing, 2, []string{"noamount-1", "nullamount-1"})
		checkCount(t, "non-numeric amount", r.Properties[0].NonNumeric, 2, []string{"textamount-1", "boolamount-1"})
		if ex := r.Properties[0].NonNumeric.Examples; len(ex) != 2 || ex[0].Value != `"12.5"` || ex[1].Value != "true" {
			t.Errorf("non-numeric examples = %+v, want the JSON texts \"12.5\" and true", ex)
		}
		if r.Properties[0].Events != 24 {
			t.Errorf("purchases in the window = %d, want 24", r.Properties[0].Events)
		}
		if r.MultiArmUnits.Count != 1 || len(r.MultiArmUnits.Examples) != 1 ||
			r.MultiArmUnits.Examples[0].Unit != "u00" || r.MultiArmUnits.Examples[0].Value != "control,treatment" ||
			!r.MultiArmUnits.Examples[0].Time.IsZero() {
			t.Errorf("multi-arm = %+v, want unit u00 with control,treatment and no time", r.MultiArmUnits)
		}
		if want := hAt(240 + 1.0/60); !r.Watermark.Equal(want) {
			t.Errorf("watermark = %v, want %v (the future event must not move it)", r.Watermark, want)
		}
		if r.Duplicates.Count != 0 {
			t.Errorf("duplicates = %+v, none were stored", r.Duplicates)
		}
	})

	t.Run("duplicate ids are counted", func(t *testing.T) {
		s, db := openTestSource(t, srv, events.LiftgateMapping())
		loadEvents(t, s, goodHealthEvents())
		// A user's table without the unique index keeps copies: p-u02 three
		// times, x-u01 twice, 3 surplus rows.
		srv.Exec(t, db, `DROP INDEX events_id_key;
INSERT INTO events SELECT * FROM events WHERE id IN ('p-u02', 'x-u01');
INSERT INTO events SELECT * FROM events WHERE id = 'p-u02' LIMIT 1;`)
		r := health(t, s, healthScope(), healthRequest())
		checkCount(t, "duplicates", r.Duplicates, 3, []string{"x-u01", "p-u02"})
		if ex := r.Duplicates.Examples; len(ex) == 2 && (ex[0].Value != "2 rows" || ex[1].Value != "3 rows" || ex[1].Unit != "u02" || !ex[1].Time.Equal(hAt(3))) {
			t.Errorf("duplicate examples = %+v, want x-u01 2 rows, then p-u02 (unit u02 at %v) 3 rows", ex, hAt(3))
		}
		if r.Events != 43 {
			t.Errorf("checked events = %d, want 43 rows (40 + 3 copies)", r.Events)
		}
		if r.MultiArmUnits.Count != 0 || r.UnknownArm.Count != 0 || r.ExposedUnits != 20 {
			t.Errorf("copies disturb the exposure checks: %+v", r)
		}
	})

	t.Run("examples are capped", func(t *testing.T) {
		s, _ := openTestSource(t, srv, events.LiftgateMapping())
		var evs []events.Event
		for i := range 9 {
			evs = append(evs, ev(fmt.Sprintf("bad-%d", i), "exposure", "u", hAt(float64(i)),
				map[string]any{"experiment": "exp1", "arm": "nope", "account": fmt.Sprintf("u%d", i)}))
		}
		loadEvents(t, s, evs)
		req := healthRequest()
		req.Examples = 3
		r := health(t, s, healthScope(), req)
		checkCount(t, "unknown arm", r.UnknownArm, 9, []string{"bad-0", "bad-1", "bad-2"})
		req.Examples = 0
		r = health(t, s, healthScope(), req)
		if len(r.UnknownArm.Examples) != events.DefaultHealthExamples {
			t.Errorf("%d examples by default, want %d", len(r.UnknownArm.Examples), events.DefaultHealthExamples)
		}
	})

	t.Run("hostile names are inert", func(t *testing.T) {
		s, db := openTestSource(t, srv, events.LiftgateMapping())
		hostile := `x'); DROP TABLE events; --\' $1 ? "`
		loadEvents(t, s, []events.Event{
			ev("h1", "exposure", "u1", hAt(1), map[string]any{"experiment": hostile, "arm": hostile, "account": "a1"}),
		})
		sc := healthScope()
		sc.Experiment = hostile
		req := healthRequest()
		req.Events = []string{hostile}
		req.Properties = []events.EventValue{{Event: hostile, Property: hostile}}
		r := health(t, s, sc, req)
		checkCount(t, "unknown arm", r.UnknownArm, 1, []string{"h1"})
		if r.UnknownArm.Examples[0].Value != hostile {
			t.Errorf("arm value = %q, want %q", r.UnknownArm.Examples[0].Value, hostile)
		}
		srv.Exec(t, db, "SELECT count(*) FROM events") // the table is intact
	})

	t.Run("bad requests", func(t *testing.T) {
		s, _ := openTestSource(t, srv, events.LiftgateMapping())
		for name, mutate := range map[string]func(*events.HealthRequest){
			"no now":        func(r *events.HealthRequest) { r.Now = time.Time{} },
			"negative skew": func(r *events.HealthRequest) { r.ClockSkew = -time.Second },
			"no property":   func(r *events.HealthRequest) { r.Properties[0].Property = "" },
			"too many":      func(r *events.HealthRequest) { r.Examples = events.MaxHealthExamples + 1 },
		} {
			req := healthRequest()
			mutate(&req)
			if _, err := s.Health(context.Background(), healthScope(), req); err == nil || !strings.Contains(err.Error(), "health request") {
				t.Errorf("%s: err = %v, want a health request error", name, err)
			}
		}
		sc := healthScope()
		sc.Arms = nil
		if _, err := s.Health(context.Background(), sc, healthRequest()); err == nil || !strings.Contains(err.Error(), "scope: no arms") {
			t.Errorf("scope without arms: err = %v", err)
		}
	})
}

// An existing schema liftgate did not create: an assignment table, a json
// (not jsonb) properties column, a timestamp without time zone read as UTC
// by a server in another zone, uuid ids, no unique index (copies stay).
func TestHealthOnExistingTables(t *testing.T) {
	srv := testserver.StartPostgres(t, testserver.WithPostgresSetting("timezone", "Asia/Kathmandu"))
	db := srv.CreateDatabase(t)
	srv.Exec(t, db, `
CREATE TABLE assignments (user_key bigint, assigned_at timestamp, experiment_id text, variation varchar(32));
CREATE TABLE tracks (event_id uuid, event_name varchar(64), user_key bigint, happened_at timestamp, props json);
INSERT INTO assignments VALUES
	(1, '2026-03-02 01:00:00', 'exp', 'control'),
	(2, '2026-03-02 02:00:00', 'exp', 'treatment'),
	(2, '2026-03-02 03:00:00', 'exp', 'control'),   -- two arms
	(3, '2026-03-02 01:00:00', 'exp', 'ghost'),     -- unknown arm
	(4, '2026-03-02 01:00:00', 'exp', NULL),        -- no arm
	(NULL, '2026-03-02 01:00:00', 'exp', 'control'),-- no unit
	(5, '2026-03-02 01:00:00', 'other', 'control'), -- other experiment
	(6, '2026-03-01 23:00:00', 'exp', 'control');   -- before Start
INSERT INTO tracks VALUES
	('00000000-0000-0000-0000-000000000001', 'purchase', 1, '2026-03-02 02:00:00', '{"amount": 5}'),
	('00000000-0000-0000-0000-000000000001', 'purchase', 1, '2026-03-02 02:00:00', '{"amount": 5}'),
	('00000000-0000-0000-0000-000000000002', 'purchase', 2, '2026-03-02 04:00:00', '{"amount": "7"}'),
	('00000000-0000-0000-0000-000000000003', 'purchase', 2, '2026-03-02 05:00:00', '{}'),
	('00000000-0000-0000-0000-000000000004', 'purchase', 1, '2026-03-20 00:00:00', '{"amount": 1}');
`)
	mapping := events.Mapping{
		Table:      "tracks",
		Columns:    events.EventColumns{ID: "event_id", Event: "event_name", Unit: "user_key", Time: "happened_at", Properties: "props"},
		Properties: "json",
		Assignments: &events.AssignmentTable{Table: "assignments", Unit: "user_key", Time: "assigned_at",
			Experiment: "experiment_id", Variant: "variation"},
	}
	src, err := Open(context.Background(), Config{Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password), Mapping: mapping})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	req := healthRequest()
	req.Now = at(7 * 24 * time.Hour) // 2026-03-09: the 03-20 purchase is from the future
	r, err := src.Health(context.Background(), baseScope(), req)
	if err != nil {
		t.Fatal(err)
	}
	if r.Exposures != 6 || r.ExposedUnits != 4 {
		t.Errorf("exposures %d, units %d; want 6 rows of units 1-4", r.Exposures, r.ExposedUnits)
	}
	if r.UnknownArm.Count != 1 || r.UnknownArm.Examples[0].Unit != "3" || r.UnknownArm.Examples[0].ID != "" {
		t.Errorf("unknown arm = %+v, want unit 3 without an id", r.UnknownArm)
	}
	if r.MissingArm.Count != 1 || r.MissingUnit.Count != 1 || r.MultiArmUnits.Count != 1 || r.MultiArmUnits.Examples[0].Unit != "2" {
		t.Errorf("missing arm %+v, missing unit %+v, multi-arm %+v; want one each (unit 2 in two arms)", r.MissingArm, r.MissingUnit, r.MultiArmUnits)
	}
	if r.BeforeStart.Count != 1 || !r.BeforeStart.Examples[0].Time.Equal(t0.Add(-time.Hour)) {
		t.Errorf("before start = %+v, want unit 6 at %v (read as UTC whatever the server zone)", r.BeforeStart, t0.Add(-time.Hour))
	}
	checkCount(t, "duplicates", r.Duplicates, 1, []string{"00000000-0000-0000-0000-000000000001"})
	checkCount(t, "future", r.Future, 1, []string{"00000000-0000-0000-0000-000000000004"})
	checkCount(t, "non-numeric amount", r.Properties[0].NonNumeric, 1, []string{"00000000-0000-0000-0000-000000000002"})
	checkCount(t, "missing amount", r.Properties[0].Missing, 1, []string{"00000000-0000-0000-0000-000000000003"})
	if want := at(5 * time.Hour); !r.Watermark.Equal(want) {
		t.Errorf("watermark = %v, want %v", r.Watermark, want)
	}
}

// checkCount compares a count and the ids of its examples.
func checkCount(t *testing.T, name string, c events.HealthCount, want int64, ids []string) {
	t.Helper()
	var got []string
	for _, e := range c.Examples {
		got = append(got, e.ID)
	}
	if c.Count != want || strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("%s: count %d examples %v; want %d with %v", name, c.Count, got, want, ids)
	}
}
