package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/e2e"
)

// TestFaultPlanCorruptedDuringReload corrupts a running plan's file and
// reloads (SIGHUP, then POST /-/reload): the last good version keeps being
// evaluated and exported, the metrics and the log say the file is bad, and
// a fixed file is picked up again.
func TestFaultPlanCorruptedDuringReload(t *testing.T) {
	dir := t.TempDir()
	plansDir := filepath.Join(dir, "plans")
	if err := os.Mkdir(plansDir, 0o755); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(repoPath("examples", "checkout-v2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	planFile := e2e.WriteFile(t, plansDir, "checkout-v2.yaml", good)
	exp := e2e.StartExporter(t, exporterBin, "--plans.dir="+plansDir, "--store.path="+filepath.Join(dir, "events.duckdb"), "--evaluation.interval=1s")
	ingestAll(t, exp.URL, "", exampleEvents(t)[:20000], 20000)
	ids := []string{"checkout-v2"}
	waitEvaluations(t, exp, ids, 1)
	goodHash := infoHash(t, exp)

	// Half-written file, as an editor or a config-management run might leave it.
	if err := os.WriteFile(planFile, good[:len(good)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := exp.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitMetric(t, exp, "liftgate_plans_last_reload_successful", nil, 0)
	waitMetric(t, exp, "liftgate_experiment_plan_outdated", map[string]string{"experiment": "checkout-v2"}, 1)
	waitMetric(t, exp, "liftgate_plan_file_status", map[string]string{"file": "checkout-v2.yaml", "status": "invalid"}, 1)
	if h := infoHash(t, exp); h != goodHash {
		t.Errorf("plan hash changed to %s after a corrupted reload; want the last good %s", h, goodHash)
	}
	// Evaluation goes on with the last good version.
	waitEvaluations(t, exp, ids, 2)
	mfs, err := exp.Scrape()
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := e2e.Sample(mfs, "liftgate_last_evaluation_success", map[string]string{"experiment": "checkout-v2"}); v != 1 {
		t.Error("evaluations of the last good plan must keep succeeding")
	}
	if !strings.Contains(exp.Log(), "Plan file is invalid") || !strings.Contains(exp.Log(), "last_good_version_kept=true") {
		t.Errorf("the log does not say the file is invalid and the last good version kept:\n%s", exp.Log())
	}

	// POST /-/reload reports the problem to whoever deploys.
	resp, err := http.Post(exp.URL+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("POST /-/reload with a corrupted file: %d, want 500", resp.StatusCode)
	}

	// The fix is picked up: new hash, flags cleared.
	fixed := strings.Replace(string(good), "alpha: 0.05", "alpha: 0.01", 1)
	if err := os.WriteFile(planFile, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Post(exp.URL+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /-/reload with the fixed file: %d", resp.StatusCode)
	}
	waitMetric(t, exp, "liftgate_plans_last_reload_successful", nil, 1)
	waitMetric(t, exp, "liftgate_experiment_plan_outdated", map[string]string{"experiment": "checkout-v2"}, 0)
	waitMetric(t, exp, "liftgate_experiment_significance_level", map[string]string{"experiment": "checkout-v2"}, 0.01)
	if h := infoHash(t, exp); h == goodHash {
		t.Error("the fixed plan's hash is the old one")
	}
}

// infoHash is the plan_hash label of checkout-v2's experiment_info.
func infoHash(t *testing.T, exp *e2e.Exporter) string {
	t.Helper()
	mfs, err := exp.Scrape()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mfs["liftgate_experiment_info"].GetMetric() {
		for _, lp := range m.GetLabel() {
			if lp.GetName() == "plan_hash" {
				return lp.GetValue()
			}
		}
	}
	t.Fatal("no experiment_info")
	return ""
}

// waitMetric polls /metrics until the series has the value.
func waitMetric(t *testing.T, exp *e2e.Exporter, name string, labels map[string]string, want float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mfs, err := exp.Scrape()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := e2e.Sample(mfs, name, labels)
		if ok && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%v = %v (present %v) after 30 s, want %v", name, labels, got, ok, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
