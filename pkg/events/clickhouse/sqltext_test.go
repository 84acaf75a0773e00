package clickhouse

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// quoted matches quoted identifiers and string literals (with their
// backslash escapes), leaving the SQL text a binder scans for placeholders.
var quoted = regexp.MustCompile("`[^`]*`|'(?:[^'\\\\]|\\\\.)*'")

// TestSQLTextHasOnlyNamedPlaceholders builds every query shape for each
// server variant, without a server, and checks the text clickhouse-go will
// bind: only @pN placeholders, each with a value, no plan value in the text,
// and nothing that would make the driver switch binding style. A
// "{...:...}" anywhere, even in a literal, would make it use server-side
// parameters on newer servers, and "?" or "$1" outside quotes would mix
// styles.
func TestSQLTextHasOnlyNamedPlaceholders(t *testing.T) {
	ctx := context.Background()
	hostile := `x'"\{a:B}?$1@p9--/**/`
	sc := events.Scope{
		Experiment: hostile, Unit: hostile,
		Exposure: events.Exposure{Event: hostile, ExperimentProperty: hostile, ArmProperty: hostile},
		Arms:     []string{hostile, "b"}, Start: t0, End: t0.Add(day),
		Stages:  []events.StageStart{{Name: "a", Start: t0}, {Name: "b", Start: t0.Add(hour)}},
		Segment: hostile, Bucket: hour,
	}
	m := events.Metric{Kind: events.Ratio, Numerator: events.EventValue{Event: hostile, Property: hostile},
		Denominator: events.EventValue{Event: "d"}, Window: hour, CUPEDLookback: hour}
	liftgate := tableColumns{"id": "String", "event": "String", "unit_id": "String", "ts": "DateTime('UTC')", "properties": "String"}
	variants := []struct {
		name    string
		server  serverInfo
		mapping events.Mapping
		tables  map[string]tableColumns
	}{
		{"18.16", serverInfo{version: "18.16.1"}, events.LiftgateMapping(), map[string]tableColumns{"events": liftgate}},
		{"JSONExtract and DateTime64", serverInfo{version: "24.8", jsonExtract: true, unixMicro: true, dateTime64: true}, events.LiftgateMapping(),
			map[string]tableColumns{"events": {"id": "UUID", "event": "LowCardinality(String)", "unit_id": "String", "ts": "DateTime64(6, 'UTC')", "properties": "String"}}},
		{"Map", serverInfo{version: "24.8", jsonExtract: true, unixMicro: true, dateTime64: true},
			func() events.Mapping { m := events.LiftgateMapping(); m.Properties = "map"; return m }(),
			map[string]tableColumns{"events": {"id": "String", "event": "String", "unit_id": "Nullable(String)", "ts": "DateTime", "properties": "Map(String, String)"}}},
		{"assignments", serverInfo{version: "18.16.1"},
			func() events.Mapping {
				m := events.LiftgateMapping()
				m.Assignments = &events.AssignmentTable{Table: "db.asg", Unit: "u", Time: "t", Experiment: "e", Variant: "v"}
				return m
			}(),
			map[string]tableColumns{"events": liftgate, "db.asg": {"u": "UInt64", "t": "DateTime", "e": "String", "v": "String"}}},
	}
	named := regexp.MustCompile(`@p[0-9]+`)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			s := &Source{mapping: v.mapping, server: v.server, tables: v.tables, timeout: time.Minute}
			for _, build := range []func(p *params) (string, error){
				func(p *params) (string, error) { return s.classifiedSQL(ctx, "test", p, sc) },
				func(p *params) (string, error) { return s.metricQuery(ctx, "test", p, sc, m) },
			} {
				p := &params{}
				sql, err := build(p)
				if err != nil {
					t.Fatal(err)
				}
				// clickhouse-go looks for {...:...} in the whole text, literals
				// included.
				if strings.ContainsAny(sql, "{}") {
					t.Fatalf("SQL text holds a brace:\n%s", sql)
				}
				bare := quoted.ReplaceAllString(sql, "")
				if strings.Contains(bare, "?") || regexp.MustCompile(`\$[0-9]`).MatchString(bare) || strings.Contains(sql, hostile) {
					t.Fatalf("SQL text holds a foreign placeholder or a plan value:\n%s", sql)
				}
				if got, want := len(uniq(named.FindAllString(bare, -1))), len(p.args); got != want {
					t.Fatalf("%d distinct placeholders for %d bound values", got, want)
				}
			}
		})
	}
}

func uniq(xs []string) map[string]bool {
	out := map[string]bool{}
	for _, x := range xs {
		out[x] = true
	}
	return out
}
