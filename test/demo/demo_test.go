// Package demo runs liftgate's demo (demo/runner) shortened, end to end
// with the real parts: the built liftgate_exporter, Debian's Prometheus and
// Alertmanager with the shipped configuration and rules, and the checkout
// simulator. A run with a backend regression must be caught in the stage it
// appears in, soon after, and rolled back by the alert through the rollback
// hook, paging once; an A/A run of the same simulator must raise nothing.
package demo

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/demo/runner"
)

// The shortened rollout: long enough for the exporter, Prometheus' rules
// (`for: 1m`) and Alertmanager to do their part, short enough for CI.
var stages = []runner.StageSpec{
	{Name: "canary", TreatmentWeight: 0.05, MinDuration: 30 * time.Second},
	{Name: "ramp", TreatmentWeight: 0.20, MinDuration: 50 * time.Second},
	{Name: "half", TreatmentWeight: 0.50, MinDuration: 30 * time.Second},
}

const injectAfter = 5 * time.Second

// Bounds on how fast the loop must be. Detection is the exporter's job
// (an evaluation every 5 s over always-valid intervals); the rollback adds
// Prometheus' scrape and rule intervals, the alert's one-minute `for` and
// Alertmanager's routing.
const (
	maxDetection = 45 * time.Second
	maxRollback  = 150 * time.Second
)

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo runs for about three minutes")
	}
	for _, tool := range []string{"prometheus", "prometheus-alertmanager"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run scripts/install-bundle-tools.sh", tool)
		}
	}
	root := repoRoot(t)
	exporter := filepath.Join(t.TempDir(), "liftgate_exporter")
	build := exec.Command("go", "build", "-o", exporter, "./exporter")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the exporter: %v\n%s", err, out)
	}

	run := func(t *testing.T, regression bool, maxDuration time.Duration) *runner.Report {
		var out bytes.Buffer
		cfg := runner.Config{
			RepoRoot: root, DataDir: filepath.Join(t.TempDir(), "data"), ExporterBin: exporter,
			Regression: regression, Stages: stages, InjectStage: "ramp", InjectAfter: injectAfter,
			MaxDuration: maxDuration, AfterRollback: 40 * time.Second, Out: &out,
		}
		ctx, cancel := context.WithTimeout(context.Background(), maxDuration+2*time.Minute)
		defer cancel()
		rep, err := runner.Run(ctx, cfg)
		t.Logf("timeline:\n%s", out.String())
		if err != nil {
			t.Fatalf("demo run: %v", err)
		}
		if t.Failed() || os.Getenv("LIFTGATE_KEEP_DEMO") != "" {
			t.Logf("data left in %s", cfg.DataDir)
		}
		// Every event the simulator made reached the exporter's store.
		if rep.Sim.Events == 0 || rep.Sim.Acknowledged != rep.Sim.Events || rep.Sim.Rejected != 0 {
			t.Errorf("events: %d simulated, %d acknowledged, %d rejected", rep.Sim.Events, rep.Sim.Acknowledged, rep.Sim.Rejected)
		}
		for _, p := range rep.Problems {
			t.Errorf("problem during the run: %s", p)
		}
		return rep
	}

	t.Run("regression is caught and rolled back", func(t *testing.T) {
		t.Parallel()
		rep := run(t, true, 170*time.Second)
		inj := rep.Injection
		if inj == nil || inj.Stage != "ramp" {
			t.Fatalf("no regression injected in stage ramp: %+v", inj)
		}
		// Nothing is harmful before the regression exists.
		for _, v := range rep.Verdicts {
			if v.To == "harmful" && v.At.Before(inj.At) {
				t.Errorf("harmful verdict before the injection at %v: %+v", inj.At, v)
			}
		}
		h := rep.FirstHarmful()
		if h == nil {
			t.Fatal("no verdict turned harmful")
		}
		delay := h.At.Sub(inj.At)
		t.Logf("detected %s after the injection: %s (%s) in %s at stage %s, %s", delay, h.Metric, h.Role, h.Arm, h.Stage, h.Effect)
		if h.Stage != "ramp" || h.Arm != "treatment" || (h.Role != "guardrail" && h.Role != "primary") {
			t.Errorf("first harmful verdict %+v: want a guardrail or primary metric of the treatment in stage ramp", h)
		}
		if delay > maxDetection {
			t.Errorf("detected %s after the injection, want within %s", delay, maxDetection)
		}
		d := rep.FirstDecision("rollback")
		if d == nil || d.Stage != "ramp" || d.At.Before(inj.At) {
			t.Errorf("decision rollback: %+v, want it in stage ramp after the injection", d)
		}
		if rep.FirstAlert("LiftgateRollbackDecision", "firing") == nil {
			t.Errorf("LiftgateRollbackDecision never fired; alerts: %+v", rep.Alerts)
		}
		if rep.RollbackAt == nil {
			t.Fatal("the rollback hook never rolled the treatment back")
		}
		if took := rep.RollbackAt.Sub(inj.At); took > maxRollback {
			t.Errorf("rolled back %s after the injection, want within %s", took, maxRollback)
		}
		// One bad rollout pages once, and the page is the rollback decision:
		// the per-metric harmful alerts behind it are inhibited. The
		// multi-signal diagnosis belongs to the same page (the pager groups
		// by experiment) when it fires before the page goes out.
		var pages [][]string
		for _, n := range rep.Notifications {
			if n.Hook == "page" && n.Status == "firing" {
				pages = append(pages, n.Names())
			}
		}
		onPage := func(name string) bool {
			return name == "LiftgateRollbackDecision" || name == "LiftgateRegressionMultiSignal"
		}
		if len(pages) != 1 || !slices.Contains(pages[0], "LiftgateRollbackDecision") || !allOf(pages[0], onPage) {
			t.Errorf("pages %q, want exactly one: LiftgateRollbackDecision, with at most the multi-signal diagnosis beside it", pages)
		}
		checkDecisionLog(t, rep, h, d)
	})

	t.Run("A/A raises nothing", func(t *testing.T) {
		t.Parallel()
		var total time.Duration
		for _, s := range stages {
			total += s.MinDuration
		}
		rep := run(t, false, total+10*time.Second)
		if rep.Injection != nil {
			t.Errorf("A/A run injected a regression: %+v", rep.Injection)
		}
		if fired := rep.Fired(); len(fired) > 0 {
			t.Errorf("alerts fired in an A/A run: %v", fired)
		}
		if len(rep.Notifications) > 0 || rep.RollbackAt != nil {
			t.Errorf("notifications %+v, rollback at %v: want none", rep.Notifications, rep.RollbackAt)
		}
		if d := rep.FirstDecision("rollback"); d != nil {
			t.Errorf("decision rolled back an A/A rollout: %+v", d)
		}
		var harmful []string
		for _, v := range rep.Verdicts {
			if v.To == "harmful" {
				harmful = append(harmful, v.Metric)
			}
		}
		if len(harmful) > 0 {
			t.Errorf("harmful verdicts in an A/A run: %v", harmful)
		}
		if got := stagesSeen(rep); !slices.Equal(got, []string{"canary", "ramp", "half"}) {
			t.Errorf("stages on the timeline %v, want every stage", got)
		}
		dl := rep.DecisionLog
		if dl == nil || dl.Rollout == nil {
			t.Fatalf("decision log at the end of the run: %+v", dl)
		}
		if ro := dl.Rollout; ro.Rollbacks != 0 || ro.FirstHarmful != nil || ro.Outcome == "rolled_back" {
			t.Errorf("the A/A rollout's record: %+v", ro)
		}
		if dl.Scraped["liftgate_rollout_rollbacks"] != 0 || dl.Scraped["liftgate_rollout_outcome/rolled_back"] != 0 {
			t.Errorf("outcome series Prometheus scraped: %v", dl.Scraped)
		}
	})
}

