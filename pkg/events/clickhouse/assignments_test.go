package clickhouse

import (
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// assignmentsDDL is a GrowthBook-style assignment table.
const assignmentsDDL = `CREATE TABLE experiment_viewed (
	user_id String,
	timestamp DateTime('UTC'),
	experiment_id String,
	variation_id String
) ENGINE = MergeTree() ORDER BY (experiment_id, user_id, timestamp)`

func TestAssignmentTable(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	db := srv.CreateDatabase(t)
	srv.Exec(t, db, assignmentsDDL)
	// Rows: (user, seconds after t0, experiment, variation).
	srv.Exec(t, db, `INSERT INTO experiment_viewed SELECT tupleElement(r, 1), toDateTime(`+
		`toInt64(toUInt32(toDateTime('2024-03-01 00:00:00', 'UTC'))) + tupleElement(r, 2)), tupleElement(r, 3), tupleElement(r, 4)
		FROM (SELECT arrayJoin([
			('a', 3600, 'exp1', 'control'),
			('a', 7200, 'exp1', 'control'),
			('b', 3600, 'exp1', 'treatment'),
			('c', 3600, 'exp1', 'control'),
			('c', 5400, 'exp1', 'treatment'),
			('d', 3600, 'exp1', 'holdout'),
			('e', 3600, 'exp2', 'control'),
			('f', 190000, 'exp1', 'treatment')
		]) AS r)`)

	mapping := events.LiftgateMapping()
	mapping.Assignments = &events.AssignmentTable{
		Table: "experiment_viewed", Unit: "user_id", Time: "timestamp", Experiment: "experiment_id", Variant: "variation_id",
	}
	s := openOn(t, srv, db, mapping)
	ctx := testCtx(t)
	if err := s.CreateLiftgateSchema(ctx); err != nil {
		t.Fatal(err)
	}
	mustInsert(t, s, []events.Event{
		// Segments come from each unit's first event named like the
		// exposure event; f has none.
		ev("v1", "exposure", "a", t0.Add(30*time.Minute), map[string]any{"plan": "pro"}),
		ev("v2", "exposure", "a", t0.Add(2*hour), map[string]any{"plan": "free"}),
		ev("v3", "exposure", "b", t0.Add(hour), map[string]any{"plan": "free"}),
		ev("v4", "exposure", "c", t0.Add(hour), nil),
		ev("p1", "purchase", "a", t0.Add(3*hour), map[string]any{"amount": 5}),
		ev("p2", "purchase", "a", t0.Add(30*time.Minute), map[string]any{"amount": 1}), // before a's first assignment
		ev("p3", "purchase", "f", t0.Add(60*hour), map[string]any{"amount": 8}),
		ev("p4", "purchase", "c", t0.Add(3*hour), map[string]any{"amount": 100}), // c is multi-arm
	})

	sc := baseScope()
	sc.Stages = []events.StageStart{{Name: "ramp", Start: t0}, {Name: "full", Start: t0.Add(2 * day)}}
	got, err := s.Exposures(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	checkExposures(t, got, events.ExposureCounts{
		Groups: []events.GroupCount{
			{GroupKey: key("control", 0, "", time.Time{}), Units: 1},   // a
			{GroupKey: key("treatment", 0, "", time.Time{}), Units: 1}, // b
			{GroupKey: key("treatment", 1, "", time.Time{}), Units: 1}, // f, first at t0+52h46m40s
		},
		MultiArmUnits: 1, UnknownArmUnits: 1, // c; d
	})

	sums, err := s.MetricSums(ctx, sc, events.Metric{Kind: events.Mean, Value: events.EventValue{Event: "purchase", Property: "amount"}})
	if err != nil {
		t.Fatal(err)
	}
	checkSums(t, sums, map[events.GroupKey]stats.ArmSums{
		key("control", 0, "", time.Time{}):   sumsOf([]float64{5}, nil, nil),
		key("treatment", 0, "", time.Time{}): sumsOf([]float64{0}, nil, nil),
		key("treatment", 1, "", time.Time{}): sumsOf([]float64{8}, nil, nil),
	})

	t.Run("segment from the first exposure event", func(t *testing.T) {
		sc := sc
		sc.Segment = "plan"
		got, err := s.Exposures(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		checkExposures(t, got, events.ExposureCounts{
			Groups: []events.GroupCount{
				{GroupKey: key("control", 0, "pro", time.Time{}), Units: 1},      // a's first event, before its assignment
				{GroupKey: key("treatment", 0, "free", time.Time{}), Units: 1},   // b
				{GroupKey: key("treatment", 1, "(none)", time.Time{}), Units: 1}, // f has no such event
			},
			MultiArmUnits: 1, UnknownArmUnits: 1,
		})
	})

	t.Run("segment without an exposure event", func(t *testing.T) {
		sc := sc
		sc.Segment = "plan"
		sc.Exposure = events.Exposure{}
		got, err := s.Exposures(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		checkExposures(t, got, events.ExposureCounts{
			Groups: []events.GroupCount{
				{GroupKey: key("control", 0, "(none)", time.Time{}), Units: 1},
				{GroupKey: key("treatment", 0, "(none)", time.Time{}), Units: 1},
				{GroupKey: key("treatment", 1, "(none)", time.Time{}), Units: 1},
			},
			MultiArmUnits: 1, UnknownArmUnits: 1,
		})
	})
}
