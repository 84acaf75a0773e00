package postgres

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// BenchmarkMetricSums measures the queries over events generated inside the
// database (generate_series): LIFTGATE_PG_BENCH_EVENTS events (default 1M),
// one exposure per unit for a tenth of them, the rest purchases and
// pageviews over eight days. Run it with
//
//	LIFTGATE_PG_BENCH_EVENTS=10000000 go test -run '^$' -bench . -benchtime 3x -timeout 30m ./pkg/events/postgres/
func BenchmarkMetricSums(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("LIFTGATE_PG_BENCH_EVENTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			b.Fatalf("LIFTGATE_PG_BENCH_EVENTS=%q: want an integer of at least 1000", s)
		}
		n = v
	}
	units := n / 10
	srv := testserver.StartPostgres(b,
		testserver.WithPostgresSetting("shared_buffers", "512MB"),
		testserver.WithPostgresSetting("work_mem", "256MB"),
		testserver.WithPostgresSetting("max_parallel_workers_per_gather", "2"))
	src, db := openTestSource(b, srv, events.LiftgateMapping())
	if err := src.CreateLiftgateSchema(context.Background()); err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	// The id index only serves Insert's de-duplication; generated ids are
	// unique, so it is dropped to keep the load fast.
	srv.Exec(b, db, `DROP INDEX events_id_key`)
	srv.Exec(b, db, `INSERT INTO events (id, event, unit_id, ts, properties)
SELECT 'x' || i, 'exposure', 'u' || i, $1::timestamptz + (i % 604800) * interval '1 second',
	jsonb_build_object('experiment', 'exp', 'arm', CASE WHEN i % 2 = 0 THEN 'control' ELSE 'treatment' END,
		'country', (ARRAY['DE', 'FR', 'US'])[1 + i % 3])
FROM generate_series(1, $2::bigint) i`, t0, units)
	srv.Exec(b, db, `INSERT INTO events (id, event, unit_id, ts, properties)
SELECT 'p' || i, CASE WHEN i % 3 = 0 THEN 'purchase' ELSE 'pageview' END, 'u' || (1 + (i * 7919) % $2::bigint),
	$1::timestamptz + ((i * 104729) % 691200) * interval '1 second', jsonb_build_object('amount', (i % 1000) / 10.0)
FROM generate_series(1, $3::bigint) i`, t0, units, n-units)
	srv.Exec(b, db, `VACUUM ANALYZE events`)
	b.Logf("loaded %d events (%d units) in %s", n, units, time.Since(began).Round(time.Millisecond))

	sc := baseScope()
	sc.End = t0.Add(8 * 24 * h)
	staged := sc
	staged.Stages = []events.StageStart{{Name: "a", Start: t0}, {Name: "b", Start: t0.Add(48 * h)}}
	staged.Segment = "country"
	amount := events.EventValue{Event: "purchase", Property: "amount"}
	ctx := context.Background()

	b.Run("exposures", func(b *testing.B) {
		for b.Loop() {
			if _, err := src.Exposures(ctx, sc); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, c := range map[string]struct {
		sc events.Scope
		m  events.Metric
	}{
		"conversion":              {sc, events.Metric{Kind: events.Conversion, Value: events.EventValue{Event: "purchase"}}},
		"mean_cuped":              {sc, events.Metric{Kind: events.Mean, Value: amount, CUPEDLookback: 24 * h}},
		"ratio_window_stage_segm": {staged, events.Metric{Kind: events.Ratio, Numerator: amount, Denominator: events.EventValue{Event: "pageview"}, Window: 72 * h}},
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := src.MetricSums(ctx, c.sc, c.m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
