package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// registerHistory adds "liftgate history export": the regression library,
// one record per finished rollout from the exporter's decision log.
func registerHistory(app *kingpin.Application) (string, runner) {
	cmd := app.Command("history", "Rollout history from the exporter's decision log.")
	export := cmd.Command("export", "Write the record of finished rollouts (triggers, indicators, outcomes) as JSON or CSV.")
	exporter := export.Flag("exporter", "liftgate_exporter base URL, e.g. http://127.0.0.1:9781.").Required().String()
	experiment := export.Flag("experiment", "Only this experiment.").String()
	format := export.Flag("format", "Output format: json or csv.").Default("json").Enum("json", "csv")
	since := export.Flag("since", "Only log entries at or after this RFC 3339 time (e.g. 2026-11-01T00:00:00Z).").String()
	all := export.Flag("include-unfinished", "Also write rollouts still in progress.").Bool()
	tokenFile := export.Flag("token-file", "File holding the exporter's API bearer token.").String()
	return export.FullCommand(), func(ctx context.Context, out io.Writer) error {
		q := exporterclient.DecisionQuery{Experiment: *experiment}
		if *since != "" {
			t, err := time.Parse(time.RFC3339Nano, *since)
			if err != nil {
				return fmt.Errorf("--since: %q is not an RFC 3339 time such as 2026-11-01T00:00:00Z", *since)
			}
			q.Since = t
		}
		c, err := exporterClient(*exporter, *tokenFile)
		if err != nil {
			return err
		}
		entries, err := c.Decisions(ctx, q)
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
