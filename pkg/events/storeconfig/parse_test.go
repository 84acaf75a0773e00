package storeconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

func TestMappingPresetsAndCustomMappings(t *testing.T) {
	t.Run("posthog preset on clickhouse", func(t *testing.T) {
		c, err := Parse([]byte(`
type: clickhouse
clickhouse:
  addr: 127.0.0.1:9000
  database: posthog
  mapping: posthog
  query_timeout: 90s
`))
		if err != nil {
			t.Fatal(err)
		}
		if c.Type != TypeClickHouse || c.ClickHouse == nil || c.Postgres != nil {
			t.Fatalf("got %+v", c)
		}
		m := c.ClickHouse.Mapping
		// PostHog's events table as docs/stores-clickhouse.md describes it.
		want := events.EventColumns{ID: "uuid", Event: "event", Unit: "distinct_id", Time: "timestamp", Properties: "properties"}
		if m.Table != "events" || m.Columns != want || m.Properties != "json" {
			t.Errorf("mapping = %+v", m)
		}
		if m.Exposure == nil || *m.Exposure != (events.Exposure{Event: "$feature_flag_called", ExperimentProperty: "$feature_flag", ArmProperty: "$feature_flag_response"}) {
			t.Errorf("exposure = %+v", m.Exposure)
		}
		if c.ClickHouse.QueryTimeout.D() != 90*time.Second || c.ClickHouse.Database != "posthog" {
			t.Errorf("other keys lost: %+v", c.ClickHouse)
		}
	})
	t.Run("liftgate preset on postgres", func(t *testing.T) {
		c, err := Parse([]byte("type: postgres\npostgres:\n  addr: db.internal\n  mapping: liftgate\n  settings: {work_mem: 256MB}\n"))
		if err != nil {
			t.Fatal(err)
		}
		m := c.Postgres.Mapping
		want := events.EventColumns{ID: "id", Event: "event", Unit: "unit_id", Time: "ts", Properties: "properties"}
		if m.Table != "events" || m.Columns != want || m.Exposure != nil || m.Assignments != nil {
			t.Errorf("mapping = %+v", m)
		}
		if c.Postgres.Settings["work_mem"] != "256MB" {
			t.Errorf("settings = %v", c.Postgres.Settings)
		}
	})
	t.Run("custom mapping with an assignment table, as JSON", func(t *testing.T) {
		c, err := Parse([]byte(`{"type": "clickhouse", "clickhouse": {"dsn": "clickhouse://u@ch:9000/analytics",
			"mapping": {"table": "analytics.ev", "columns": {"event": "name", "unit": "uid", "time": "at", "properties": "props"},
			"assignments": {"table": "assign", "unit": "user_id", "time": "ts", "experiment": "exp", "variant": "var"}}}}`))
		if err != nil {
			t.Fatal(err)
		}
		m := c.ClickHouse.Mapping
		if m.Table != "analytics.ev" || m.Columns.Unit != "uid" || m.Columns.ID != "" || m.Assignments == nil || m.Assignments.Variant != "var" {
			t.Errorf("mapping = %+v (assignments %+v)", m, m.Assignments)
		}
	})
	t.Run("no mapping leaves the store's default", func(t *testing.T) {
		c, err := Parse([]byte("type: postgres\npostgres: {dsn: 'postgres://u@h/db'}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Postgres.Mapping != (events.Mapping{}) {
			t.Errorf("mapping = %+v, want empty (the store applies liftgate's schema)", c.Postgres.Mapping)
		}
	})
	t.Run("presets are copies", func(t *testing.T) {
		a, _ := Preset("posthog")
		a.Exposure.Event = "changed"
		b, _ := Preset("posthog")
		if b.Exposure.Event != "$feature_flag_called" {
			t.Errorf("changing one preset's result changed the next: %q", b.Exposure.Event)
		}
		if got := strings.Join(PresetNames(), ","); got != "liftgate,posthog" {
			t.Errorf("PresetNames() = %s", got)
		}
	})
}

// Every bad file is refused with a message naming the key (and its line
// where the YAML has one).
func TestBadFilesNameTheField(t *testing.T) {
	cases := []struct {
		name, file string
		want       []string
	}{
		{"empty", "", []string{"empty", "type"}},
		{"not a mapping", "- clickhouse\n", []string{"line 1", "expected a mapping"}},
		{"no type", "clickhouse: {addr: h}\n", []string{"type: required"}},
		{"unknown type", "type: mysql\n", []string{"type:", `"mysql"`, "clickhouse, postgres"}},
		{"duckdb", "type: duckdb\n", []string{"type: duckdb", "--db"}},
		{"block missing", "type: clickhouse\n", []string{"clickhouse: required"}},
		{"other block", "type: clickhouse\nclickhouse: {addr: h}\npostgres: {addr: h}\n", []string{"postgres: given, but type is clickhouse"}},
		{"unknown top-level key", "type: clickhouse\nclickhuose: {addr: h}\n", []string{"line 2", "top level", `unknown key "clickhuose"`}},
		{"unknown nested key", "type: clickhouse\nclickhouse:\n  addr: h\n  tls:\n    enable: true\n", []string{"line 5", "clickhouse.tls", `unknown key "enable"`, "enabled"}},
		{"unknown mapping key", "type: postgres\npostgres:\n  addr: h\n  mapping:\n    table: ev\n    colums: {}\n", []string{"line 6", "postgres.mapping", `unknown key "colums"`}},
		{"duplicate key", "type: clickhouse\nclickhouse:\n  addr: h\n  addr: g\n", []string{"line 4", "clickhouse.addr", "twice", "line 3"}},
		{"unknown preset", "type: clickhouse\nclickhouse:\n  addr: h\n  mapping: segment\n", []string{"line 4", "clickhouse.mapping", `"segment" is not a preset`, "liftgate, posthog"}},
		{"null mapping", "type: clickhouse\nclickhouse:\n  addr: h\n  mapping:\n", []string{"line 4", "clickhouse.mapping: empty"}},
		{"mistyped number", "type: clickhouse\nclickhouse:\n  addr: h\n  max_open_conns: many\n", []string{"line 4", "clickhouse.max_open_conns", "cannot unmarshal"}},
		{"mistyped duration", "type: postgres\npostgres:\n  addr: h\n  query_timeout: soon\n", []string{"line 4", "postgres.query_timeout", "expected a duration"}},
		{"list for a block", "type: clickhouse\nclickhouse:\n  tls: [on]\n", []string{"line 3", "clickhouse.tls", "expected a mapping", "got a list"}},
		{"scalar for a block", "type: postgres\npostgres: localhost\n", []string{"line 2", "postgres", "expected a mapping"}},
		{"store rule: addr", "type: clickhouse\nclickhouse: {user: u}\n", []string{"clickhouse config", "addr: required"}},
		{"store rule: identifier", "type: postgres\npostgres:\n  addr: h\n  mapping: {table: 'ev; DROP TABLE ev', columns: {event: e, unit: u, time: t, properties: p}}\n",
			[]string{"postgres config", "mapping.table", "not a plain identifier"}},
		{"store rule: map properties on postgres", "type: postgres\npostgres:\n  addr: h\n  mapping: {table: ev, columns: {event: e, unit: u, time: t, properties: p}, properties: map}\n",
			[]string{"mapping.properties"}},
		{"syntax", "type: clickhouse\nclickhouse: {addr: h\n", []string{"line"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.file))
			if err == nil {
				t.Fatalf("accepted:\n%s", c.file)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "store.yaml")
	if err := os.WriteFile(good, []byte("type: postgres\npostgres: {addr: 'db:5433', user: app, mapping: liftgate}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if c.Postgres.Addr != "db:5433" || c.Postgres.User != "app" {
		t.Errorf("got %+v", c.Postgres)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("type: postgres\npostgres: {adr: db}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(bad)
	if err == nil || !strings.HasPrefix(err.Error(), bad+": line 2: postgres: unknown key \"adr\"") {
		t.Errorf("error = %v", err)
	}

	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("error = %v", err)
	}
}

func TestValidateProgrammaticConfig(t *testing.T) {
	// What the exporter or a test may build without a file.
	if err := (Config{Type: TypeClickHouse}).Validate(); err == nil || !strings.Contains(err.Error(), "clickhouse: required") {
		t.Errorf("error = %v", err)
	}
	c, err := Parse([]byte("type: clickhouse\nclickhouse: {addr: h}\n"))
	if err != nil {
		t.Fatal(err)
	}
	c.Type = TypePostgres
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "clickhouse: given, but type is postgres") {
		t.Errorf("error = %v", err)
	}
}
