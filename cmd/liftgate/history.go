package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
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
		rollouts := []decisionlog.Rollout{}
		for _, r := range decisionlog.Histories(entries) {
			if r.Finished || *all {
				rollouts = append(rollouts, r)
			}
		}
		if *format == "csv" {
			return writeHistoryCSV(out, rollouts)
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Rollouts []decisionlog.Rollout `json:"rollouts"`
			Summary  decisionlog.Summary   `json:"summary"`
		}{rollouts, decisionlog.Summarize(rollouts)})
	}
}

// historyCSVHeader is one row per rollout; triggers and indicators are
// flattened to "metric/arm=verdict" lists separated by ";".
var historyCSVHeader = []string{
	"experiment", "outcome", "first_entry", "last_entry", "plan_hashes", "rollbacks", "human_decisions",
	"first_harmful", "first_rollback", "restored", "detection_to_rollback_seconds", "time_to_restore_seconds",
	"triggers", "indicators",
}

func writeHistoryCSV(out io.Writer, rollouts []decisionlog.Rollout) error {
	w := csv.NewWriter(out)
	if err := w.Write(historyCSVHeader); err != nil {
		return err
	}
	for _, r := range rollouts {
		row := []string{
			r.Experiment, r.Outcome, stamp(&r.First), stamp(&r.Last), strings.Join(r.PlanHashes, ";"),
			strconv.Itoa(r.Rollbacks), strconv.Itoa(r.HumanDecisions),
			stamp(r.FirstHarmful), stamp(r.FirstRollback), stamp(r.Restored),
			seconds(r.DetectionToRollbackSeconds), seconds(r.TimeToRestoreSeconds),
			indicators(r.Triggers), indicators(r.Indicators),
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func seconds(s *float64) string {
	if s == nil {
		return ""
	}
	return strconv.FormatFloat(*s, 'f', -1, 64)
}

func indicators(list []decisionlog.Indicator) string {
	parts := make([]string, len(list))
	for i, in := range list {
		parts[i] = fmt.Sprintf("%s/%s=%s", in.Metric, in.Arm, in.Verdict)
	}
	return strings.Join(parts, ";")
}
