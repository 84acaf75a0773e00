package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/e2e"
	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// TestDecisionLogEndToEnd runs the exporter on a harmful rollout and checks
// the decision log through its API, the liftgate CLI and the metrics: the
// machine's entries carry their evidence and plan hash, a person's note is
// attributed, acknowledged entries survive a SIGKILL and a clean restart
// without being recorded twice, a plan edit is a plan change naming the
// field, and the outcome metrics match the log. It runs with the log where
// it is kept by default, in the event store (the embedded DuckDB file, and
// a real PostgreSQL), and in a --decisions.dir.
func TestDecisionLogEndToEnd(t *testing.T) {
	t.Run("duckdb", func(t *testing.T) {
		dir := t.TempDir()
		testDecisionLogEndToEnd(t, dir, "duckdb", "--store.path="+filepath.Join(dir, "events.duckdb"))
	})
	t.Run("postgres", func(t *testing.T) {
		pg := testserver.StartPostgres(t)
		dir := t.TempDir()
		// The liftgate CLI's store file: its type picks the store.
		cfg := e2e.WriteFile(t, dir, "store.yaml", []byte("type: postgres\npostgres:\n  dsn: "+pg.DSN(pg.CreateDatabase(t))+"\n"))
		testDecisionLogEndToEnd(t, dir, "postgres", "--store.config="+cfg, "--store.create-schema")
	})
	t.Run("dir", func(t *testing.T) {
		dir := t.TempDir()
		testDecisionLogEndToEnd(t, dir, "duckdb", "--store.path="+filepath.Join(dir, "events.duckdb"), "--decisions.dir="+filepath.Join(dir, "decisions"))
	})
}

