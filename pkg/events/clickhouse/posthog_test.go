package clickhouse

import (
	"context"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/stats"
)

// posthogDDL is PostHog's events table as far as 18.16 can express it
// (DateTime instead of DateTime64(6, 'UTC'), cityHash64 of the uuid's text
// since 18.16 cannot hash a UUID, no materialized or Kafka columns), with its
// column names, engine and sorting key.
const posthogDDL = `CREATE TABLE events (
	uuid UUID,
	event String,
	properties String,
	timestamp DateTime('UTC'),
	team_id Int64,
	distinct_id String,
	elements_chain String,
	created_at DateTime('UTC'),
	person_id UUID,
	person_properties String,
	_timestamp DateTime
) ENGINE = ReplacingMergeTree(_timestamp)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (team_id, toDate(timestamp), event, cityHash64(distinct_id), cityHash64(toString(uuid)))
SAMPLE BY cityHash64(distinct_id)`

// posthogRow is one event as PostHog's ingestion writes it: properties are
// Python-style JSON with a space after every colon and comma, which 18.16's
// visitParam functions do not read without help.
type posthogRow struct {
	uuid, event, distinctID, properties string
	at                                  time.Time
}

func TestPostHogSchema(t *testing.T) {
	srv := testserver.StartClickHouse(t)
	db := srv.CreateDatabase(t)
	srv.Exec(t, db, posthogDDL)
	ctx := testCtx(t)

	flag := func(key, variant string) string {
		return `{"$feature_flag": "` + key + `", "$feature_flag_response": "` + variant + `", "$browser": "Firefox", "$lib": "web"}`
	}
	rows := []posthogRow{
		{"00000000-0000-0000-0000-000000000001", "$feature_flag_called", "d1", flag("new-checkout", "control"), t0.Add(hour)},
		{"00000000-0000-0000-0000-000000000002", "$feature_flag_called", "d1", flag("new-checkout", "control"), t0.Add(2 * hour)},
		{"00000000-0000-0000-0000-000000000003", "$feature_flag_called", "d2", flag("new-checkout", "test"), t0.Add(hour)},
		{"00000000-0000-0000-0000-000000000004", "$feature_flag_called", "d3", flag("new-checkout", "test"), t0.Add(hour)},
		{"00000000-0000-0000-0000-000000000005", "$feature_flag_called", "d3", flag("new-checkout", "control"), t0.Add(3 * hour)}, // multi
		{"00000000-0000-0000-0000-000000000006", "$feature_flag_called", "d4", flag("other-flag", "test"), t0.Add(hour)},
		{"00000000-0000-0000-0000-000000000007", "$feature_flag_called", "d5", flag("new-checkout", "false"), t0.Add(hour)}, // unknown
		{"00000000-0000-0000-0000-000000000008", "purchase", "d1", `{"revenue": 12.5, "currency": "EUR"}`, t0.Add(3 * hour)},
		{"00000000-0000-0000-0000-000000000009", "purchase", "d1", `{ "revenue" :  7.5 }`, t0.Add(4 * hour)}, // space before the colon too
		{"00000000-0000-0000-0000-00000000000a", "purchase", "d2", `{"currency": "EUR", "revenue": 20}`, t0.Add(5 * hour)},
		{"00000000-0000-0000-0000-00000000000b", "purchase", "d3", `{"revenue": 99}`, t0.Add(5 * hour)},
		{"00000000-0000-0000-0000-00000000000c", "$pageview", "d2", `{"$current_url": "https://example.com/?a=1"}`, t0.Add(2 * hour)},
	}
	insertPostHog(t, srv, db, rows)

	s := openOn(t, srv, db, events.PostHogMapping())
	// The plan's exposure is liftgate's; the mapping replaces it with
	// PostHog's $feature_flag_called.
	sc := events.Scope{
		Experiment: "new-checkout",
		Exposure:   events.Exposure{Event: "experiment_viewed", ExperimentProperty: "experiment", ArmProperty: "variant"},
		Arms:       []string{"control", "test"},
		Start:      t0,
		End:        t0.Add(day),
	}
	got, err := s.Exposures(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	checkExposures(t, got, events.ExposureCounts{
		Groups: []events.GroupCount{
			{GroupKey: key("control", 0, "", time.Time{}), Units: 1},
			{GroupKey: key("test", 0, "", time.Time{}), Units: 1},
		},
		MultiArmUnits: 1, UnknownArmUnits: 1,
	})

	// "revenue" with a space before its colon is invisible to 18.16's
	// visitParamExtractRaw (a documented limit); newer servers read it
	// with JSONExtractRaw.
	d1 := 12.5
	if s.server.jsonExtract {
		d1 = 20
	}
	sums, err := s.MetricSums(ctx, sc, events.Metric{Kind: events.Mean, Value: events.EventValue{Event: "purchase", Property: "revenue"}})
	if err != nil {
		t.Fatal(err)
	}
	checkSums(t, sums, map[events.GroupKey]stats.ArmSums{
		key("control", 0, "", time.Time{}): sumsOf([]float64{d1}, nil, nil),
		key("test", 0, "", time.Time{}):    sumsOf([]float64{20}, nil, nil),
	})

	sc.Segment = "$browser"
	got, err = s.Exposures(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	checkExposures(t, got, events.ExposureCounts{
		Groups: []events.GroupCount{
			{GroupKey: key("control", 0, "Firefox", time.Time{}), Units: 1},
			{GroupKey: key("test", 0, "Firefox", time.Time{}), Units: 1},
		},
		MultiArmUnits: 1, UnknownArmUnits: 1,
	})
}

// insertPostHog writes rows the way PostHog's ingestion would, bypassing
// Insert (which writes compact JSON).
func insertPostHog(t *testing.T, srv *testserver.ClickHouseServer, db string, rows []posthogRow) {
	t.Helper()
	conn, err := ch.Open(&ch.Options{Addr: []string{srv.Addr()}, Auth: ch.Auth{Database: db, Username: srv.User, Password: srv.Password}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO events (uuid, event, properties, timestamp, team_id, distinct_id, elements_chain, created_at, person_id, person_properties, _timestamp)")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := batch.Append(r.uuid, r.event, r.properties, r.at, int64(2), r.distinctID, "", r.at, "00000000-0000-0000-0000-0000000000ff", "{}", r.at); err != nil {
			t.Fatal(err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatal(err)
	}
}
