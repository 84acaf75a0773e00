package clickhouse

import (
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/healthfixture"
	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// plainEventsDDL is liftgate's layout on a plain MergeTree, like a table a
// user owns: it keeps duplicate ids (a ReplacingMergeTree could collapse
// them in a background merge at any moment, which would make the duplicate
// counts flaky).
const plainEventsDDL = "CREATE TABLE events (id String, event String, unit_id String, ts DateTime('UTC'), properties String) " +
	"ENGINE = MergeTree() PARTITION BY toYYYYMM(ts) ORDER BY (event, unit_id, ts, id)"

// TestSpillSettings (settings_test.go) loads the shared faulty dataset
// through these names.
func hAt(h float64) time.Time             { return healthfixture.At(h) }
func healthScope() events.Scope           { return healthfixture.Scope() }
func healthRequest() events.HealthRequest { return healthfixture.Request() }
func goodHealthEvents() []events.Event    { return healthfixture.GoodEvents() }
func faultyHealthEvents() []events.Event  { return healthfixture.FaultyEvents() }

// TestHealth runs the data-health scenarios every store shares
// (internal/healthfixture), those of the stores that keep duplicate ids and
// take placeholders, then ClickHouse's assignment table, against one
// server, each in its own database.
func TestHealth(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	newSource := func(t *testing.T) (*Source, string) {
		db := srv.CreateDatabase(t)
		srv.Exec(t, db, plainEventsDDL)
		return openOn(t, srv, db, events.Mapping{}), db
	}
	health := func(t *testing.T, s *Source, sc events.Scope, req events.HealthRequest) events.HealthReport {
		t.Helper()
		r, err := s.Health(testCtx(t), sc, req)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// The hostile text carries quotes, a comment and the placeholder syntax.
	hostile := healthfixture.HostileNames(`x'); DROP TABLE events; --\' @p1 {x:String} "`)
	for _, sc := range append(healthfixture.Scenarios(), healthfixture.DuplicateIDs(), hostile) {
		t.Run(sc.Name, func(t *testing.T) {
			s, db := newSource(t)
			mustInsert(t, s, sc.Events)
			// Each INSERT makes a part of its own; a MergeTree never
			// collapses them.
			for _, id := range sc.Copies {
				srv.Exec(t, db, "INSERT INTO events SELECT * FROM events WHERE id = ? LIMIT 1", id)
			}
			want := sc.Want
			want.DuplicatesChecked = true // a user's table keeps duplicates and the mapping has an id
			for _, d := range healthfixture.Diff(health(t, s, sc.Scope, sc.Request), want) {
				t.Error(d)
			}
			srv.Exec(t, db, "SELECT count() FROM events") // the table is intact
		})
	}

	t.Run("bad input", func(t *testing.T) {
		s, _ := newSource(t)
		for _, b := range healthfixture.BadInputs() {
			if _, err := s.Health(testCtx(t), b.Scope, b.Request); err == nil || !strings.Contains(err.Error(), b.ErrorContains) {
				t.Errorf("%s: err = %v, want one containing %q", b.Name, err, b.ErrorContains)
			}
		}
	})

	t.Run("assignment table", func(t *testing.T) {
		db := srv.CreateDatabase(t)
		srv.Exec(t, db, plainEventsDDL)
		srv.Exec(t, db, assignmentsDDL)
		// (user, seconds after t0, experiment, variation)
		srv.Exec(t, db, `INSERT INTO experiment_viewed SELECT tupleElement(r, 1), toDateTime(`+
			`toInt64(toUInt32(toDateTime('2024-03-01 00:00:00', 'UTC'))) + tupleElement(r, 2)), tupleElement(r, 3), tupleElement(r, 4)
		FROM (SELECT arrayJoin([
			('a', 3600, 'exp1', 'control'),
			('b', 3600, 'exp1', 'treatment'),
			('b', 7200, 'exp1', 'control'),
			('c', 3600, 'exp1', 'holdout'),
			('', 3600, 'exp1', 'control'),
			('d', -3600, 'exp1', 'control'),
			('e', 3600, 'exp2', 'nope')
		]) AS r)`)
		mapping := events.LiftgateMapping()
		mapping.Assignments = &events.AssignmentTable{
			Table: "experiment_viewed", Unit: "user_id", Time: "timestamp", Experiment: "experiment_id", Variant: "variation_id",
		}
		s := openOn(t, srv, db, mapping)
		bought := t0.Add(2 * time.Hour)
		mustInsert(t, s, []events.Event{ev("p1", "purchase", "a", bought, map[string]any{"amount": 3})})
		sc := baseScope()
		req := healthfixture.Request()
		req.Now = sc.End
		r := health(t, s, sc, req)
		if r.Exposures != 5 || r.ExposedUnits != 3 {
			t.Errorf("exposures %d, units %d; want 5 rows of a, b, c", r.Exposures, r.ExposedUnits)
		}
		if r.UnknownArm.Count != 1 || r.UnknownArm.Examples[0].Unit != "c" || r.UnknownArm.Examples[0].Value != "holdout" {
			t.Errorf("unknown arm = %+v, want c with holdout", r.UnknownArm)
		}
		if r.MissingUnit.Count != 1 || r.BeforeStart.Count != 1 || r.BeforeStart.Examples[0].Unit != "d" {
			t.Errorf("missing unit %+v, before start %+v; want one each (d before the start)", r.MissingUnit, r.BeforeStart)
		}
		if r.MultiArmUnits.Count != 1 || r.MultiArmUnits.Examples[0].Unit != "b" {
			t.Errorf("multi-arm = %+v, want b", r.MultiArmUnits)
		}
		if r.Events != 1 || !r.Watermark.Equal(bought) || r.Properties[0].Missing.Count != 0 {
			t.Errorf("events %d, watermark %v, missing amount %d; want 1 purchase at %v", r.Events, r.Watermark, r.Properties[0].Missing.Count, bought)
		}
	})
}
