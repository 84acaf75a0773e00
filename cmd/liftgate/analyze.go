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
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/plan"
)

// registerAnalyze wires `liftgate analyze`: one evaluation of one plan
// against the embedded store (a database file, or event files loaded into
// an in-memory store for this run).
func registerAnalyze(app *kingpin.Application) (string, runner) {
	cmd := app.Command("analyze", "Evaluate a plan: per-arm estimates, effects with intervals, verdicts and the stage decision.")
	planPath := cmd.Flag("plan", "Plan file (YAML).").Required().String()
	eventFiles := cmd.Flag("events", "Event files (NDJSON or CSV, optionally .gz) loaded into a temporary in-memory store. Repeatable.").Strings()
	dbPath := cmd.Flag("db", "DuckDB store written by `liftgate import`.").String()
	atFlag := cmd.Flag("at", "Evaluation time (RFC 3339); data before it counts. Default: now.").String()
	segment := cmd.Flag("segment", "Add per-value results for one of the plan's segments.").String()
	format := cmd.Flag("format", "Output format.").Default("table").Enum("table", "json")
	withSums := cmd.Flag("sums", "Include the per-stage sufficient statistics in JSON output.").Bool()

	return cmd.FullCommand(), func(ctx context.Context, out io.Writer) error {
		if (len(*eventFiles) == 0) == (*dbPath == "") {
			return &exitError{code: 2, err: errors.New("give exactly one of --events FILE... or --db FILE")}
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

		res, err := engine.Analyze(ctx, p, store, engine.Options{At: at, Segment: *segment, IncludeSums: *withSums})
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
