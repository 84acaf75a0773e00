package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/liftgate/liftgate/exporter/collector"
	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
)

// BenchmarkIngestDurable posts NDJSON batches to the ingestion endpoint of
// a file-backed DuckDB store over loopback HTTP; every request returns only
// after its batch is committed. It reports events per second
// (docs/performance.md).
func BenchmarkIngestDurable(b *testing.B) {
	for _, batch := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			store, err := duckdb.Open(filepath.Join(b.TempDir(), "bench.duckdb"))
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			srv := httptest.NewServer(New(Options{Evaluator: emptyEvaluator(b), Writer: duckWriter{store}, MaxIngestEvents: batch}))
			defer srv.Close()
			// Distinct events per iteration, so each batch inserts.
			units := batch / 2
			bodies := make([][]byte, b.N)
			for i := range bodies {
				evs := fixture.Events(fmt.Sprintf("bench-%d", i), start, uint64(i),
					fixture.Arm{Name: "control", Units: units, PurchaseRate: 1}, fixture.Arm{Name: "treatment", Units: 0})
				bodies[i] = fixture.NDJSON(evs[:batch])
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				resp, err := http.Post(srv.URL+"/api/v1/events", "application/x-ndjson", bytes.NewReader(bodies[i]))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
			b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "events/s")
		})
	}
}

func emptyEvaluator(b *testing.B) *evaluator.Evaluator {
	store, err := duckdb.Open("")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	ev, err := evaluator.New(evaluator.Options{PlansDir: b.TempDir(), Source: store})
	if err != nil {
		b.Fatal(err)
	}
	return ev
}

// BenchmarkMetrics100 fetches /metrics over loopback HTTP from an exporter
// holding 100 evaluated experiments (docs/performance.md).
func BenchmarkMetrics100(b *testing.B) {
	store, err := duckdb.Open("")
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	dir := b.TempDir()
	ids := fixture.ManyExperiments(b, dir, 100, start, func(evs []events.Event) error {
		_, err := store.Append(context.Background(), evs)
		return err
	})
	ev, err := evaluator.New(evaluator.Options{PlansDir: dir, Source: store, Now: func() time.Time { return evalAt }})
	if err != nil {
		b.Fatal(err)
	}
	for _, id := range ids {
		ev.EvaluateAt(context.Background(), id, evalAt)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector.New(ev, nil))
	srv := httptest.NewServer(New(Options{Evaluator: ev, Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})}))
	defer srv.Close()
	var size int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		size = int(n)
	}
	b.ReportMetric(float64(size), "bytes/scrape")
}
