package plugin_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/clickhouse"
	"github.com/liftgate/liftgate/pkg/events/postgres"
)

// sqlBenchData is the benchmark's event file for the SQL stores, generated
// once per test binary and shared by the ClickHouse and PostgreSQL
// benchmarks so both hold the same events.
var sqlBenchData struct {
	once sync.Once
	file string
	err  error
}

// sqlBenchEvents generates LIFTGATE_BENCH_UNITS units (default 100,000,
// ~10 events each) with the committed generator, as BenchmarkQueryData
// does, but with whole-second times: ClickHouse 18.16's DateTime holds no
// fractions, and PostgreSQL gets the same file so the two stores compare.
func sqlBenchEvents(b *testing.B) string {
	b.Helper()
	sqlBenchData.once.Do(func() {
		units, err := benchUnits()
		if err != nil {
			sqlBenchData.err = err
			return
		}
		dir := filepath.Join(suite.tmp, "bench-sql")
		gen := filepath.Join(dir, "generate")
		if err := goBuild(gen, "./examples/generate", nil); err != nil {
			sqlBenchData.err = err
			return
		}
		file := filepath.Join(dir, "events.ndjson.gz")
		if out, err := exec.Command(gen, "-units", strconv.Itoa(units), "-sessions", "5.5", "-whole-seconds", "-out", file).CombinedOutput(); err != nil {
			sqlBenchData.err = fmt.Errorf("generate: %v\n%s", err, out)
			return
		}
		sqlBenchData.file = file
	})
	if sqlBenchData.err != nil {
		b.Fatal(sqlBenchData.err)
	}
	return sqlBenchData.file
}

// benchUnits reads LIFTGATE_BENCH_UNITS (default 100,000).
func benchUnits() (int, error) {
	v := os.Getenv("LIFTGATE_BENCH_UNITS")
	if v == "" {
		return 100000, nil
	}
	units, err := strconv.Atoi(v)
	if err != nil || units <= 0 {
		return 0, fmt.Errorf("LIFTGATE_BENCH_UNITS: want a positive number of units, got %q", v)
	}
	return units, nil
}

// insertFunc is a SQL store's Insert.
type insertFunc func(context.Context, []events.Event) (int64, error)

// insertInBatches streams an event file into a store through its Insert,
// 100k events at a time. It returns the events read and the events stored
// (fewer when the generator repeats an id: the stores keep the first).
// Unlike loadInBatches it stops on a decoding error, so a truncated file
// cannot pass for a smaller store.
func insertInBatches(ctx context.Context, path string, insert insertFunc) (read int, stored int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	dec, err := events.DecoderFor(path, f)
	if err != nil {
		return 0, 0, err
	}
	batch := make([]events.Event, 0, 100000)
	flush := func() error {
		n, err := insert(ctx, batch)
		stored += n
		batch = batch[:0]
		return err
	}
	for {
		ev, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return read, stored, fmt.Errorf("%s: %v", path, err)
		}
		read++
		batch = append(batch, ev)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return read, stored, err
			}
		}
	}
	return read, stored, flush()
}