// checkDecisionLog compares the exporter's decision log with what the run
// saw through the result API (the first harmful verdict h and the rollback
// decision d), and the outcome series Prometheus scraped with the log.
func checkDecisionLog(t *testing.T, rep *runner.Report, h *runner.VerdictChange, d *runner.DecisionChange) {
	t.Helper()
	dl := rep.DecisionLog
	if dl == nil || dl.Rollout == nil {
		t.Fatalf("decision log at the end of the run: %+v", dl)
	}
	ro := dl.Rollout
	t.Logf("decision log: %d entries %v; rollout %s, %d rollback(s), plan %v", dl.Entries, dl.Kinds, ro.Outcome, ro.Rollbacks, dl.PlanHashes)
	if len(dl.PlanHashes) != 1 || dl.Kinds["plan_change"] != 1 {
		t.Errorf("the plan never changed, yet the log names versions %v with %d plan changes", dl.PlanHashes, dl.Kinds["plan_change"])
	}
	if ro.FirstHarmful == nil || !ro.FirstHarmful.Equal(h.At) {
		t.Errorf("first harmful evidence in the log %v, on the result API %v", ro.FirstHarmful, h.At)
	}
	if ro.FirstRollback == nil || d == nil || !ro.FirstRollback.Equal(d.At) {
		t.Errorf("first rollback in the log %v, on the result API %+v", ro.FirstRollback, d)
	}
	// The gate's rollback and the on-call engineer confirming it are one
	// rollback of one failed rollout.
	if ro.Outcome != "rolled_back" || ro.Rollbacks != 1 || ro.HumanDecisions != 1 {
		t.Errorf("rollout record %+v: want rolled_back with one rollback and one human decision", ro)
	}
	if n := dl.Note; n == nil || n.Human.Who != runner.OnCall || n.Human.Action != "rollback" || n.PlanHash != dl.PlanHashes[0] {
		t.Errorf("on-call note %+v", n)
	}
	if got := dl.Scraped["liftgate_rollout_rollbacks"]; got != float64(ro.Rollbacks) {
		t.Errorf("Prometheus scraped liftgate_rollout_rollbacks %v, the log says %d", got, ro.Rollbacks)
	}
	if got, ok := dl.Scraped["liftgate_rollout_detection_to_rollback_seconds"]; !ok || ro.DetectionToRollbackSeconds == nil || got != *ro.DetectionToRollbackSeconds {
		t.Errorf("Prometheus scraped detection to rollback %v (present %v), the log says %v", got, ok, ro.DetectionToRollbackSeconds)
	}
	if dl.Scraped["liftgate_rollout_outcome/rolled_back"] != 1 {
		t.Errorf("outcome series Prometheus scraped: %v", dl.Scraped)
	}
}

// allOf reports whether every name passes ok.
func allOf(names []string, ok func(string) bool) bool {
	return !slices.ContainsFunc(names, func(n string) bool { return !ok(n) })
}

// stagesSeen lists the stages the simulator announced, in order.
func stagesSeen(rep *runner.Report) []string {
	var out []string
	for _, e := range rep.Timeline {
		if e.Source == "simulator" && strings.HasPrefix(e.Text, "stage ") {
			out = append(out, strings.Fields(e.Text)[1])
		}
	}
	return out
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
