package clickhouse

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

func TestSettingsConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`
addr: localhost
settings:
  max_bytes_before_external_group_by: 2147483648
  max_bytes_before_external_sort: 1e9
  load_balancing: nearest_hostname
`))
	if err != nil {
		t.Fatal(err)
	}
	got := querySettings(c.Settings)
	want := map[string]any{
		"max_bytes_before_external_group_by": 2147483648,
		"max_bytes_before_external_sort":     1000000000,
		"load_balancing":                     "nearest_hostname",
	}
	if !reflect.DeepEqual(map[string]any(got), want) {
		t.Errorf("settings = %#v, want %#v", got, want)
	}
	if got := querySettings(nil); got["max_bytes_before_external_group_by"] != DefaultSpillBytes || got["max_bytes_before_external_sort"] != DefaultSpillBytes || len(got) != 2 {
		t.Errorf("default settings = %#v, want both spill thresholds at %d", got, DefaultSpillBytes)
	}

	for _, tc := range []struct{ yaml, want string }{
		{"max_threads: -1", "settings: max_threads: must not be negative"},
		{"max_threads: 1.5", "settings: max_threads: must be a whole number >= 0 or a string, got 1.5"},
		{"max_threads: true", "settings: max_threads: must be a whole number >= 0 or a string, got bool"},
		{"max_threads: [1]", "settings: max_threads: must be a whole number >= 0 or a string"},
		{"max_threads: {a: 1}", "settings: max_threads: must be a whole number >= 0 or a string"},
		{"max_threads: ~", "settings: max_threads: must be a whole number >= 0 or a string"},
		{`max_threads: "1\n2"`, "settings: max_threads: must be a single line"},
		{`"max threads": 1`, `settings: "max threads" is not a ClickHouse setting name`},
		{`"max_threads; DROP TABLE x": 1`, `is not a ClickHouse setting name`},
		{`Max_Threads: 1`, `settings: "Max_Threads" is not a ClickHouse setting name`},
		{"max_execution_time: 10", "settings: max_execution_time may not be set here: it is set from query_timeout"},
		{"join_use_nulls: 1", "settings: join_use_nulls may not be set here"},
	} {
		_, err := ParseConfig([]byte("addr: localhost\nsettings:\n  " + tc.yaml + "\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "clickhouse config: ") {
			t.Errorf("settings %s: got %v, want an error containing %q", tc.yaml, err, tc.want)
		}
	}
}

