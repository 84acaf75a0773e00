package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeShowsHealth injects exposures with an unplanned arm value and
// checks that both output formats carry the health section that blocks.
func TestAnalyzeShowsHealth(t *testing.T) {
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.yaml")
	planYAML := `id: hx
start: 2026-01-01T00:00:00Z
control: control
arms: [{name: control, weight: 0.5}, {name: treatment, weight: 0.5}]
exposure: {event: exposure, experiment_property: experiment, arm_property: arm}
analysis: {min_units_per_arm: 10}
metrics:
  - {name: conv, role: primary, kind: conversion, event: purchase, direction: increase}
`
	if err := os.WriteFile(planPath, []byte(planYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := range 100 {
		arm := []string{"control", "treatment"}[i%2]
		if i%10 == 0 {
			arm = "treatmnet" // 10% unknown arm values: blocks at the 1% default
		}
		lines = append(lines, fmt.Sprintf(`{"id":"x%d","event":"exposure","user_id":"u%d","timestamp":"2026-01-01T01:%02d:00Z","properties":{"experiment":"hx","arm":%q}}`, i, i, i%60, arm))
	}
	eventsPath := filepath.Join(dir, "events.ndjson")
	if err := os.WriteFile(eventsPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLI("analyze", "--plan", planPath, "--events", eventsPath, "--at", "2026-01-02T00:00:00Z", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Health struct {
			Status string `json:"status"`
			Checks []struct {
				Name     string `json:"name"`
				Status   string `json:"status"`
				Count    int64  `json:"count"`
				Total    int64  `json:"total"`
				Examples []struct {
					ID string `json:"id"`
				} `json:"examples"`
			} `json:"checks"`
		} `json:"health"`
		Results []struct {
			Verdict string `json:"verdict"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Health.Status != "block" {
		t.Errorf("health status %q, want block", res.Health.Status)
	}
	found := false
	for _, c := range res.Health.Checks {
		if c.Name == "unknown_arm" {
			found = true
			if c.Status != "block" || c.Count != 10 || c.Total != 100 || len(c.Examples) == 0 || c.Examples[0].ID != "x0" {
				t.Errorf("unknown_arm = %+v, want block with 10 of 100, first example x0", c)
			}
		}
	}
	if !found || len(res.Results) == 0 || res.Results[0].Verdict != "insufficient_data" {
		t.Errorf("health %+v, results %+v", res.Health, res.Results)
	}

	code, out, errOut = runCLI("analyze", "--plan", planPath, "--events", eventsPath, "--at", "2026-01-02T00:00:00Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Data health: BLOCK", "BLOCK unknown_arm: 10 of 100", "Decision at stage", "HOLD"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
