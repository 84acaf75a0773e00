package postgres_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/postgres"
)

func ExampleParseConfig() {
	cfg, err := postgres.ParseConfig([]byte(`
addr: 127.0.0.1:5432
database: analytics
user: liftgate_ro
password: not-printed
query_timeout: 2m
settings: {work_mem: 256MB}
mapping:
  table: public.events
  columns: {id: id, event: event, unit: unit_id, time: ts, properties: properties}
`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg)
	// Output: postgres{addr=127.0.0.1:5432 database=analytics user=liftgate_ro password=[redacted] table=public.events query_timeout=2m}
}

// ExampleOpen reads conversion sums of a plan's experiment from an existing
// table. It needs a server, so it is compiled but not run by go test.
func ExampleOpen() {
	ctx := context.Background()
	src, err := postgres.Open(ctx, postgres.Config{
		DSN:      "postgres://liftgate_ro@127.0.0.1:5432/analytics?sslmode=disable",
		Password: "from-a-secret-store",
		Mapping:  events.LiftgateMapping(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	scope := events.Scope{
		Experiment: "checkout-v2", Unit: "user_id",
		Exposure: events.Exposure{Event: "experiment_viewed", ExperimentProperty: "experiment", ArmProperty: "arm"},
		Arms:     []string{"control", "treatment"},
		Start:    start, End: start.Add(14 * 24 * time.Hour),
	}
	groups, err := src.MetricSums(ctx, scope, events.Metric{Kind: events.Conversion, Value: events.EventValue{Event: "purchase"}, Window: 72 * time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range groups {
		fmt.Printf("%s stage %d: n=%.0f conversions=%.0f\n", g.Arm, g.Stage, g.Sums.N, g.Sums.SumY)
	}
}
