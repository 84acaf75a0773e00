package plugin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events/clickhouse"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
)

// The plugin reading ClickHouse directly (plans still from the exporter)
// gives the numbers the engine computes from the same events in DuckDB.
// ClickHouse 18.16 stores whole seconds, so both stores get the example
// events with their times truncated to the second.
func TestClickHouseEventStore(t *testing.T) {
	evs, err := readEvents(eventsFile)
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		evs[i].Time = evs[i].Time.Truncate(time.Second)
	}
	ctx := context.Background()

	server := testserver.StartClickHouse(t)
	database := server.CreateDatabase(t)
	src, err := clickhouse.Open(ctx, clickhouse.Config{Addr: server.Addr(), Database: database, User: server.User, Password: clickhouse.Secret(server.Password)})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.CreateLiftgateSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Insert(ctx, evs); err != nil {
		t.Fatal(err)
	}
	src.Close()

	local, err := duckdb.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	if _, err := local.Append(ctx, evs); err != nil {
		t.Fatal(err)
	}
	want, err := engine.Analyze(ctx, examplePlan(t), local, engine.Options{At: rangeTo})
	if err != nil {
		t.Fatal(err)
	}

	ds := dataSource{
		uid: "clickhouse",
		jsonData: map[string]any{
			"exporterUrl": suite.exporterURL,
			"eventStore":  "clickhouse",
			"clickhouse":  map[string]any{"addr": server.Addr(), "database": database, "user": server.User},
		},
		secure:  map[string]string{"exporterToken": apiToken, "clickhousePassword": server.Password},
		updated: time.Unix(1700000000, 0),
	}
	h := startPlugin(t, suite.pluginBin)

	health := h.checkHealth(t, ds)
	if health.Status.String() != "OK" || !strings.Contains(health.Message, "OK event store clickhouse") {
		t.Fatalf("health %s: %s", health.Status, health.Message)
	}

	resp := h.queryData(t, ds, query{refID: "A", queryType: "comparison", model: map[string]any{"experiment": experiment}, from: rangeFrom, to: rangeTo})
	dr := response(t, resp, "A")
	rows := frameNamed(t, dr.Frames, "comparison")
	if n := mustRows(t, rows); n != len(want.Results) {
		t.Fatalf("rows: %d, engine results: %d", n, len(want.Results))
	}
	for i, r := range want.Results {
		checkRow(t, rows, i, r)
	}
	if !strings.Contains(rows.Meta.ExecutedQueryString, "events=clickhouse") {
		t.Errorf("executed query does not name the store: %s", rows.Meta.ExecutedQueryString)
	}

	t.Run("wrong password: health and queries name ClickHouse", func(t *testing.T) {
		bad := ds
		bad.uid = "clickhouse-bad"
		bad.secure = map[string]string{"exporterToken": apiToken, "clickhousePassword": "wrong"}
		health := h.checkHealth(t, bad)
		if health.Status.String() == "OK" || !strings.Contains(health.Message, "FAILED event store clickhouse") || !strings.Contains(health.Message, "OK liftgate exporter") {
			t.Fatalf("health %s: %s", health.Status, health.Message)
		}
		if strings.Contains(health.Message, "wrong") {
			t.Errorf("the health message repeats the password: %s", health.Message)
		}
		resp := h.queryData(t, bad, query{refID: "A", queryType: "comparison", model: map[string]any{"experiment": experiment}, from: rangeFrom, to: rangeTo})
		if dr := resp.Responses["A"]; dr.Error == nil || dr.ErrorSource != "downstream" {
			t.Fatalf("want a downstream error, got %v (%s)", dr.Error, dr.ErrorSource)
		}
	})
}
