package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// registerNote adds "liftgate note": record a person's decision in the
// exporter's decision log, beside the machine's.
func registerNote(app *kingpin.Application) (string, runner) {
	cmd := app.Command("note", "Record a human decision (proceed, hold, rollback, override) with who, why and a link in the exporter's decision log.")
	exporter := cmd.Flag("exporter", "liftgate_exporter base URL, e.g. http://127.0.0.1:9781.").Required().String()
	experiment := cmd.Flag("experiment", "Experiment id.").Required().String()
	action := cmd.Flag("action", "Decision: "+strings.Join(decisionlog.HumanActions(), ", ")+".").Required().String()
	who := cmd.Flag("who", "Who decides (recorded as given; the API token authenticates the caller).").Required().String()
	why := cmd.Flag("why", "Why.").Required().String()
	link := cmd.Flag("link", "Link to the ticket, incident or discussion (http or https).").String()
	metric := cmd.Flag("metric", "Metric an override is about.").String()
	arm := cmd.Flag("arm", "Arm an override is about.").String()
	tokenFile := cmd.Flag("token-file", "File holding the exporter's API bearer token.").String()
	return cmd.FullCommand(), func(ctx context.Context, out io.Writer) error {
		if !slices.Contains(decisionlog.HumanActions(), *action) {
			// Checked here rather than by kingpin's Enum, whose error does
			// not name the flag.
			return &exitError{code: 2, err: fmt.Errorf("--action: %q is not one of %s", *action, strings.Join(decisionlog.HumanActions(), ", "))}
		}
		c, err := exporterClient(*exporter, *tokenFile)
		if err != nil {
			return err
		}
		e, err := c.RecordDecision(ctx, exporterclient.HumanDecisionRequest{
			Experiment: *experiment, Action: *action, Who: *who, Why: *why, Link: *link, Metric: *metric, Arm: *arm,
		})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "recorded entry %d: %s %s by %s at %s (plan %s, stage %s)\n",
			e.ID, e.Experiment, e.Human.Action, e.Human.Who, e.Time.Format("2006-01-02T15:04:05Z07:00"), e.PlanHash, e.Stage)
		return err
	}
}

// exporterClient builds a client, reading the bearer token from tokenFile
// when one is given.
func exporterClient(url, tokenFile string) (*exporterclient.Client, error) {
	token := ""
	if tokenFile != "" {
		data, err := os.ReadFile(tokenFile)
		if err != nil {
			return nil, fmt.Errorf("--token-file: %w", err)
		}
		token = strings.TrimSpace(string(data))
		if token == "" {
			return nil, fmt.Errorf("--token-file: %s is empty", tokenFile)
		}
	}
	c, err := exporterclient.New(url, token)
	if err != nil {
		return nil, fmt.Errorf("--exporter: %w", err)
	}
	return c, nil
}