func testDecisionLogEndToEnd(t *testing.T, dir, source string, storeArgs ...string) {
	plansDir := filepath.Join(dir, "plans")
	tokenFile := filepath.Join(dir, "token")
	if err := mkdir(plansDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Hour).Add(-48 * time.Hour)
	planYAML := fixture.PlanYAML("dl", start)
	fixture.WritePlan(t, plansDir, "dl.yaml", planYAML)
	args := append([]string{"--plans.dir=" + plansDir, "--api.token-file=" + tokenFile, "--evaluation.interval=1s"}, storeArgs...)
	exp := e2e.StartExporter(t, exporterBin, args...)
	ctx := context.Background()
	client := func() *exporterclient.Client {
		c, err := exporterclient.New(exp.URL, "tok")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// Before any event: the plan version and stage are recorded.
	waitEntries(t, client(), func(es []decisionlog.Entry) bool { return has(es, decisionlog.KindPlanChange, "") })

	// A treatment that buys far less: the primary metric turns harmful and
	// the gate rolls back.
	evs := fixture.Events("dl", start, 11,
		fixture.Arm{Name: "control", Units: 1500, PurchaseRate: 0.25},
		fixture.Arm{Name: "treatment", Units: 1500, PurchaseRate: 0.08})
	lines := bytes.Split(bytes.TrimSpace(fixture.NDJSON(evs)), []byte("\n"))
	ingestAll(t, exp.URL, "", lines, 2000)
	es := waitEntries(t, client(), func(es []decisionlog.Entry) bool { return has(es, decisionlog.KindDecisionChange, "rollback") })
	var harm *decisionlog.Entry
	for i := range es {
		if es[i].Kind == decisionlog.KindVerdictChange && es[i].To == "harmful" && es[i].Role == "primary" {
			harm = &es[i]
		}
	}
	if harm == nil || harm.Metric != "purchase_conversion" || harm.Result == nil || len(harm.Result.Sums) == 0 || harm.Decision.Action != "rollback" {
		t.Fatalf("harmful verdict entry lacks its evidence: %+v", harm)
	}

	// A person confirms with the CLI; then the CLI without the token is refused.
	out := runCLI(t, 0, "note", "--exporter", exp.URL, "--experiment", "dl", "--action", "rollback", "--who", "alice",
		"--why", "conversion down, confirmed in the funnel", "--link", "https://tickets.example/INC-7", "--token-file", tokenFile)
	if !strings.Contains(out, "rollback by alice") {
		t.Fatalf("note printed %q", out)
	}
	runCLI(t, 1, "note", "--exporter", exp.URL, "--experiment", "dl", "--action", "hold", "--who", "mallory", "--why", "x")

	// Notes posted while the exporter is SIGKILLed: every acknowledged one
	// must be in the log after the restart.
	var mu sync.Mutex
	var acked []uint64
	var wg sync.WaitGroup
	killed := make(chan struct{})
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := client()
			for i := 0; ; i++ {
				e, err := c.RecordDecision(ctx, exporterclient.HumanDecisionRequest{Experiment: "dl", Action: "hold", Who: fmt.Sprintf("bot%d", w), Why: fmt.Sprintf("note %d", i)})
				if err != nil {
					return
				}
				mu.Lock()
				acked = append(acked, e.ID)
				n := len(acked)
				mu.Unlock()
				if n == 40 {
					go func() { exp.Kill(); close(killed) }()
				}
			}
		}(w)
	}
	wg.Wait()
	<-killed
	before := len(es)

	exp = e2e.StartExporter(t, exporterBin, args...)
	waitMetric(t, exp, "liftgate_evaluations_total", map[string]string{"experiment": "dl", "source": source}, 3)
	after, err := client().Decisions(ctx, exporterclient.DecisionQuery{Experiment: "dl"})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[uint64]int{}
	for _, e := range after {
		ids[e.ID]++
	}
	for _, id := range acked {
		if ids[id] != 1 {
			t.Fatalf("acknowledged entry %d appears %d times after SIGKILL", id, ids[id])
		}
	}
	machine := 0
	for _, e := range after {
		if e.Kind != decisionlog.KindHumanDecision {
			machine++
		}
	}
	if machine != before {
		t.Fatalf("%d machine entries after the restart, %d before: the restart re-recorded (or lost) some", machine, before)
	}

	// A plan edit is a plan change naming the field; a clean restart keeps everything.
	plans, _ := client().ListPlans(ctx)
	oldHash := plans[0].Hash
	fixture.WritePlan(t, plansDir, "dl.yaml", strings.Replace(planYAML, "owner: tests", "owner: checkout-team", 1))
	if resp, err := http.Post(exp.URL+"/-/reload", "", nil); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	es = waitEntries(t, client(), func(es []decisionlog.Entry) bool {
		pc := find(es, decisionlog.KindPlanChange, "")
		return pc != nil && pc.Plan.OldHash == oldHash
	})
	pc := find(es, decisionlog.KindPlanChange, "")
	if strings.Join(pc.Plan.Changed, ",") != "owner" {
		t.Fatalf("plan change names %q, want owner", pc.Plan.Changed)
	}
	exp.Stop()
	exp = e2e.StartExporter(t, exporterBin, args...)
	final, err := client().Decisions(ctx, exporterclient.DecisionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(final) < len(es) {
		t.Fatalf("%d entries after a clean restart, %d before", len(final), len(es))
	}
	plans, _ = client().ListPlans(ctx)
	hashes := map[string]bool{oldHash: true, plans[0].Hash: true}
	for _, e := range final {
		if !hashes[e.PlanHash] {
			t.Fatalf("entry %d (%s) names plan hash %q, not a version the exporter ran", e.ID, e.Kind, e.PlanHash)
		}
	}

	// Outcome metrics match what the log says, computed here from the entries.
	// alice confirming the gate's rollback is the same rollback, and the
	// bots' holds are no proceed: one rollback.
	var firstHarm, firstRollback time.Time
	rollbacks := 0
	for _, e := range final {
		isRollback := e.Kind == decisionlog.KindDecisionChange && e.To == "rollback" ||
			e.Kind == decisionlog.KindHumanDecision && e.Human.Action == "rollback"
		if isRollback {
			rollbacks++
		}
		if e.Kind == decisionlog.KindVerdictChange && e.To == "harmful" && e.Role == "primary" && firstHarm.IsZero() {
			firstHarm = e.Time
		}
		if isRollback && !firstHarm.IsZero() && firstRollback.IsZero() {
			firstRollback = e.Time
		}
	}
	if rollbacks != 2 {
		t.Fatalf("log holds %d rollback decisions, want the machine's and alice's", rollbacks)
	}
	const wantRollbacks = 1
	mfs, err := exp.Scrape()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"liftgate_rollout_rollbacks", map[string]string{"experiment": "dl"}, wantRollbacks},
		{"liftgate_rollout_outcome", map[string]string{"experiment": "dl", "outcome": "rolled_back"}, 1},
		{"liftgate_rollout_detection_to_rollback_seconds", map[string]string{"experiment": "dl"}, firstRollback.Sub(firstHarm).Seconds()},
		{"liftgate_rollout_change_failure_ratio", nil, 1},
		{"liftgate_decision_log_entries", map[string]string{"kind": "human_decision"}, float64(len(final) - machineCount(final))},
	} {
		if got, ok := e2e.Sample(mfs, c.name, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v from the log", c.name, c.labels, got, ok, c.want)
		}
	}

	// The regression library, as JSON and CSV.
	var lib struct {
		Rollouts []decisionlog.Rollout `json:"rollouts"`
		Summary  decisionlog.Summary   `json:"summary"`
	}
	if err := json.Unmarshal([]byte(runCLI(t, 0, "history", "export", "--exporter", exp.URL, "--token-file", tokenFile)), &lib); err != nil {
		t.Fatal(err)
	}
	if len(lib.Rollouts) != 1 || lib.Rollouts[0].Outcome != "rolled_back" || lib.Rollouts[0].Rollbacks != wantRollbacks ||
		len(lib.Rollouts[0].Triggers) == 0 || lib.Rollouts[0].Triggers[0].Metric != "purchase_conversion" || len(lib.Rollouts[0].PlanHashes) != 2 {
		t.Fatalf("history export: %+v", lib)
	}
	rows, err := csv.NewReader(strings.NewReader(runCLI(t, 0, "history", "export", "--exporter", exp.URL, "--token-file", tokenFile,
		"--format", "csv", "--experiment", "dl"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "dl" || rows[1][1] != "rolled_back" || !strings.Contains(rows[1][12], "purchase_conversion/treatment=harmful") {
		t.Fatalf("csv: %q", rows)
	}
}

func machineCount(es []decisionlog.Entry) int {
	n := 0
	for _, e := range es {
		if e.Kind != decisionlog.KindHumanDecision {
			n++
		}
	}
	return n
}

// find returns the last entry of kind whose To is to ("" matches any).
func find(es []decisionlog.Entry, kind decisionlog.Kind, to string) *decisionlog.Entry {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Kind == kind && (to == "" || es[i].To == to) {
			return &es[i]
		}
	}
	return nil
}

func has(es []decisionlog.Entry, kind decisionlog.Kind, to string) bool {
	return find(es, kind, to) != nil
}

// waitEntries polls the decision log until ok holds (30 s at most).
func waitEntries(t *testing.T, c *exporterclient.Client, ok func([]decisionlog.Entry) bool) []decisionlog.Entry {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		es, err := c.Decisions(context.Background(), exporterclient.DecisionQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if ok(es) {
			return es
		}
		if time.Now().After(deadline) {
			t.Fatalf("decision log after 30 s: %d entries, condition not met", len(es))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runCLI runs the liftgate binary and checks its exit code.
func runCLI(t *testing.T, wantCode int, args ...string) string {
	t.Helper()
	cmd := exec.Command(liftgateBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != wantCode {
		t.Fatalf("liftgate %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, wantCode, stdout.String(), stderr.String())
	}
	return stdout.String()
}
