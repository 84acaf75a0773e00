package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"

	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/e2e"
	"github.com/liftgate/liftgate/exporter/internal/fixture"
)

// -landing.screenshot writes the screenshot somewhere else than the test's
// temporary directory, e.g. docs/img/exporter-landing.png for the README.
// LIFTGATE_ARTIFACTS, when set, is a directory CI keeps after the run.
var screenshotPath = flag.String("landing.screenshot", "", "write the landing page screenshot to this file")

// threeArmPlan adds a plan with two treatment arms, so the page shows
// forest plots with several rows.
const threeArmPlan = `id: ranking-v3
name: Search ranking v3
owner: discovery
start: 2026-11-01T00:00:00Z
unit: user_id
control: control
arms:
  - {name: control, weight: 0.34}
  - {name: ranker-a, weight: 0.33}
  - {name: ranker-b, weight: 0.33}
exposure: {event: experiment_viewed, experiment_property: experiment_id, arm_property: variation_id}
analysis: {alpha: 0.05, sequential: true, correction: holm, min_units_per_arm: 100}
metrics:
  - {name: purchase_conversion, role: primary, kind: conversion, event: purchase, window: 72h, direction: increase}
  - {name: revenue, role: guardrail, kind: mean, event: purchase, property: amount, direction: increase, margin: {relative: 0.1}}
`

// TestLandingPageInHeadlessChromium loads the landing page of the built
// exporter in Debian's chromium (driven by Playwright through
// exporter/e2e/landing.mjs) and checks that every experiment shows a
// rendered forest plot per metric, with no external request; the
// screenshot is kept.
func TestLandingPageInHeadlessChromium(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node not found: the browser test needs Node.js (CI installs it)")
	}
	e2eDir := repoPath("exporter", "e2e")
	if _, err := os.Stat(filepath.Join(e2eDir, "node_modules", "playwright-core")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = e2eDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in exporter/e2e: %v\n%s", err, out)
		}
	}

	dir := t.TempDir()
	plansDir := filepath.Join(dir, "plans")
	if err := os.Mkdir(plansDir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(repoPath("examples", "checkout-v2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e2e.WriteFile(t, plansDir, "checkout-v2.yaml", src)
	e2e.WriteFile(t, plansDir, "ranking-v3.yaml", []byte(threeArmPlan))
	exp := e2e.StartExporter(t, exporterBin, "--plans.dir="+plansDir, "--store.path="+filepath.Join(dir, "events.duckdb"), "--evaluation.interval=2s")
	ingestAll(t, exp.URL, "", exampleEvents(t), 20000)
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ranking := fixture.Events("ranking-v3", start, 3,
		fixture.Arm{Name: "control", Units: 1200, PurchaseRate: 0.10},
		fixture.Arm{Name: "ranker-a", Units: 1200, PurchaseRate: 0.13},
		fixture.Arm{Name: "ranker-b", Units: 1200, PurchaseRate: 0.09})
	ingestAll(t, exp.URL, "", bytes.Split(bytes.TrimSpace(fixture.NDJSON(ranking)), []byte("\n")), 5000)
	waitEvaluations(t, exp, []string{"checkout-v2", "ranking-v3"}, 2)

	shot := *screenshotPath
	if shot == "" {
		artifacts := os.Getenv("LIFTGATE_ARTIFACTS")
		if artifacts == "" {
			artifacts = dir
		}
		shot = filepath.Join(artifacts, "exporter-landing.png")
	}
	if abs, err := filepath.Abs(shot); err == nil {
		shot = abs
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "landing.mjs", exp.URL+"/", shot)
	cmd.Dir = e2eDir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("landing.mjs: %v\n%s\n%s", err, stderr.String(), stdout.String())
	}
	var summary struct {
		Experiments []struct {
			ID       string `json:"id"`
			Decision string `json:"decision"`
			Metrics  []struct {
				Name      string   `json:"name"`
				Rows      int      `json:"rows"`
				Estimates int      `json:"estimates"`
				Intervals int      `json:"intervals"`
				Verdicts  []string `json:"verdicts"`
			} `json:"metrics"`
		} `json:"experiments"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &summary); err != nil {
		t.Fatalf("landing.mjs output: %v\n%s", err, stdout.String())
	}
	// What the browser saw must be what the exporter decided.
	mfs, err := exp.Scrape()
	if err != nil {
		t.Fatal(err)
	}
	wantRows := map[string]int{"checkout-v2": 1, "ranking-v3": 2}
	if len(summary.Experiments) != len(wantRows) {
		t.Fatalf("browser saw %d experiments, want %d", len(summary.Experiments), len(wantRows))
	}
	for _, x := range summary.Experiments {
		if v, _ := e2e.Sample(mfs, "liftgate_experiment_decision", map[string]string{"experiment": x.ID, "decision": x.Decision}); v != 1 {
			t.Errorf("%s: page shows decision %s, the metrics do not", x.ID, x.Decision)
		}
		if len(x.Metrics) < 2 {
			t.Errorf("%s: %d metric plots", x.ID, len(x.Metrics))
		}
		for _, m := range x.Metrics {
			if m.Rows != wantRows[x.ID] || m.Estimates != m.Rows || m.Intervals != m.Rows {
				t.Errorf("%s/%s: %d rows, %d estimates, %d intervals; want %d of each", x.ID, m.Name, m.Rows, m.Estimates, m.Intervals, wantRows[x.ID])
			}
		}
	}
	st, err := os.Stat(shot)
	if err != nil || st.Size() < 10_000 {
		t.Fatalf("screenshot %s: %v (size %d)", shot, err, sizeOf(st))
	}
	t.Logf("screenshot: %s (%d bytes)", shot, st.Size())
}

func sizeOf(st os.FileInfo) int64 {
	if st == nil {
		return 0
	}
	return st.Size()
}