// TestSpillSettings runs the health check and the metrics with spill
// thresholds of 1 MiB, so ClickHouse writes the per-unit and duplicate-id
// aggregations to disk, and checks that the results are those of the
// default thresholds (under which this data stays in memory). It also
// checks that configured settings reach the server and that Open refuses
// what the server cannot take.
func TestSpillSettings(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	db := srv.CreateDatabase(t)
	srv.Exec(t, db, plainEventsDDL)
	open := func(t *testing.T, settings map[string]any) (*Source, error) {
		t.Helper()
		s, err := Open(testCtx(t), Config{Addr: srv.Addr(), Database: db, User: srv.User, Password: Secret(srv.Password), Settings: settings})
		if err == nil {
			t.Cleanup(func() { _ = s.Close() })
		}
		return s, err
	}
	plain, err := open(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustInsert(t, plain, append(goodHealthEvents(), faultyHealthEvents()...))
	// p-u02 three times, x-u01 twice, as in TestHealth.
	srv.Exec(t, db, "INSERT INTO events SELECT * FROM events WHERE id IN ('p-u02', 'x-u01')")
	srv.Exec(t, db, "INSERT INTO events SELECT * FROM events WHERE id = 'p-u02' LIMIT 1")
	// 18.16 spills only a two-level aggregation, which it switches to at
	// 100,000 keys: 120,000 more units, each exposed once and buying once,
	// every third twice, with every 1000th unit's first purchase stored
	// twice (120 surplus rows).
	bulk := func(id, name string, h float64, props, where string) string {
		return `INSERT INTO events SELECT concat('` + id + `', toString(number)), '` + name + `', concat('b', toString(number)),
		toDateTime(` + fmt.Sprint(hAt(h).Unix()) + ` + number % 86400), concat('{` + props + `"account":"b', toString(number), '"}')
		FROM numbers(120000) WHERE ` + where
	}
	srv.Exec(t, db, bulk("bx-", "exposure", 1, `"experiment":"exp1","arm":"', if(number % 2 = 0, 'control', 'treatment'), '",`, "1"))
	srv.Exec(t, db, bulk("bp-", "purchase", 30, `"amount":', toString(number % 97), ',`, "1"))
	srv.Exec(t, db, bulk("bq-", "purchase", 31, `"amount":', toString(number % 89), ',`, "number % 3 = 0"))
	srv.Exec(t, db, "INSERT INTO events SELECT * FROM events WHERE id IN (SELECT concat('bp-', toString(number * 1000)) FROM numbers(120))")

	spilling, err := open(t, map[string]any{
		"max_bytes_before_external_group_by": 1 << 20,
		"max_bytes_before_external_sort":     1 << 20,
		// Every aggregation two-level, so the per-group step spills as
		// well (at 100M events it does anyway: 18.16 measures the query's
		// memory, not the aggregation's).
		"group_by_two_level_threshold":       1,
		"group_by_two_level_threshold_bytes": 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	spilledParts := func() int64 {
		var n int64
		err := plain.query(testCtx(t), "spill count", "SELECT toInt64(sum(value)) FROM system.events WHERE event = 'ExternalAggregationWritePart'", nil, func(r driver.Rows) error {
			return r.Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	spills := func(t *testing.T, what string, run func()) {
		t.Helper()
		before := spilledParts()
		run()
		if after := spilledParts(); after <= before {
			t.Errorf("%s: ExternalAggregationWritePart stayed at %d: nothing was spilled, so the settings did not apply", what, before)
		}
	}

	sc, req := healthScope(), healthRequest()
	before := spilledParts()
	want, err := plain.Health(testCtx(t), sc, req)
	if err != nil {
		t.Fatal(err)
	}
	if after := spilledParts(); after != before {
		t.Fatalf("the default thresholds spilled %d parts: the test no longer compares spilling with not spilling", after-before)
	}
	// 120 duplicated bulk purchases plus the 3 surplus rows of TestHealth.
	if want.Duplicates.Count != 123 || want.UnknownArm.Count != 2 || want.MultiArmUnits.Count != 1 || want.Exposures != 120026 {
		t.Fatalf("the scenario lost its faults: duplicates %d, unknown arm %d, multi-arm %d, exposures %d; want 123, 2, 1, 120026 (with the copy of x-u01)",
			want.Duplicates.Count, want.UnknownArm.Count, want.MultiArmUnits.Count, want.Exposures)
	}
	var got events.HealthReport
	spills(t, "health", func() {
		if got, err = spilling.Health(testCtx(t), sc, req); err != nil {
			t.Fatal(err)
		}
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("health with 1 MiB spill thresholds:\n%+v\nwith the defaults:\n%+v", got, want)
	}
	amount := events.EventValue{Event: "purchase", Property: "amount"}
	for name, m := range map[string]events.Metric{
		"mean cuped": {Kind: events.Mean, Value: amount, Window: 5 * day, CUPEDLookback: 2 * day},
		"ratio":      {Kind: events.Ratio, Numerator: amount, Denominator: events.EventValue{Event: "purchase"}},
		"conversion": {Kind: events.Conversion, Value: events.EventValue{Event: "purchase"}},
	} {
		want, err := plain.MetricSums(testCtx(t), sc, m)
		if err != nil {
			t.Fatal(err)
		}
		var got []events.GroupSums
		spills(t, name, func() {
			if got, err = spilling.MetricSums(testCtx(t), sc, m); err != nil {
				t.Fatal(err)
			}
		})
		if len(got) != len(want) || len(want) == 0 || want[0].Sums.N < 60000 {
			t.Fatalf("%s: %d groups with spilling, %d without (%+v)", name, len(got), len(want), want)
		}
		for i := range want {
			if got[i].GroupKey != want[i].GroupKey || !sumsClose(got[i].Sums, want[i].Sums) {
				t.Errorf("%s: group %d = %+v with spilling, %+v without", name, i, got[i], want[i])
			}
		}
	}

	t.Run("configured settings reach the server", func(t *testing.T) {
		limited, err := open(t, map[string]any{"max_rows_to_read": 1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = limited.Health(testCtx(t), sc, req)
		if err == nil || !strings.Contains(err.Error(), "Limit for rows") {
			t.Fatalf("with max_rows_to_read 1, health gave %v; want the server's row limit error", err)
		}
	})
	t.Run("open refuses an unknown setting", func(t *testing.T) {
		_, err := open(t, map[string]any{"max_bytes_before_external_groupby": 1})
		if err == nil || !strings.Contains(err.Error(), "settings: max_bytes_before_external_groupby is not a setting of this server") {
			t.Fatalf("got %v, want an error naming the unknown setting", err)
		}
	})
	t.Run("open refuses what 18.16 cannot take", func(t *testing.T) {
		if !strings.HasPrefix(plain.ServerVersion(), "18.") {
			t.Skipf("ClickHouse %s takes settings as strings", plain.ServerVersion())
		}
		_, err := open(t, map[string]any{"load_balancing": "in_order"})
		if err == nil || !strings.Contains(err.Error(), "settings: load_balancing: ClickHouse 18.") {
			t.Errorf("a string value: got %v, want an error naming the setting", err)
		}
		_, err = open(t, map[string]any{"load_balancing": 1})
		if err == nil || !strings.Contains(err.Error(), "settings: load_balancing holds") {
			t.Errorf("a number for a text setting: got %v, want an error naming the setting", err)
		}
	})
}
