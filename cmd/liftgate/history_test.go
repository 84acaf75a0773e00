package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/events/postgres"
)

var historyT0 = time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)

// rolloutLog is two rollouts as the exporter would record them: "bad" has
// its errors guardrail turn harmful at +10m, the gate roll back at +13m, a
// person confirm at +20m and the guardrail recover at +40m; "open" is still
// holding.
func rolloutLog() []decisionlog.Entry {
	at := func(m int) time.Time { return historyT0.Add(time.Duration(m) * time.Minute) }
	verdict := func(m int, from, to string) decisionlog.Entry {
		return decisionlog.Entry{Kind: decisionlog.KindVerdictChange, Time: at(m), Experiment: "bad", PlanHash: "sha256:b", Stage: "ramp",
			Metric: "errors", Arm: "treatment", Role: "guardrail", From: from, To: to}
	}
	return []decisionlog.Entry{
		{Kind: decisionlog.KindPlanChange, Time: at(0), Experiment: "bad", PlanHash: "sha256:b", To: "sha256:b", Plan: &decisionlog.PlanChange{NewHash: "sha256:b"}},
		verdict(10, "inconclusive", "harmful"),
		{Kind: decisionlog.KindDecisionChange, Time: at(13), Experiment: "bad", PlanHash: "sha256:b", Stage: "ramp", From: "hold", To: "rollback",
			Decision: &engine.Decision{Stage: "ramp", NextStage: "half", Action: "rollback"}},
		{Kind: decisionlog.KindHumanDecision, Time: at(20), Experiment: "bad", PlanHash: "sha256:b", Stage: "ramp",
			Human: &decisionlog.HumanDecision{Who: "alice", Action: "rollback", Why: "errors up"}},
		verdict(40, "harmful", "inconclusive"),
		{Kind: decisionlog.KindPlanChange, Time: at(5), Experiment: "open", PlanHash: "sha256:o", To: "sha256:o", Plan: &decisionlog.PlanChange{NewHash: "sha256:o"}},
	}
}

// checkBadRollout reads the CSV history export and checks the one finished
// rollout against the numbers the log above implies.
func checkBadRollout(t *testing.T, out string) {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	if len(rows) != 2 {
		t.Fatalf("want a header and the finished rollout only, got %q", rows)
	}
	got := map[string]string{}
	for i, h := range rows[0] {
		got[h] = rows[1][i]
	}
	for k, want := range map[string]string{
		"experiment": "bad", "outcome": "rolled_back", "rollbacks": "1", "human_decisions": "1",
		"first_harmful": "2026-11-03T09:10:00Z", "first_rollback": "2026-11-03T09:13:00Z", "restored": "2026-11-03T09:40:00Z",
		"detection_to_rollback_seconds": "180", "time_to_restore_seconds": "1800", "triggers": "errors/treatment=harmful",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

// TestHistoryExportFromTheDuckDBFile reads the log in place from an
// exporter's DuckDB file, with no exporter running.
func TestHistoryExportFromTheDuckDBFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.duckdb")
	s, err := duckdb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.DecisionLog(context.Background(), decisionlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(context.Background(), rolloutLog()...); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runArgs("history", "export", "--db", path, "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	checkBadRollout(t, out)

	code, out, errOut = runArgs("history", "export", "--db", path, "--include-unfinished", "--since", "2026-11-03T09:04:00Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var lib decisionlog.Library
	if err := json.Unmarshal([]byte(out), &lib); err != nil {
		t.Fatal(err)
	}
	if len(lib.Rollouts) != 2 || lib.Rollouts[1].Experiment != "open" || lib.Rollouts[1].Outcome != "in_progress" ||
		lib.Summary.Finished != 1 || lib.Summary.RolledBack != 1 {
		t.Fatalf("with unfinished rollouts: %+v", lib)
	}
	// --since dropped bad's plan change at 09:00: its plan hashes come from
	// the later entries, which all name the same version.
	if strings.Join(lib.Rollouts[0].PlanHashes, ",") != "sha256:b" || !lib.Rollouts[0].First.Equal(historyT0.Add(10*time.Minute)) {
		t.Errorf("--since: first entry %s, hashes %v", lib.Rollouts[0].First, lib.Rollouts[0].PlanHashes)
	}
}

// TestHistoryExportFromAPostgreSQLStore reads the log the exporter keeps in
// a real PostgreSQL, through the CLI's store file.
func TestHistoryExportFromAPostgreSQLStore(t *testing.T) {
	pg := testserver.StartPostgres(t)
	dsn := pg.DSN(pg.CreateDatabase(t))
	cfg, err := postgres.ParseConfig([]byte("dsn: " + dsn + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := postgres.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	l, err := src.DecisionLog(context.Background(), decisionlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(context.Background(), rolloutLog()...); err != nil {
		t.Fatal(err)
	}
	storeFile := filepath.Join(t.TempDir(), "store.yaml")
	if err := os.WriteFile(storeFile, []byte("type: postgres\npostgres:\n  dsn: "+dsn+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runArgs("history", "export", "--store", storeFile, "--format", "csv", "--experiment", "bad")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	checkBadRollout(t, out)
}

func TestHistoryExportNeedsExactlyOneSource(t *testing.T) {
	for _, args := range [][]string{
		{"history", "export"},
		{"history", "export", "--exporter", "http://127.0.0.1:1", "--db", "x.duckdb"},
		{"history", "export", "--db", filepath.Join(t.TempDir(), "missing.duckdb")},
		{"history", "export", "--db", "x.duckdb", "--since", "yesterday"},
	} {
		code, _, errOut := runArgs(args...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: exit %d (%q), want a usage error (2) saying why", args, code, errOut)
		}
	}
}
