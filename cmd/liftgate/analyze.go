package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// registerAnalyze wires `liftgate analyze`: one evaluation of one plan
// against the embedded store (a database file, or event files loaded into
// an in-memory store for this run) or a ClickHouse/PostgreSQL store named
// by a store file.
func registerAnalyze(app *kingpin.Application) (string, runner) {
	cmd := app.Command("analyze", "Evaluate a plan: per-arm estimates, effects with intervals, verdicts and the stage decision.")
	planPath := cmd.Flag("plan", "Plan file (YAML).").Required().String()
	eventFiles := cmd.Flag("events", "Event files (NDJSON or CSV, optionally .gz) loaded into a temporary in-memory store. Repeatable.").Strings()
	dbPath := cmd.Flag("db", "DuckDB store written by `liftgate import`.").String()
	storeFile := cmd.Flag("store", "Store file (YAML) naming a ClickHouse or PostgreSQL store, read in place (docs/stores-clickhouse.md, docs/stores-postgres.md).").String()
	atFlag := cmd.Flag("at", "Evaluation time (RFC 3339); data before it counts. Default: now.").String()
	segment := cmd.Flag("segment", "Add per-value results for one of the plan's segments.").String()
	format := cmd.Flag("format", "Output format.").Default("table").Enum("table", "json")
	withSums := cmd.Flag("sums", "Include the per-stage sufficient statistics in JSON output.").Bool()
	timings := cmd.Flag("timings", "Print each store query's duration to stderr.").Bool()
	promURL := cmd.Flag("prometheus", "Prometheus-compatible API URL for the plan's prometheus metrics, traffic check and markers (docs/telemetry.md).").Envar("LIFTGATE_PROMETHEUS_URL").String()
	promConfig := cmd.Flag("prometheus.config", "Prometheus HTTP client settings (YAML: authorization, basic_auth, tls_config, proxy_url), as in Prometheus's own configuration.").String()

	return cmd.FullCommand(), func(ctx context.Context, out io.Writer) error {
		if n := countGiven(len(*eventFiles) > 0, *dbPath != "", *storeFile != ""); n != 1 {
			return &exitError{code: 2, err: errors.New("give exactly one of --events FILE..., --db FILE or --store STORE.yaml")}
		}
		var at time.Time
		if *atFlag != "" {
			t, err := time.Parse(time.RFC3339, *atFlag)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--at: %q is not an RFC 3339 time such as 2026-11-03T00:00:00Z", *atFlag)}
			}
			at = t
		}
		p, err := plan.Load(*planPath)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		var tel telemetry.Source
		if *promURL != "" {
			cfg := telemetry.PrometheusConfig{URL: *promURL}
			if *promConfig != "" {
				if cfg.HTTP, err = telemetry.LoadHTTPConfig(*promConfig); err != nil {
					return &exitError{code: 2, err: err}
				}
			}
			if tel, err = telemetry.NewPrometheus(cfg); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--prometheus: %w", err)}
			}
		} else if *promConfig != "" {
			return &exitError{code: 2, err: errors.New("--prometheus.config needs --prometheus URL")}
		}

		var src events.Source
		if *storeFile != "" {
			sqlStore, err := openStoreFile(ctx, *storeFile)
			if err != nil {
				return err
			}
			defer sqlStore.Close()
			src = sqlStore
		} else {
			var store *duckdb.Store
			if *dbPath != "" {
				if _, err := os.Stat(*dbPath); err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--db: %w", err)}
				}
				store, err = duckdb.Open(*dbPath)
			} else {
				store, err = duckdb.Open("")
			}
			if err != nil {
				return err
			}
			defer store.Close()
			if len(*eventFiles) > 0 {
				if err := loadEventFiles(ctx, store, *eventFiles, os.Stderr); err != nil {
					return err
				}
			}
			src = store
		}

		opts := engine.Options{At: at, Segment: *segment, IncludeSums: *withSums, Telemetry: tel}
		if *timings {
			var total time.Duration
			opts.Trace = func(source, op string, d time.Duration) {
				total += d
				fmt.Fprintf(os.Stderr, "timing: %s %s %.3fs (queries so far %.3fs)\n", source, op, d.Seconds(), total.Seconds())
			}
		}
		res, err := engine.Analyze(ctx, p, src, opts)
		if err != nil {
			return err
		}
		if *format == "json" {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		}
		return engine.WriteTable(out, res)
	}
}
