package plan

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCanonicalGolden compares the canonical form and hash of each plan in
// testdata/golden with the files written by testdata/golden/canonical.py, an
// independent Python implementation of the documented canonical form.
func TestCanonicalGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden plans: %v", err)
	}
	for _, file := range files {
		base := strings.TrimSuffix(file, ".yaml")
		t.Run(filepath.Base(base), func(t *testing.T) {
			p, err := Load(file)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, err := os.ReadFile(base + ".canonical.json")
			if err != nil {
				t.Fatal(err)
			}
			wantHash, err := os.ReadFile(base + ".hash")
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.CanonicalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != strings.TrimSpace(string(wantJSON)) {
				t.Errorf("CanonicalJSON =\n%s\nwant\n%s", got, wantJSON)
			}
			if h := p.Hash(); h != strings.TrimSpace(string(wantHash)) {
				t.Errorf("Hash = %s, want %s", h, wantHash)
			}
		})
	}
}

// TestExampleMatchesGoldenCopy guards the golden copy of the example plan.
func TestExampleMatchesGoldenCopy(t *testing.T) {
	example, err1 := os.ReadFile("../../examples/checkout-v2.yaml")
	golden, err2 := os.ReadFile("testdata/golden/checkout-v2.yaml")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if string(example) != string(golden) {
		t.Error("examples/checkout-v2.yaml and testdata/golden/checkout-v2.yaml differ; copy it and rerun canonical.py")
	}
}

func TestHashFormat(t *testing.T) {
	p := mustParse(t, basePlan)
	if h := p.Hash(); !regexp.MustCompile(`^sha256:[0-9a-f]{16}$`).MatchString(h) {
		t.Errorf("Hash = %q, want sha256: and 16 hex digits", h)
	}
}

// samePlanWrittenDifferently says exactly what basePlan says: keys in
// another order, comments, flow style, other spellings of the same
// durations, times and numbers, every default written out, and stage starts
// and gates that equal the scheduled ones.
const samePlanWrittenDifferently = `
# The same plan as basePlan.
name: "Streamlined checkout"   # quoted now
id: checkout-v2
unit: user_id
analysis: {sequential: true, correction: holm, alpha: 5e-2, min_units_per_arm: 100, tuning_n: 5000, srm_threshold: 0.001}
start: 2026-10-31T19:00:00-05:00
exposure: {arm_property: variation_id, event: experiment_viewed, experiment_property: experiment_id}
arms: [{weight: 0.50, name: control}, {name: treatment, weight: .5}]
control: control
metrics:
  - {name: purchase_conversion, direction: increase, window: 3d, kind: conversion, event: purchase, role: primary}
  - name: revenue
    role: secondary
    kind: mean
    event: purchase
    property: amount
    direction: increase
    cuped: {lookback: 336h}
  - name: errors_per_session
    role: guardrail
    kind: ratio
    numerator: {event: client_error}
    denominator: {event: session_start}
    direction: decrease
    margin: {relative: 0.05, absolute: 0}
segments:
  - platform
  - country
stages:
  - {name: canary, weights: {treatment: 0.01, control: 0.99}, min_duration: 60m, start: 2026-11-01T00:00:00Z, min_units_per_arm: 100}
  - {name: half, weights: {control: 0.5, treatment: 0.5}, min_duration: 1d, start: 2026-11-01T01:00:00Z}
`

func mustParse(t *testing.T, src string) *Plan {
	t.Helper()
	p, err := Parse([]byte(src), "plan.yaml")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return p
}

func TestHashIgnoresSpelling(t *testing.T) {
	base := mustParse(t, basePlan)
	same := mustParse(t, samePlanWrittenDifferently)
	if base.Hash() != same.Hash() {
		a, _ := base.CanonicalJSON()
		b, _ := same.CanonicalJSON()
		t.Errorf("equivalent plans hash differently:\n%s\n%s", a, b)
	}
	if base.Hash() != base.Hash() {
		t.Error("Hash is not deterministic")
	}
}

func TestHashChangesWithMeaning(t *testing.T) {
	base := mustParse(t, basePlan).Hash()
	changes := map[string]string{
		"id":                edit(map[int]string{1: "id: checkout-v3"}),
		"name":              edit(map[int]string{2: "name: Streamlined checkout 2"}),
		"start":             edit(map[int]string{3: "start: 2026-11-01T00:00:01Z"}),
		"end":               edit(map[int]string{3: "start: 2026-11-01T00:00:00Z\nend: 2026-12-01T00:00:00Z"}),
		"arm weights":       edit(map[int]string{7: "    weight: 0.4", 9: "    weight: 0.6"}),
		"arm order":         edit(map[int]string{6: "  - name: treatment", 8: "  - name: control"}),
		"alpha":             edit(map[int]string{15: "  alpha: 0.1"}),
		"fixed horizon":     edit(map[int]string{15: "  sequential: false"}),
		"correction":        edit(map[int]string{15: "  correction: bh"}),
		"window":            edit(map[int]string{21: "    window: 73h"}),
		"no window":         edit(map[int]string{21: "    #"}),
		"role":              edit(map[int]string{24: "    role: guardrail"}),
		"lookback":          edit(map[int]string{30: "      lookback: 15d"}),
		"margin":            edit(map[int]string{40: "      relative: 0.06"}),
		"margin kind":       edit(map[int]string{40: "      absolute: 0.05"}),
		"segments":          edit(map[int]string{41: "segments: [platform]"}),
		"segment order":     edit(map[int]string{41: "segments: [country, platform]"}),
		"stage weights":     edit(map[int]string{44: "    weights: {control: 0.98, treatment: 0.02}"}),
		"stage duration":    edit(map[int]string{45: "    min_duration: 2h"}),
		"stage start":       edit(map[int]string{48: "    min_duration: 24h\n    start: 2026-11-02T00:00:00Z"}),
		"stage gate":        edit(map[int]string{48: "    min_duration: 24h\n    min_units_per_arm: 200"}),
		"unit":              edit(map[int]string{2: "unit: device_id"}),
		"exposure":          edit(map[int]string{11: "  event: experiment_seen"}),
		"metric property":   edit(map[int]string{27: "    property: amount_usd"}),
		"metric order":      edit(map[int]string{17: "  - name: revenue", 23: "  - name: purchase_conversion"}),
		"srm threshold":     edit(map[int]string{15: "  srm_threshold: 0.01"}),
		"tuning n":          edit(map[int]string{15: "  tuning_n: 10000"}),
		"min units per arm": edit(map[int]string{15: "  min_units_per_arm: 200"}),
	}
	seen := map[string]string{base: "base"}
	for name, src := range changes {
		h := mustParse(t, src).Hash()
		if other, dup := seen[h]; dup {
			t.Errorf("%s: hash %s equals that of %s", name, h, other)
		}
		seen[h] = name
	}
}

// TestHashDoesNotMutate checks that hashing a plan leaves it as it was.
func TestHashDoesNotMutate(t *testing.T) {
	p := mustParse(t, basePlan)
	before, _ := p.CanonicalJSON()
	_ = p.Hash()
	if p.Stages[0].Start != nil || p.Stages[0].MinUnitsPerArm != 0 {
		t.Errorf("Hash filled stage fields of the plan itself: %+v", p.Stages[0])
	}
	after, _ := p.CanonicalJSON()
	if string(before) != string(after) {
		t.Error("canonical form changed after hashing")
	}
}
