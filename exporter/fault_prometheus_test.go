package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/liftgate/liftgate/exporter/internal/e2e"
	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/internal/testserver"
)

// telemetryPlan judges one event metric and one Prometheus metric; the
// plan ends after the six hours of backfilled telemetry.
func telemetryPlan(start time.Time) string {
	return fmt.Sprintf(`id: tel-fault
start: %s
end: %s
unit: user_id
control: control
arms:
  - {name: control, weight: 0.5}
  - {name: treatment, weight: 0.5}
exposure: {event: experiment_viewed, experiment_property: experiment_id, arm_property: variation_id}
analysis: {min_units_per_arm: 50}
telemetry: {arm_label: variant, step: 1m}
metrics:
  - {name: purchase_conversion, role: primary, kind: conversion, event: purchase, window: 72h, direction: increase}
  - name: latency
    role: guardrail
    kind: prometheus
    direction: decrease
    prometheus: {query: 'avg(checkout_latency_seconds{job="checkout"})'}
`, start.Format(time.RFC3339), start.Add(24*time.Hour).Format(time.RFC3339))
}

// latencySeries is a day of a per-arm latency gauge, one sample a
// minute, treatment 30% slower: a clear harm.
func latencySeries(start time.Time) []byte {
	r := rand.New(rand.NewPCG(11, 12))
	var b bytes.Buffer
	b.WriteString("# TYPE checkout_latency_seconds gauge\n")
	for _, arm := range []struct {
		name string
		mean float64
	}{{"control", 0.200}, {"treatment", 0.260}} {
		for i := 0; i <= 24*60; i++ {
			fmt.Fprintf(&b, "checkout_latency_seconds{job=\"checkout\",variant=%q} %.5f %d\n",
				arm.name, arm.mean*(1+0.05*r.NormFloat64()), start.Add(time.Duration(i)*time.Minute).Unix())
		}
	}
	b.WriteString("# EOF\n")
	return b.Bytes()
}

// TestFaultPrometheusGoesAwayAndComesBack puts a proxy between the exporter
// and a real Prometheus holding the telemetry, cuts it mid-run and restores
// it: meanwhile the telemetry metric is insufficient_data and the
// prometheus source is marked failed, while the event metric keeps its
// verdict; then everything returns.
func TestFaultPrometheusGoesAwayAndComesBack(t *testing.T) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	prom := testserver.StartPrometheus(t, latencySeries(start))
	proxy := e2e.StartProxy(t, prom.URL[len("http://"):])

	dir := t.TempDir()
	plansDir := filepath.Join(dir, "plans")
	if err := os.Mkdir(plansDir, 0o755); err != nil {
		t.Fatal(err)
	}
	e2e.WriteFile(t, plansDir, "tel.yaml", []byte(telemetryPlan(start)))
	exp := e2e.StartExporter(t, exporterBin, "--plans.dir="+plansDir, "--store.path="+filepath.Join(dir, "events.duckdb"),
		"--evaluation.interval=1s", "--prometheus.url=http://"+proxy.Addr, "--prometheus.timeout=3s")
	evs := fixture.Events("tel-fault", start, 5,
		fixture.Arm{Name: "control", Units: 400, PurchaseRate: 0.1},
		fixture.Arm{Name: "treatment", Units: 400, PurchaseRate: 0.3})
	ingestAll(t, exp.URL, "", bytes.Split(bytes.TrimSpace(fixture.NDJSON(evs)), []byte("\n")), 5000)

	latency := func(verdict string) map[string]string {
		return map[string]string{"experiment": "tel-fault", "metric": "latency", "verdict": verdict}
	}
	conversion := map[string]string{"experiment": "tel-fault", "metric": "purchase_conversion", "verdict": "beneficial"}
	promSource := map[string]string{"experiment": "tel-fault", "source": "prometheus"}
	storeSource := map[string]string{"experiment": "tel-fault", "source": "duckdb"}

	waitMetric(t, exp, "liftgate_experiment_verdict", latency("harmful"), 1)
	waitMetric(t, exp, "liftgate_experiment_verdict", conversion, 1)
	waitMetric(t, exp, "liftgate_experiment_decision", map[string]string{"experiment": "tel-fault", "decision": "rollback"}, 1)
	waitMetric(t, exp, "liftgate_last_evaluation_success", promSource, 1)

	proxy.Cut()
	waitMetric(t, exp, "liftgate_last_evaluation_success", promSource, 0)
	waitMetric(t, exp, "liftgate_experiment_verdict", latency("insufficient_data"), 1)
	mfs, err := exp.Scrape()
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := e2e.Sample(mfs, "liftgate_experiment_verdict", conversion); v != 1 {
		t.Error("the event metric lost its verdict while only Prometheus was away")
	}
	if v, _ := e2e.Sample(mfs, "liftgate_last_evaluation_success", storeSource); v != 1 {
		t.Error("the event store is marked failed while only Prometheus was away")
	}
	if v, _ := e2e.Sample(mfs, "liftgate_experiment_decision", map[string]string{"experiment": "tel-fault", "decision": "rollback"}); v != 0 {
		t.Error("the decision still rests on the stale telemetry verdict")
	}
	if v, _ := e2e.Sample(mfs, "liftgate_evaluation_errors_total", promSource); v < 1 {
		t.Error("evaluation_errors_total{source=prometheus} did not move")
	}

	proxy.Restore()
	waitMetric(t, exp, "liftgate_last_evaluation_success", promSource, 1)
	waitMetric(t, exp, "liftgate_experiment_verdict", latency("harmful"), 1)
	waitMetric(t, exp, "liftgate_experiment_decision", map[string]string{"experiment": "tel-fault", "decision": "rollback"}, 1)
}
