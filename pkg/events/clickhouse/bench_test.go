package clickhouse

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
)

// benchEvents is the benchmark's event count: LIFTGATE_BENCH_EVENTS, else
// one million.
func benchEvents(b *testing.B) int {
	if v := os.Getenv("LIFTGATE_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			b.Fatalf("LIFTGATE_BENCH_EVENTS=%q: want a number of events, at least 100", v)
		}
		return n
	}
	return 1_000_000
}

// benchSource loads n events generated inside the server (no Go in the
// loop): one exposure per unit for a tenth of them, purchases with an
// amount and sessions for the rest, spread over ten days.
func benchSource(b *testing.B, n int) *Source {
	srv := testserver.StartClickHouse(b)
	s, db := openTestSource(b, srv, events.Mapping{})
	ctx := testCtx(b)
	if err := s.CreateLiftgateSchema(ctx); err != nil {
		b.Fatal(err)
	}
	units := n / 10
	start := time.Now()
	base := strconv.FormatInt(t0.Unix(), 10)
	srv.Exec(b, db, `INSERT INTO events (id, event, unit_id, ts, properties)
		SELECT toString(number), 'exposure', concat('u', toString(number)),
			toDateTime(`+base+` + number * 7 % 604800),
			concat('{"experiment":"exp1","arm":"', if(number % 2 = 0, 'control', 'treatment'),
				'","country":"', arrayElement(['US', 'DE', 'FR', 'IT'], intDiv(number, 2) % 4 + 1), '"}')
		FROM system.numbers LIMIT `+strconv.Itoa(units))
	srv.Exec(b, db, `INSERT INTO events (id, event, unit_id, ts, properties)
		SELECT concat('m', toString(number)), if(number % 3 = 0, 'session', 'purchase'),
			concat('u', toString(cityHash64(number) % `+strconv.Itoa(units)+`)),
			toDateTime(`+base+` - 86400 + intHash32(number) % 950400),
			concat('{"amount":', toString(intHash32(number) % 10000 / 100), '}')
		FROM system.numbers LIMIT `+strconv.Itoa(n-units))
	b.Logf("loaded %d events (%d units) in %v", n, units, time.Since(start))
	return s
}

// BenchmarkMetricSums measures one per-unit then per-group aggregation over
// n events: a mean with a 7-day window and a 1-day CUPED lookback, split by
// two stages and by segment. Run it with
//
//	LIFTGATE_BENCH_EVENTS=10000000 go test ./pkg/events/clickhouse/ -run '^$' -bench MetricSums -benchtime 5x
func BenchmarkMetricSums(b *testing.B) {
	n := benchEvents(b)
	s := benchSource(b, n)
	ctx := testCtx(b)
	sc := baseScope()
	sc.Stages = []events.StageStart{{Name: "ramp", Start: t0}, {Name: "full", Start: t0.Add(3 * day)}}
	sc.Segment = "country"
	m := events.Metric{Kind: events.Mean, Value: events.EventValue{Event: "purchase", Property: "amount"}, Window: 7 * day, CUPEDLookback: day}
	b.ResetTimer()
	for b.Loop() {
		sums, err := s.MetricSums(ctx, sc, m)
		if err != nil {
			b.Fatal(err)
		}
		if len(sums) != 16 {
			b.Fatalf("got %d groups, want 2 arms × 2 stages × 4 countries", len(sums))
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkExposures measures the assignment step alone.
func BenchmarkExposures(b *testing.B) {
	n := benchEvents(b)
	s := benchSource(b, n)
	ctx := testCtx(b)
	sc := baseScope()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Exposures(ctx, sc); err != nil {
			b.Fatal(err)
		}
	}
}
