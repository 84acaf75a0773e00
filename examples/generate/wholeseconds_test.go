package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// -whole-seconds changes nothing but the fraction of each time: the same
// events, ids, units and properties, with times truncated to the second.
func TestWholeSecondsOnlyTruncatesTimes(t *testing.T) {
	arms, err := parseArms("control,treatment", 0.15)
	if err != nil {
		t.Fatal(err)
	}
	stages, err := parseStages("0s:0.01,1h:0.05,3h:0.5")
	if err != nil {
		t.Fatal(err)
	}
	c := config{units: 2000, start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), duration: 72 * time.Hour, seed: 7,
		baseConversion: 0.1, lift: 0.15, multiArmShare: 0.01, unknownShare: 0.01, duplicateShare: 0.01,
		experiment: "checkout-v2", sessions: 2, arms: arms, stages: stages, skew: 1, repeatShare: 0.1}
	dir := t.TempDir()
	plain, whole := filepath.Join(dir, "plain.ndjson"), filepath.Join(dir, "whole.ndjson")
	if err := write(plain, c); err != nil {
		t.Fatal(err)
	}
	c.wholeSeconds = true
	if err := write(whole, c); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(plain)
	b, _ := os.ReadFile(whole)
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	if len(la) != len(lb) || len(la) < 5000 {
		t.Fatalf("%d lines vs %d", len(la), len(lb))
	}
	stamp := regexp.MustCompile(`"timestamp":"([^"]+)"`)
	fractions := 0
	for i := range la {
		ma, mb := stamp.FindStringSubmatch(la[i]), stamp.FindStringSubmatch(lb[i])
		if ma == nil || mb == nil {
			if la[i] != lb[i] {
				t.Fatalf("line %d differs:\n%s\n%s", i+1, la[i], lb[i])
			}
			continue
		}
		ta, err1 := time.Parse(time.RFC3339Nano, ma[1])
		tb, err2 := time.Parse(time.RFC3339Nano, mb[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("line %d: %v %v", i+1, err1, err2)
		}
		if !tb.Equal(ta.Truncate(time.Second)) {
			t.Fatalf("line %d: %s is not %s truncated to the second", i+1, mb[1], ma[1])
		}
		if ta.Nanosecond() != 0 {
			fractions++
		}
		if stamp.ReplaceAllString(la[i], "") != stamp.ReplaceAllString(lb[i], "") {
			t.Fatalf("line %d differs beyond its time:\n%s\n%s", i+1, la[i], lb[i])
		}
	}
	if fractions == 0 {
		t.Fatal("no time had a fraction of a second, so nothing was tested")
	}
}
