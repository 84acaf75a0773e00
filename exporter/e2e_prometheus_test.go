package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/e2e"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
)

// e2ePlans are evaluated by the exporter and, independently, by the CLI.
var e2ePlans = []string{"checkout-v2.yaml", "plans/three-arms.yaml", "plans/exclusions.yaml"}

// TestEndToEndScrapedVerdictsMatchAnalyze runs the built exporter on
// loopback with the example plans, ingests the example events through its
// HTTP endpoint, lets Debian's Prometheus scrape it, and checks every
// scraped verdict, effect and decision against `liftgate analyze` run on
// the same events at the same evaluation time.
func TestEndToEndScrapedVerdictsMatchAnalyze(t *testing.T) {
	dir := t.TempDir()
	plansDir := filepath.Join(dir, "plans")
	if err := os.Mkdir(plansDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range e2ePlans {
		src, err := os.ReadFile(repoPath("examples", p))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := plan.Parse(src, p)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, parsed.ID)
		e2e.WriteFile(t, plansDir, filepath.Base(p), src)
	}
	tokenFile := e2e.WriteFile(t, dir, "ingest.token", []byte("s3cret\n"))
	exp := e2e.StartExporter(t, exporterBin, "--plans.dir="+plansDir, "--store.path="+filepath.Join(dir, "events.duckdb"),
		"--evaluation.interval=2s", "--ingest.token-file="+tokenFile)

	if status, _, _ := postBatch(exp.URL, "", exampleEvents(t)[:1]); status != 401 {
		t.Fatalf("ingestion without the token: status %d, want 401", status)
	}
	lines := exampleEvents(t)
	inserted, dups := ingestAll(t, exp.URL, "s3cret", lines, 20000)
	if inserted+dups != len(lines) || inserted == 0 {
		t.Fatalf("ingested %d + %d duplicates of %d lines", inserted, dups, len(lines))
	}

	// Two more evaluations of every plan: the second surely started after
	// the last batch was committed.
	waitEvaluations(t, exp, ids, 2)

	prom := e2e.StartPrometheus(t, time.Second, fmt.Sprintf("127.0.0.1:%d", exp.Port))
	if _, err := prom.WaitFor(`up{job="liftgate"}`, 60*time.Second, func(s []e2e.VectorSample) bool { return s[0].Value == 1 }); err != nil {
		t.Fatal(err)
	}

	checkWithPromtool(t, exp.URL+"/metrics")
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			scraped := scrapedExperiment(t, prom, id)
			at := time.Unix(int64(scraped.value(t, "liftgate_last_evaluation_timestamp_seconds", map[string]string{"source": "duckdb"})), 0).UTC()
			want := analyzeWithCLI(t, planFileFor(t, id), at)
			compareScraped(t, scraped, want)
			// The rollout-controller examples must work on this very
			// exporter and Prometheus.
			checkProvisioning(t, exp.URL, prom, id, want.Decision.Action)
		})
	}
}

// checkWithPromtool lints a live scrape of the binary, as node_exporter's
// checkmetrics does.
func checkWithPromtool(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = resp.Body
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics on the live scrape: %v\n%s", err, out)
	}
}

