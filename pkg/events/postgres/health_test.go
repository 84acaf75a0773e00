package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/healthfixture"
	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// TestHealth runs the data-health scenarios every store shares
// (internal/healthfixture), and those of the stores that keep duplicate ids
// and take placeholders, against one server, each in its own database.
func TestHealth(t *testing.T) {
	srv := testserver.StartPostgres(t)
	// The hostile text carries quotes, a comment and the placeholder syntax.
	hostile := healthfixture.HostileNames(`x'); DROP TABLE events; --\' $1 ? "`)
	for _, sc := range append(healthfixture.Scenarios(), healthfixture.DuplicateIDs(), hostile) {
		t.Run(sc.Name, func(t *testing.T) {
			s, db := openTestSource(t, srv, events.LiftgateMapping())
			loadEvents(t, s, sc.Events)
			if len(sc.Copies) > 0 {
				// A user's table without the unique index keeps copies.
				srv.Exec(t, db, "DROP INDEX events_id_key")
			}
			for _, id := range sc.Copies {
				srv.Exec(t, db, "INSERT INTO events SELECT * FROM events WHERE id = $1 LIMIT 1", id)
			}
			r, err := s.Health(context.Background(), sc.Scope, sc.Request)
			if err != nil {
				t.Fatal(err)
			}
			want := sc.Want
			want.DuplicatesChecked = true // the mapping has an id column, and a user's table may keep copies
			for _, d := range healthfixture.Diff(r, want) {
				t.Error(d)
			}
			srv.Exec(t, db, "SELECT count(*) FROM events") // the table is intact
		})
	}

	t.Run("bad input", func(t *testing.T) {
		s, _ := openTestSource(t, srv, events.LiftgateMapping())
		for _, b := range healthfixture.BadInputs() {
			if _, err := s.Health(context.Background(), b.Scope, b.Request); err == nil || !strings.Contains(err.Error(), b.ErrorContains) {
				t.Errorf("%s: err = %v, want one containing %q", b.Name, err, b.ErrorContains)
			}
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
	req := healthfixture.Request()
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
