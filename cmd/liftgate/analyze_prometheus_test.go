package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
)

// fixtureDir holds the telemetry fixture of pkg/engine (OpenMetrics data and
// the product metric per 5-minute bucket), written by its generate.py.
var fixtureDir = filepath.Join("..", "..", "pkg", "engine", "testdata", "telemetry")

const telemetryCLIPlan = `id: telemetry-fixture
start: 2026-11-01T00:00:00Z
control: control
arms: [{name: control, weight: 0.5}, {name: treatment, weight: 0.5}]
exposure: {event: experiment_viewed, experiment_property: experiment_id, arm_property: variation_id}
analysis: {min_units_per_arm: 10}
telemetry:
  arm_label: variant
  requests: 'http_requests_total{job="checkout"}'
stages:
  - {name: canary, weights: {control: 0.9, treatment: 0.1}, min_duration: 2h}
  - {name: half, weights: {control: 0.5, treatment: 0.5}, min_duration: 4h}
metrics:
  - {name: conversion, role: primary, kind: conversion, event: purchase, direction: increase}
  - name: error_rate
    role: guardrail
    kind: prometheus
    direction: decrease
    prometheus: {numerator: 'http_requests_total{job="checkout",code="500"}', denominator: 'http_requests_total{job="checkout"}'}
  - name: aa_p99
    role: guardrail
    kind: prometheus
    direction: decrease
    prometheus: {histogram: 'http_request_duration_seconds_bucket{job="checkout-aa"}', quantile: 0.99}
`

// fixtureEventsFile writes the fixture's units and conversions as NDJSON
// exposure and purchase events.
func fixtureEventsFile(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, "fixture.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Start   int64 `json:"start"`
		Product map[string][]struct {
			Units       int `json:"units"`
			Conversions int `json:"conversions"`
		} `json:"product"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "events.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	id := 0
	for _, arm := range []string{"control", "treatment"} {
		for b, row := range fx.Product[arm] {
			at := time.Unix(fx.Start, 0).UTC().Add(time.Duration(b)*5*time.Minute + time.Second)
			for u := 0; u < row.Units; u++ {
				id++
				user := fmt.Sprintf("%s-%d-%d", arm, b, u)
				fmt.Fprintf(w, `{"id":"x%d","event":"experiment_viewed","user_id":%q,"timestamp":%q,"properties":{"experiment_id":"telemetry-fixture","variation_id":%q}}`+"\n",
					id, user, at.Format(time.RFC3339), arm)
				if u < row.Conversions {
					id++
					fmt.Fprintf(w, `{"id":"x%d","event":"purchase","user_id":%q,"timestamp":%q}`+"\n", id, user, at.Add(time.Second).Format(time.RFC3339))
				}
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAnalyzeWithPrometheus runs `liftgate analyze --prometheus URL --format
// json` against a real Prometheus holding the fixture: telemetry metrics
// arrive in the same results list as event metrics, with the traffic check
// next to them.
func TestAnalyzeWithPrometheus(t *testing.T) {
	f, err := os.Open(filepath.Join(fixtureDir, "fixture.om.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	om, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	server := testserver.StartPrometheus(t, om)
	plan := writePlan(t, "telemetry.yaml", telemetryCLIPlan)
	events := fixtureEventsFile(t)

	code, out, errOut := runCLI("analyze", "--plan", plan, "--events", events, "--prometheus", server.URL,
		"--at", "2026-11-01T06:00:00Z", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Results []struct {
			Metric, Kind, Verdict, Reason string
		} `json:"results"`
		Traffic *struct{ Status string } `json:"traffic"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]string{"conversion": "harmful", "error_rate": "harmful", "aa_p99": "inconclusive"}
	for _, r := range res.Results {
		if w, ok := want[r.Metric]; !ok || r.Verdict != w {
			t.Errorf("%s (%s): %s, want %s: %s", r.Metric, r.Kind, r.Verdict, w, r.Reason)
		}
		delete(want, r.Metric)
	}
	if len(want) > 0 {
		t.Errorf("missing results for %v", want)
	}
	if res.Traffic == nil || res.Traffic.Status != "ok" {
		t.Errorf("traffic %+v, want ok", res.Traffic)
	}

	// Without --prometheus the telemetry metrics have no data, and say how
	// to give it.
	code, out, errOut = runCLI("analyze", "--plan", plan, "--events", events, "--at", "2026-11-01T06:00:00Z", "--format", "json")
	if code != 0 || !strings.Contains(out, "give --prometheus URL") {
		t.Errorf("without --prometheus: exit %d, %s %s", code, errOut, out)
	}
}

func TestAnalyzePrometheusFlags(t *testing.T) {
	plan := writePlan(t, "telemetry.yaml", telemetryCLIPlan)
	events := writePlan(t, "events.ndjson", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--prometheus", "localhost:9090"}, "--prometheus: prometheus URL"},
		{[]string{"--prometheus.config", "x.yml"}, "--prometheus.config needs --prometheus URL"},
		{[]string{"--prometheus", "http://127.0.0.1:1", "--prometheus.config", filepath.Join(t.TempDir(), "missing.yml")}, "prometheus HTTP config"},
	} {
		args := append([]string{"analyze", "--plan", plan, "--events", events}, tc.args...)
		code, _, errOut := runCLI(args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	// The example plan of docs/telemetry.md is valid.
	if code, out, errOut := runCLI("validate", filepath.Join("..", "..", "examples", "plans", "telemetry.yaml")); code != 0 {
		t.Errorf("examples/plans/telemetry.yaml: exit %d %s %s", code, out, errOut)
	}
}
