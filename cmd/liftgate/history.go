package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/events/storeconfig"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// registerHistory adds "liftgate history export": the regression library,
// one record per finished rollout from the exporter's decision log, read
// through a running exporter or in place from the store that keeps it.
func registerHistory(app *kingpin.Application) (string, runner) {
	cmd := app.Command("history", "Rollout history from the exporter's decision log.")
	export := cmd.Command("export", "Write the record of finished rollouts (triggers, indicators, outcomes) as JSON or CSV.")
	exporter := export.Flag("exporter", "liftgate_exporter base URL, e.g. http://127.0.0.1:9781.").String()
	dbPath := export.Flag("db", "The exporter's DuckDB store file, read in place (while no exporter has it open).").String()
	storeFile := export.Flag("store", "Store file (YAML) of the ClickHouse or PostgreSQL store the exporter keeps its log in.").String()
	experiment := export.Flag("experiment", "Only this experiment.").String()
	format := export.Flag("format", "Output format: json or csv.").Default("json").Enum("json", "csv")
	since := export.Flag("since", "Only log entries at or after this RFC 3339 time (e.g. 2026-11-01T00:00:00Z).").String()
	all := export.Flag("include-unfinished", "Also write rollouts still in progress.").Bool()
	tokenFile := export.Flag("token-file", "File holding the exporter's API bearer token (with --exporter).").String()
	return export.FullCommand(), func(ctx context.Context, out io.Writer) error {
		if n := countGiven(*exporter != "", *dbPath != "", *storeFile != ""); n != 1 {
			return &exitError{code: 2, err: errors.New("give exactly one of --exporter URL, --db FILE or --store STORE.yaml")}
		}
		f := decisionlog.Filter{Experiment: *experiment}
		if *since != "" {
			t, err := time.Parse(time.RFC3339Nano, *since)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--since: %q is not an RFC 3339 time such as 2026-11-01T00:00:00Z", *since)}
			}
			f.Since = t
		}
		var (
			entries []decisionlog.Entry
			err     error
		)
		switch {
		case *exporter != "":
			entries, err = exporterDecisions(ctx, *exporter, *tokenFile, f)
		case *dbPath != "":
			entries, err = duckdbDecisions(ctx, *dbPath, f)
		default:
			entries, err = storeDecisions(ctx, *storeFile, f)
		}
		if err != nil {
			return err
		}
		lib := decisionlog.NewLibrary(entries, *all)
		if *format == "csv" {
			return lib.WriteCSV(out)
		}
		return lib.WriteJSON(out)
	}
}

func exporterDecisions(ctx context.Context, url, tokenFile string, f decisionlog.Filter) ([]decisionlog.Entry, error) {
	c, err := exporterClient(url, tokenFile)
	if err != nil {
		return nil, err
	}
	return c.Decisions(ctx, exporterclient.DecisionQuery{Experiment: f.Experiment, Since: f.Since})
}

// duckdbDecisions reads the log from the exporter's DuckDB file. DuckDB
// lets one process open a file: a running exporter holds it.
func duckdbDecisions(ctx context.Context, path string, f decisionlog.Filter) ([]decisionlog.Entry, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--db: %w", err)}
	}
	s, err := duckdb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--db: %w (while a liftgate_exporter has the file open, ask it with --exporter)", err)
	}
	defer s.Close()
	l, err := s.DecisionLog(ctx, decisionlog.Options{})
	if err != nil {
		return nil, fmt.Errorf("--db: %w", err)
	}
	defer l.Close()
	return l.List(ctx, f)
}

func storeDecisions(ctx context.Context, path string, f decisionlog.Filter) ([]decisionlog.Entry, error) {
	s, err := openStoreFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	l, err := storeconfig.DecisionLog(ctx, s, decisionlog.Options{})
	if err != nil {
		return nil, fmt.Errorf("--store %s: %w", path, err)
	}
	defer l.Close()
	return l.List(ctx, f)
}
