package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// hostile are strings that would break or subvert SQL if they were ever
// pasted into a statement instead of bound.
var hostile = []string{
	`exp'; DROP TABLE events; --`,
	`a"b\c`,
	`$1 /* x */ {x:String}`,
	`$$; DELETE FROM events; $$`,
	"ü 😀 \u202e ; -- \n ?",
	`') OR 1=1 --`,
	`%s %v \' \\'`,
}

// TestHostileNamesAndValuesAreInert runs every query with plan names, arm
// values, property names, event names, unit ids and segment values taken
// from hostile, and checks both the answer and that the table survived.
func TestHostileNamesAndValuesAreInert(t *testing.T) {
	srv := testserver.StartPostgres(t)
	src, db := openTestSource(t, srv, events.LiftgateMapping())

	experiment, armA, armB := hostile[0], hostile[1], hostile[2]
	expProp, armProp, segProp, amountProp := hostile[3], hostile[4], hostile[5], hostile[6]
	buy := hostile[5] + " buy"
	exposure := func(id, unit, arm, seg string) events.Event {
		return ev(id, hostile[6], unit, at(h), map[string]any{expProp: experiment, armProp: arm, segProp: seg, "account": unit})
	}
	var evs []events.Event
	for i, u := range hostile {
		arm := armA
		if i%2 == 1 {
			arm = armB
		}
		evs = append(evs,
			exposure("x"+u, u, arm, hostile[(i+1)%len(hostile)]),
			ev("p"+u, buy, u, at(2*h), map[string]any{amountProp: float64(i + 1), "account": u}),
		)
	}
	loadEvents(t, src, evs)

	// Under each of pgx's query modes, including simple_protocol, where pgx
	// escapes arguments into the SQL text itself.
	for _, mode := range []string{"", "exec", "simple_protocol"} {
		t.Run("mode "+mode, func(t *testing.T) {
			src := src
			if mode != "" {
				var err error
				src, err = Open(context.Background(), Config{DSN: ConnString(srv.DSN(db) + "&default_query_exec_mode=" + mode)})
				if err != nil {
					t.Fatal(err)
				}
				defer src.Close()
			}
			checkHostileAnswers(t, src, experiment, armA, armB, expProp, armProp, segProp, amountProp, buy)
		})
	}

	// The table is intact: every event is still there.
	conn, err := pgx.Connect(context.Background(), srv.DSN(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM events").Scan(&n); err != nil {
		t.Fatalf("events table damaged: %v", err)
	}
	if n != len(evs) {
		t.Fatalf("events table has %d rows, want %d", n, len(evs))
	}
}

func checkHostileAnswers(t *testing.T, src *Source, experiment, armA, armB, expProp, armProp, segProp, amountProp, buy string) {
	t.Helper()
	sc := events.Scope{
		Experiment: experiment, Unit: "account",
		Exposure: events.Exposure{Event: hostile[6], ExperimentProperty: expProp, ArmProperty: armProp},
		Arms:     []string{armA, armB}, Start: t0, End: at(48 * h),
	}
	// Units 0, 2, 4, 6 in arm A with amounts 1, 3, 5, 7; units 1, 3, 5 in
	// arm B with 2, 4, 6.
	got := mustSums(t, src, sc, events.Metric{Kind: events.Mean, Value: events.EventValue{Event: buy, Property: amountProp}})
	checkSums(t, got, []events.GroupSums{
		{GroupKey: events.GroupKey{Arm: armA}, Sums: sumsOf([]float64{1, 3, 5, 7}, nil, nil)},
		{GroupKey: events.GroupKey{Arm: armB}, Sums: sumsOf([]float64{2, 4, 6}, nil, nil)},
	})

	// Hostile segment values come back verbatim.
	sc.Segment = segProp
	exp := mustExposures(t, src, sc)
	seen := map[string]bool{}
	for _, g := range exp.Groups {
		seen[g.Segment] = true
	}
	for i := range hostile {
		if !seen[hostile[(i+1)%len(hostile)]] {
			t.Errorf("segment %q missing from %+v", hostile[(i+1)%len(hostile)], exp.Groups)
		}
	}
}

// TestHostileIdentifiersAreRefused shows mapped identifiers never reach SQL
// unless they are plain names.
func TestHostileIdentifiersAreRefused(t *testing.T) {
	for _, table := range []string{`events; DROP TABLE x`, `events"--`, `a.b.c`, `ev ents`, `"events"`} {
		m := events.LiftgateMapping()
		m.Table = table
		_, err := Open(context.Background(), Config{Addr: "127.0.0.1:1", Mapping: m})
		if err == nil || !strings.Contains(err.Error(), "mapping.table") {
			t.Errorf("table %q: got %v, want a mapping.table error", table, err)
		}
	}
	m := events.LiftgateMapping()
	m.Columns.Unit = "unit_id) OR (1=1"
	if err := (Config{Addr: "127.0.0.1:1", Mapping: m}).Validate(); err == nil || !strings.Contains(err.Error(), "mapping.columns.unit") {
		t.Errorf("got %v, want a mapping.columns.unit error", err)
	}
}

// TestQuotedIdentifiers shows that legal but awkward names (reserved words,
// mixed case, $) are quoted correctly.
func TestQuotedIdentifiers(t *testing.T) {
	srv := testserver.StartPostgres(t)
	m := events.Mapping{
		Table:      "Select.Order",
		Columns:    events.EventColumns{ID: "From", Event: "Where", Unit: "user$id", Time: "Group", Properties: "TABLE"},
		Properties: "json",
	}
	db := srv.CreateDatabase(t)
	srv.Exec(t, db, `CREATE SCHEMA "Select"`)
	src, err := Open(context.Background(), Config{Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password), Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	loadEvents(t, src, []events.Event{
		exposureEv("1", "u1", at(h), "control", nil),
		ev("2", "purchase", "u1", at(2*h), nil),
	})
	checkSums(t, mustSums(t, src, baseScope(), events.Metric{Kind: events.Count, Value: events.EventValue{Event: "purchase"}}), []events.GroupSums{
		{GroupKey: events.GroupKey{Arm: "control"}, Sums: sumsOf([]float64{1}, nil, nil)},
	})
}