// waitEvaluations waits until every plan has had n more evaluations.
func waitEvaluations(t *testing.T, exp *e2e.Exporter, ids []string, n float64) {
	t.Helper()
	count := func(id string) float64 {
		mfs, err := exp.Scrape()
		if err != nil {
			t.Fatal(err)
		}
		v, _ := e2e.Sample(mfs, "liftgate_evaluations_total", map[string]string{"experiment": id})
		return v
	}
	base := map[string]float64{}
	for _, id := range ids {
		base[id] = count(id)
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, id := range ids {
		for count(id) < base[id]+n {
			if time.Now().After(deadline) {
				t.Fatalf("%s: fewer than %v evaluations in 60 s", id, n)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// scrape is one experiment's series from one Prometheus instant query.
type scrape []e2e.VectorSample

// scrapedExperiment reads every series of one experiment in a single
// instant query, so they all come from the same scrape.
func scrapedExperiment(t *testing.T, prom *e2e.Prometheus, id string) scrape {
	t.Helper()
	s, err := prom.WaitFor(fmt.Sprintf(`{__name__=~"liftgate_.+", experiment=%q}`, id), 30*time.Second, func(s []e2e.VectorSample) bool {
		for _, v := range s {
			if v.Metric["__name__"] == "liftgate_last_evaluation_timestamp_seconds" {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s scrape) find(name string, labels map[string]string) (float64, bool) {
next:
	for _, v := range s {
		if v.Metric["__name__"] != name {
			continue
		}
		for k, want := range labels {
			if v.Metric[k] != want {
				continue next
			}
		}
		return v.Value, true
	}
	return 0, false
}

func (s scrape) value(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	v, ok := s.find(name, labels)
	if !ok {
		t.Fatalf("no %s%v scraped", name, labels)
	}
	return v
}

func planFileFor(t *testing.T, id string) string {
	t.Helper()
	for _, p := range e2ePlans {
		path := repoPath("examples", p)
		if parsed, err := plan.Load(path); err == nil && parsed.ID == id {
			return path
		}
	}
	t.Fatalf("no plan file for %s", id)
	return ""
}

// analyzeWithCLI runs the liftgate CLI on the committed events file.
func analyzeWithCLI(t *testing.T, planPath string, at time.Time) *engine.Result {
	t.Helper()
	cmd := exec.Command(liftgateBin, "analyze", "--plan", planPath, "--events", repoPath("examples", "data", "checkout-v2.ndjson.gz"),
		"--at", at.Format(time.RFC3339), "--format", "json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("liftgate analyze: %v\n%s", err, stderr.String())
	}
	var r engine.Result
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("liftgate analyze output: %v\n%s", err, stdout.String())
	}
	return &r
}

// close enough: the exposition format round-trips float64 exactly, so
// anything but a formatting hiccup must match to the last digit or so.
func closeTo(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func compareScraped(t *testing.T, s scrape, want *engine.Result) {
	t.Helper()
	for _, a := range want.Arms {
		if got := s.value(t, "liftgate_experiment_arm_units", map[string]string{"arm": a.Name}); got != float64(a.Units) {
			t.Errorf("units of %s: scraped %v, analyze %d", a.Name, got, a.Units)
		}
	}
	if got := s.value(t, "liftgate_experiment_srm_p_value", nil); !closeTo(got, want.SRM.PValue) {
		t.Errorf("SRM p: scraped %v, analyze %v", got, want.SRM.PValue)
	}
	if got := s.value(t, "liftgate_experiment_decision", map[string]string{"decision": want.Decision.Action}); got != 1 {
		t.Errorf("decision: analyze says %s (%v), the scraped state set does not", want.Decision.Action, want.Decision.Reasons)
	}
	if want.Health != nil {
		if got := s.value(t, "liftgate_experiment_data_health", map[string]string{"status": want.Health.Status}); got != 1 {
			t.Errorf("data health: analyze says %s, the scraped state set does not", want.Health.Status)
		}
		if want.Health.Watermark != nil {
			if got := s.value(t, "liftgate_experiment_data_watermark_timestamp_seconds", nil); !closeTo(got, float64(want.Health.Watermark.UnixMicro())/1e6) {
				t.Errorf("watermark: scraped %v, analyze %v", got, want.Health.Watermark)
			}
		}
	}
	compared := 0
	for _, r := range want.Results {
		if r.SegmentValue != nil {
			continue
		}
		lbl := map[string]string{"metric": r.Metric, "arm": r.Arm}
		vlbl := map[string]string{"metric": r.Metric, "arm": r.Arm, "verdict": string(r.Verdict)}
		if got := s.value(t, "liftgate_experiment_verdict", vlbl); got != 1 {
			t.Errorf("%s/%s: analyze says %s, the scraped verdict state set does not", r.Metric, r.Arm, r.Verdict)
		}
		if r.BaselineStats.N == 0 && r.ArmStats.N == 0 {
			continue // no data, no numbers exported
		}
		for name, want := range map[string]float64{
			"liftgate_experiment_absolute_effect":             r.Absolute.Estimate,
			"liftgate_experiment_absolute_effect_lower_bound": r.Absolute.CILower,
			"liftgate_experiment_absolute_effect_upper_bound": r.Absolute.CIUpper,
			"liftgate_experiment_p_value":                     r.PValue,
			"liftgate_experiment_adjusted_p_value":            r.AdjustedPValue,
		} {
			got, ok := s.find(name, lbl)
			if !ok || !closeTo(got, want) {
				t.Errorf("%s %s/%s: scraped %v (present %v), analyze %v", name, r.Metric, r.Arm, got, ok, want)
			}
		}
		if r.Relative != nil {
			if got, _ := s.find("liftgate_experiment_relative_effect_ratio", lbl); !closeTo(got, r.Relative.Estimate) {
				t.Errorf("relative effect %s/%s: scraped %v, analyze %v", r.Metric, r.Arm, got, r.Relative.Estimate)
			}
		}
		compared++
	}
	t.Logf("compared %d results with data; decision %s", compared, want.Decision.Action)
	if strings.HasPrefix(want.Experiment, "checkout-v2") && compared == 0 {
		t.Error("checkout-v2 has data; nothing was compared")
	}
}
