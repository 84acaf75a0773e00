package duckdb

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
)

// generateInSQL fills the store with units exposed over a week (arms
// alternating) and nine metric events per unit around their exposure, all
// generated inside DuckDB with range() so the benchmark measures queries,
// not ingestion.
func generateInSQL(b *testing.B, s *Store, units int) {
	b.Helper()
	start := t0.UnixMicro()
	if _, err := s.db.Exec(`INSERT INTO events
		SELECT 'x' || i, 'exposure', 'u' || i,
			make_timestamp($1::BIGINT + (i % 604800) * 1000000),
			json_object('experiment', 'exp1', 'arm', CASE WHEN i % 2 = 0 THEN 'control' ELSE 'treatment' END,
				'platform', CASE WHEN i % 3 = 0 THEN 'ios' ELSE 'web' END)::VARCHAR,
			make_timestamp($1::BIGINT)
		FROM range($2::BIGINT) r(i)`, start, units); err != nil {
		b.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO events
		SELECT 'm' || j, CASE WHEN j % 3 = 0 THEN 'pageview' ELSE 'purchase' END, 'u' || (j % $2::BIGINT),
			make_timestamp($1::BIGINT + ((j % $2::BIGINT) % 604800) * 1000000 + ((j * 7919) % 345600 - 86400) * 1000000),
			json_object('amount', (j * 31) % 10000 / 100.0)::VARCHAR,
			make_timestamp($1::BIGINT)
		FROM range(9 * $2::BIGINT) r(j)`, start, units); err != nil {
		b.Fatal(err)
	}
	if _, err := s.db.Exec("CHECKPOINT"); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMetricSums times the per-unit then per-group aggregation over
// 10 events per unit. Run with: go test -run '^$' -bench MetricSums ./pkg/events/duckdb/
func BenchmarkMetricSums(b *testing.B) {
	for _, units := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("units=%d,events=%d", units, 10*units), func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "bench.duckdb"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			generateInSQL(b, s, units)
			sc := baseScope()
			sc.End = at(24 * 9)
			sc.Segment = "platform"
			m := events.Metric{Kind: events.Mean, Value: amountSum, Window: 48 * time.Hour, CUPEDLookback: 24 * time.Hour}
			b.ResetTimer()
			for b.Loop() {
				got, err := s.MetricSums(context.Background(), sc, m)
				if err != nil {
					b.Fatal(err)
				}
				var n float64
				for _, g := range got {
					n += g.Sums.N
				}
				if int(n) != units {
					b.Fatalf("%v units assigned, want %d", n, units)
				}
			}
			b.StopTimer()
			var ru syscall.Rusage
			if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "maxRSS-MiB")
			}
		})
	}
}
