package plan

import (
	"errors"
	"strings"
	"testing"
)

// basePlan is a valid plan written one field per line so that tests can
// break a single line and know where the problem must be reported. The line
// numbers in the comments on the right are for reading only.
var basePlan = strings.Join([]string{
	"id: checkout-v2",                               //  1
	"name: Streamlined checkout",                    //  2
	"start: 2026-11-01T00:00:00Z",                   //  3
	"control: control",                              //  4
	"arms:",                                         //  5
	"  - name: control",                             //  6
	"    weight: 0.5",                               //  7
	"  - name: treatment",                           //  8
	"    weight: 0.5",                               //  9
	"exposure:",                                     // 10
	"  event: experiment_viewed",                    // 11
	"  experiment_property: experiment_id",          // 12
	"  arm_property: variation_id",                  // 13
	"analysis:",                                     // 14
	"  alpha: 0.05",                                 // 15
	"metrics:",                                      // 16
	"  - name: purchase_conversion",                 // 17
	"    role: primary",                             // 18
	"    kind: conversion",                          // 19
	"    event: purchase",                           // 20
	"    window: 72h",                               // 21
	"    direction: increase",                       // 22
	"  - name: revenue",                             // 23
	"    role: secondary",                           // 24
	"    kind: mean",                                // 25
	"    event: purchase",                           // 26
	"    property: amount",                          // 27
	"    direction: increase",                       // 28
	"    cuped:",                                    // 29
	"      lookback: 14d",                           // 30
	"  - name: errors_per_session",                  // 31
	"    role: guardrail",                           // 32
	"    kind: ratio",                               // 33
	"    numerator:",                                // 34
	"      event: client_error",                     // 35
	"    denominator:",                              // 36
	"      event: session_start",                    // 37
	"    direction: decrease",                       // 38
	"    margin:",                                   // 39
	"      relative: 0.05",                          // 40
	"segments: [platform, country]",                 // 41
	"stages:",                                       // 42
	"  - name: canary",                              // 43
	"    weights: {control: 0.99, treatment: 0.01}", // 44
	"    min_duration: 1h",                          // 45
	"  - name: half",                                // 46
	"    weights: {control: 0.5, treatment: 0.5}",   // 47
	"    min_duration: 24h",                         // 48
}, "\n") + "\n"

// edit returns basePlan with the given 1-based lines replaced. A replacement
// may hold several lines (only later line numbers shift); "#" blanks a line
// while keeping the numbering.
func edit(edits map[int]string) string {
	lines := strings.Split(strings.TrimSuffix(basePlan, "\n"), "\n")
	for n, text := range edits {
		lines[n-1] = text
	}
	return strings.Join(lines, "\n") + "\n"
}

// problemsOf parses src and returns its problems, failing the test if the
// error is not a *ValidationError.
func problemsOf(t *testing.T, src string) []Problem {
	t.Helper()
	_, err := Parse([]byte(src), "plan.yaml")
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Parse error is %T (%v), want *ValidationError", err, err)
	}
	if ve.File != "plan.yaml" {
		t.Errorf("ValidationError.File = %q, want plan.yaml", ve.File)
	}
	return ve.Problems
}
