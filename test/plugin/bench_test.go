package plugin_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
)

// benchEnv is a second exporter whose store holds generated events of the
// example experiment at benchmark size.
var benchEnv struct {
	once   sync.Once
	url    string
	events int
	err    error
}

// benchExporter generates LIFTGATE_BENCH_UNITS units (default 100,000,
// ~10 events each, so ~1M events) with the committed generator, loads them
// into a DuckDB file and starts an exporter on it. It runs once per test
// binary; the exporter stops with the harness.
func benchExporter(b *testing.B) string {
	b.Helper()
	benchEnv.once.Do(func() {
		units := 100000
		if v := os.Getenv("LIFTGATE_BENCH_UNITS"); v != "" {
			var err error
			if units, err = strconv.Atoi(v); err != nil {
				benchEnv.err = fmt.Errorf("LIFTGATE_BENCH_UNITS: %v", err)
				return
			}
		}
		dir := filepath.Join(suite.tmp, "bench")
		gen := filepath.Join(dir, "generate")
		if err := goBuild(gen, "./examples/generate", nil); err != nil {
			benchEnv.err = err
			return
		}
		file := filepath.Join(dir, "events.ndjson.gz")
		// ~10 events per unit, the shape of docs/performance.md's embedded
		// store numbers.
		if out, err := exec.Command(gen, "-units", strconv.Itoa(units), "-sessions", "5.5", "-out", file).CombinedOutput(); err != nil {
			benchEnv.err = fmt.Errorf("generate: %v\n%s", err, out)
			return
		}
		store := filepath.Join(dir, "events.duckdb")
		n, err := loadInBatches(store, file)
		if err != nil {
			benchEnv.err = err
			return
		}
		benchEnv.events = n
		url, stop, err := startExporter(suite.exporterBin, store, filepath.Join(dir, "exporter"))
		if err != nil {
			benchEnv.err = err
			return
		}
		benchEnv.url = url
		stopBench = stop
	})
	if benchEnv.err != nil {
		b.Fatal(benchEnv.err)
	}
	return benchEnv.url
}

// stopBench stops the benchmark's exporter; TestMain calls it on the way
// out.
var stopBench = func() {}

// loadInBatches streams an event file into a DuckDB file, 100k at a time.
func loadInBatches(storePath, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	dec, err := events.DecoderFor(path, f)
	if err != nil {
		return 0, err
	}
	store, err := duckdb.Open(storePath)
	if err != nil {
		return 0, err
	}
	defer store.Close()
	n := 0
	batch := make([]events.Event, 0, 100000)
	flush := func() error {
		_, err := store.Append(context.Background(), batch)
		n += len(batch)
		batch = batch[:0]
		return err
	}
	for {
		ev, err := dec.Next()
		if err != nil {
			break // io.EOF; a decoding error would show as missing events
		}
		batch = append(batch, ev)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

// BenchmarkQueryData measures QueryData through Grafana's gRPC path for the
// comparison and the lift over time (12 evaluations at 6h over 3 days),
// cold (a new data source instance per iteration, so nothing is cached in
// the plugin; the exporter's DuckDB and the OS caches stay warm) and cached
// (the same query and range again within the TTL).
func BenchmarkQueryData(b *testing.B) {
	url := benchExporter(b)
	b.Logf("%d events in the benchmark store", benchEnv.events)
	h := startPlugin(b, suite.pluginBin)
	to := time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)
	from := to.Add(-72 * time.Hour)
	for _, q := range []query{
		{refID: "A", queryType: "comparison", model: map[string]any{"experiment": experiment}, from: from, to: to},
		{refID: "A", queryType: "lift_over_time", model: map[string]any{"experiment": experiment, "bucket": "6h"}, from: from, to: to},
	} {
		run := func(b *testing.B, ds dataSource) {
			resp := h.queryData(b, ds, q)
			if dr := resp.Responses["A"]; dr.Error != nil {
				b.Fatal(dr.Error)
			}
		}
		b.Run(q.queryType+"/cold", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ds := exporterSource(fmt.Sprintf("bench-cold-%s-%d-%d", q.queryType, i, time.Now().UnixNano()))
				ds.jsonData.(map[string]any)["exporterUrl"] = url
				ds.jsonData.(map[string]any)["timeout"] = "10m"
				run(b, ds)
			}
		})
		b.Run(q.queryType+"/cached", func(b *testing.B) {
			ds := exporterSource("bench-cached-" + q.queryType)
			ds.jsonData.(map[string]any)["exporterUrl"] = url
			ds.jsonData.(map[string]any)["cacheTtl"] = "1h"
			ds.jsonData.(map[string]any)["timeout"] = "10m"
			run(b, ds) // fill the cache
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run(b, ds)
			}
		})
	}
}
