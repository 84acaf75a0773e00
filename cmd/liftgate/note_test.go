package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/exporter/server"
	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/plan"
)

// oneExperiment is the exporter's view of a single plan, enough for the
// decision log API.
type oneExperiment struct{ x evaluator.ExperimentView }

func (o oneExperiment) Snapshot() evaluator.Snapshot {
	return evaluator.Snapshot{Experiments: []evaluator.ExperimentView{o.x}}
}

func (o oneExperiment) Experiment(id string) (evaluator.ExperimentView, bool) {
	return o.x, id == o.x.Plan.ID
}
func (o oneExperiment) Reload() error { return nil }

// decisionServer serves the exporter's HTTP handler with a real decision
// log on loopback, behind the API token "tok".
func decisionServer(t *testing.T) (*httptest.Server, *decisionlog.FileLog, string) {
	t.Helper()
	log, err := decisionlog.OpenFile(t.TempDir(), decisionlog.FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	x := evaluator.ExperimentView{LoadedPlan: evaluator.LoadedPlan{Plan: &plan.Plan{ID: "checkout-v2"}, Hash: "sha256:abc"}, Stage: "half"}
	srv := httptest.NewServer(server.New(server.Options{Evaluator: oneExperiment{x}, Decisions: log, APIToken: "tok"}))
	t.Cleanup(srv.Close)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, log, tokenFile
}

func runArgs(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestNoteRecordsAnAttributedDecision(t *testing.T) {
	srv, log, tokenFile := decisionServer(t)
	code, out, errOut := runArgs("note", "--exporter", srv.URL, "--experiment", "checkout-v2", "--action", "override",
		"--who", "alice", "--why", "errors come from a bot", "--metric", "errors_per_session", "--arm", "treatment",
		"--link", "https://tickets.example.com/INC-1", "--token-file", tokenFile)
	if code != 0 || !strings.Contains(out, "override by alice") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	es, _ := log.List(context.Background(), decisionlog.Filter{})
	if len(es) != 1 || es[0].Human.Who != "alice" || es[0].Metric != "errors_per_session" || es[0].PlanHash != "sha256:abc" || es[0].Stage != "half" {
		t.Fatalf("log holds %+v", es)
	}
}

func TestNoteRefusals(t *testing.T) {
	srv, log, tokenFile := decisionServer(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--action", "delete", "--token-file", tokenFile}, 2, "action"},
		{[]string{"--action", "hold"}, 1, "401"},
		{[]string{"--action", "hold", "--token-file", filepath.Join(t.TempDir(), "missing")}, 1, "--token-file"},
		{[]string{"--action", "hold", "--token-file", tokenFile, "--link", "not a url"}, 1, "link"},
	} {
		args := append([]string{"note", "--exporter", srv.URL, "--experiment", "checkout-v2", "--who", "a", "--why", "w"}, c.args...)
		code, _, errOut := runArgs(args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, errOut, c.code, c.want)
		}
	}
	if es, _ := log.List(context.Background(), decisionlog.Filter{}); len(es) != 0 {
		t.Fatalf("refused notes were stored: %+v", es)
	}
}

func TestHistoryExportCSVAndSince(t *testing.T) {
	srv, _, tokenFile := decisionServer(t)
	if code, _, errOut := runArgs("note", "--exporter", srv.URL, "--experiment", "checkout-v2", "--action", "rollback",
		"--who", "alice", "--why", "w", "--token-file", tokenFile); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := runArgs("history", "export", "--exporter", srv.URL, "--format", "csv", "--token-file", tokenFile)
	if code != 0 {
		t.Fatal(errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "checkout-v2" || rows[1][1] != "rolled_back" || rows[1][5] != "1" || rows[1][6] != "1" {
		t.Fatalf("csv %q", rows)
	}
	// Entries from the future only: nothing finished to export.
	code, out, _ = runArgs("history", "export", "--exporter", srv.URL, "--format", "csv", "--token-file", tokenFile, "--since", "2999-01-01T00:00:00Z")
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("exit %d, %q: want the header only", code, out)
	}
	code, _, errOut = runArgs("history", "export", "--exporter", srv.URL, "--since", "yesterday")
	if code != 2 || !strings.Contains(errOut, "--since") {
		t.Fatalf("bad --since: exit %d, %q, want a usage error (2)", code, errOut)
	}
}
