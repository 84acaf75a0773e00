package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/liftgate/liftgate/pkg/plan"
)

// Experiment is the demo plan's id.
const Experiment = "checkout-v142"

// Arm names, also the telemetry's variant label values.
const (
	armControl   = "control"
	armTreatment = "treatment"
)

// demoPlan renders the demo's preregistered plan. Its durations are wall
// clock: the conversion window of 2 minutes is a simulated day at the
// default speed. The telemetry guardrails read the simulator's series
// through Prometheus, split by the variant label.
func demoPlan(start time.Time, stages []StageSpec, telemetry bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `id: %s
name: Checkout backend v1.42 (demo)
hypothesis: The v1.42 checkout backend keeps purchase conversion, checkout errors and latency at least as good as v1.41.
owner: payments
start: %s
unit: user_id
control: %s
arms:
  - {name: %s, weight: 0.5}
  - {name: %s, weight: 0.5}
exposure:
  event: experiment_viewed
  experiment_property: experiment_id
  arm_property: variation_id
analysis:
  alpha: 0.05
  sequential: true
  correction: holm
  min_units_per_arm: 100
`, Experiment, start.UTC().Format(time.RFC3339), armControl, armControl, armTreatment)
	if telemetry {
		b.WriteString(`telemetry:
  arm_label: variant
  step: 2s
  deployments: changes(checkout_last_deploy_timestamp_seconds{job="checkout"}[30s]) > 0
`)
	}
	b.WriteString(`metrics:
  - {name: checkout_conversion, role: primary, kind: conversion, event: purchase, window: 2m, direction: increase}
  - {name: revenue_per_user, role: secondary, kind: mean, event: purchase, property: amount, direction: increase}
  - name: checkout_errors_per_session
    role: guardrail
    kind: ratio
    numerator: {event: client_error}
    denominator: {event: session_start}
    direction: decrease
    margin: {relative: 0.10}
`)
	if telemetry {
		b.WriteString(`  - name: checkout_error_ratio
    description: Share of checkout API requests answered with a 5xx, from the service's own counters.
    role: guardrail
    kind: prometheus
    direction: decrease
    margin: {absolute: 0.005}
    prometheus:
      numerator: checkout_requests_total{job="checkout", code=~"5.."}
      denominator: checkout_requests_total{job="checkout"}
      batch: 6s
  - name: checkout_latency_mean
    description: Mean checkout API latency in seconds, from the service's histogram.
    role: guardrail
    kind: prometheus
    direction: decrease
    margin: {relative: 0.10}
    prometheus:
      query: sum(rate(checkout_request_duration_seconds_sum{job="checkout"}[4s])) / sum(rate(checkout_request_duration_seconds_count{job="checkout"}[4s]))
      batch: 6s
`)
	}
	b.WriteString("segments: [platform, country]\nstages:\n")
	for _, s := range stages {
		fmt.Fprintf(&b, "  - {name: %s, weights: {%s: %g, %s: %g}, min_duration: %s}\n",
			s.Name, armControl, roundWeight(1-s.TreatmentWeight), armTreatment, s.TreatmentWeight, promDuration(s.MinDuration))
	}
	return b.String()
}

// writePlan writes the plan into dir and checks it with liftgate's own
// validation, so a demo never runs on a plan the exporter would refuse.
func writePlan(dir string, start time.Time, stages []StageSpec, telemetry bool) (string, *plan.Plan, error) {
	path := filepath.Join(dir, Experiment+".yaml")
	text := demoPlan(start, stages, telemetry)
	p, err := plan.Parse([]byte(text), path)
	if err != nil {
		return "", nil, fmt.Errorf("the demo plan does not validate: %w", err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return "", nil, err
	}
	return path, p, nil
}

// roundWeight keeps 1-w free of float noise (0.95, not 0.9500000000000001).
func roundWeight(w float64) float64 {
	return float64(int64(w*1e6+0.5)) / 1e6
}

// promDuration renders d as a whole number of seconds, which plans accept.
func promDuration(d time.Duration) string {
	return fmt.Sprintf("%ds", int64(d.Round(time.Second)/time.Second))
}