// BenchmarkQueryDataClickHouse is BenchmarkQueryData with the plugin
// reading a ClickHouse event store directly (plans still come from the
// harness's exporter): a real server from internal/testserver, loaded
// through the store's Insert and merged with OPTIMIZE ... FINAL, as
// docs/performance.md's ClickHouse numbers were.
func BenchmarkQueryDataClickHouse(b *testing.B) {
	file := sqlBenchEvents(b)
	ctx := context.Background()
	server := testserver.StartClickHouse(b)
	database := server.CreateDatabase(b)
	src, err := clickhouse.Open(ctx, clickhouse.Config{Addr: server.Addr(), Database: database, User: server.User, Password: clickhouse.Secret(server.Password)})
	if err != nil {
		b.Fatal(err)
	}
	if err := src.CreateLiftgateSchema(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	read, stored, err := insertInBatches(ctx, file, src.Insert)
	src.Close()
	if err != nil {
		b.Fatal(err)
	}
	server.Exec(b, database, "OPTIMIZE TABLE events FINAL")
	b.Logf("clickhouse: %d events read, %d stored in %s", read, stored, time.Since(start).Round(time.Second))

	benchmarkStoreQueries(b, func(uid string) dataSource {
		return dataSource{
			uid: uid,
			jsonData: map[string]any{
				"exporterUrl": suite.exporterURL,
				"eventStore":  "clickhouse",
				"clickhouse":  map[string]any{"addr": server.Addr(), "database": database, "user": server.User},
				"timeout":     "10m",
			},
			secure:  map[string]string{"exporterToken": apiToken, "clickhousePassword": server.Password},
			updated: time.Unix(1700000000, 0),
		}
	})
}

// BenchmarkQueryDataPostgres is BenchmarkQueryData with the plugin reading
// a PostgreSQL event store directly (plans still come from the harness's
// exporter): a real server from internal/testserver, loaded through the
// store's Insert (COPY into a staging table) and analysed afterwards.
func BenchmarkQueryDataPostgres(b *testing.B) {
	file := sqlBenchEvents(b)
	ctx := context.Background()
	// Shared buffers big enough to hold the table at 10M events, as
	// scripts/perf/analyze-sql-stores.sh sizes them; the default 128MB
	// would measure the disk instead.
	server := testserver.StartPostgres(b, testserver.WithPostgresSetting("shared_buffers", "1GB"))
	database := server.CreateDatabase(b)
	src, err := postgres.Open(ctx, postgres.Config{Addr: server.Addr(), Database: database, User: server.User,
		Password: postgres.Secret(server.Password), TLS: postgres.TLS{Mode: "disable"}})
	if err != nil {
		b.Fatal(err)
	}
	if err := src.CreateLiftgateSchema(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	read, stored, err := insertInBatches(ctx, file, src.Insert)
	src.Close()
	if err != nil {
		b.Fatal(err)
	}
	server.Exec(b, database, "VACUUM ANALYZE events")
	b.Logf("postgres: %d events read, %d stored in %s", read, stored, time.Since(start).Round(time.Second))

	benchmarkStoreQueries(b, func(uid string) dataSource {
		return dataSource{
			uid: uid,
			jsonData: map[string]any{
				"exporterUrl": suite.exporterURL,
				"eventStore":  "postgres",
				"postgres":    map[string]any{"addr": server.Addr(), "database": database, "user": server.User, "tlsMode": "disable"},
				"timeout":     "10m",
			},
			secure:  map[string]string{"exporterToken": apiToken, "postgresPassword": server.Password},
			updated: time.Unix(1700000000, 0),
		}
	})
}

// benchmarkStoreQueries runs BenchmarkQueryData's sub-benchmarks (the
// comparison and the lift over time, cold and cached, over the same range)
// against data sources made by newSource.
func benchmarkStoreQueries(b *testing.B, newSource func(uid string) dataSource) {
	h := startPlugin(b, suite.pluginBin)
	to := time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)
	from := to.Add(-72 * time.Hour)
	for _, q := range []query{
		{refID: "A", queryType: "comparison", model: map[string]any{"experiment": experiment}, from: from, to: to},
		{refID: "A", queryType: "lift_over_time", model: map[string]any{"experiment": experiment, "bucket": "6h"}, from: from, to: to},
	} {
		run := func(b *testing.B, ds dataSource) {
			resp := h.queryData(b, ds, q)
			dr := resp.Responses["A"]
			if dr.Error != nil {
				b.Fatal(dr.Error)
			}
			// An empty answer would time nothing but the round trip.
			if len(dr.Frames) == 0 {
				b.Fatalf("%s: no frames", q.queryType)
			}
		}
		b.Run(q.queryType+"/cold", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				// A new instance per iteration: no plugin cache, and a new
				// connection pool to the store.
				ds := newSource(fmt.Sprintf("bench-sql-cold-%s-%d-%d", q.queryType, i, time.Now().UnixNano()))
				ds.jsonData.(map[string]any)["cacheTtl"] = "30s" // as exporterSource; unused, the instance is new
				run(b, ds)
			}
		})
		b.Run(q.queryType+"/cached", func(b *testing.B) {
			ds := newSource(fmt.Sprintf("bench-sql-cached-%s-%d", q.queryType, time.Now().UnixNano()))
			ds.jsonData.(map[string]any)["cacheTtl"] = "1h"
			run(b, ds) // fill the cache
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run(b, ds)
			}
		})
	}
}
