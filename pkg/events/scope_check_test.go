package events

import (
	"strings"
	"testing"
	"time"
)

func validScope() Scope {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	return Scope{Experiment: "x", Arms: []string{"control", "treatment"}, Start: t0, End: t0.Add(time.Hour),
		Exposure: Exposure{Event: "exposure", ExperimentProperty: "experiment", ArmProperty: "arm"}}
}

// Every store checks scopes and metrics with these: each mistake is named.
func TestScopeAndMetricChecks(t *testing.T) {
	if err := validScope().Check(validScope().Exposure, true); err != nil {
		t.Fatalf("a valid scope: %v", err)
	}
	for want, mutate := range map[string]func(*Scope){
		"experiment id is empty":         func(s *Scope) { s.Experiment = "" },
		"no arms":                        func(s *Scope) { s.Arms = nil },
		"arm 1 has an empty name":        func(s *Scope) { s.Arms = []string{"a", ""} },
		`arm "a" is listed twice`:        func(s *Scope) { s.Arms = []string{"a", "a"} },
		"start and end must both be set": func(s *Scope) { s.End = time.Time{} },
		"is not after start":             func(s *Scope) { s.End = s.Start },
		"bucket":                         func(s *Scope) { s.Bucket = time.Nanosecond },
		`stage 0 ("ramp") has no start`:  func(s *Scope) { s.Stages = []StageStart{{Name: "ramp"}} },
		"exposure arm property is empty": func(s *Scope) { s.Exposure.ArmProperty = "" },
	} {
		sc := validScope()
		mutate(&sc)
		err := sc.Check(sc.Exposure, true)
		if err == nil || !strings.HasPrefix(err.Error(), "scope: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error naming %q, got %v", want, err)
		}
	}
	// An assignment table replaces the exposure properties.
	sc := validScope()
	sc.Exposure = Exposure{}
	if err := sc.Check(sc.Exposure, false); err != nil {
		t.Errorf("without exposure properties but with an assignment table: %v", err)
	}

	ok := Metric{Kind: Mean, Value: EventValue{Event: "purchase", Property: "amount"}}
	if err := ok.Check(); err != nil {
		t.Fatalf("a valid metric: %v", err)
	}
	for want, m := range map[string]Metric{
		"value event is empty":                   {Kind: Conversion},
		"numeric property to sum":                {Kind: Mean, Value: EventValue{Event: "purchase"}},
		"numerator and denominator":              {Kind: Ratio, Numerator: EventValue{Event: "e"}},
		`metric kind "median" is not one of`:     {Kind: "median"},
		"window -1s must be 0":                   {Kind: Count, Value: EventValue{Event: "e"}, Window: -time.Second},
		"CUPED lookback 1ns must be 0 (none) or": {Kind: Count, Value: EventValue{Event: "e"}, CUPEDLookback: time.Nanosecond},
	} {
		if err := m.Check(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want an error naming %q, got %v", want, err)
		}
	}
}

func TestMappingExposureFor(t *testing.T) {
	sc := validScope()
	if got := (Mapping{}).ExposureFor(sc); got != sc.Exposure {
		t.Errorf("without an override: %+v", got)
	}
	m := Mapping{Exposure: &Exposure{Event: "$feature_flag_called", ArmProperty: "$feature_flag_response"}}
	got := m.ExposureFor(sc)
	want := Exposure{Event: "$feature_flag_called", ExperimentProperty: "experiment", ArmProperty: "$feature_flag_response"}
	if got != want {
		t.Errorf("override: %+v, want %+v", got, want)
	}
}

func TestGroupKeysInPlanOrder(t *testing.T) {
	sc := validScope()
	sc.Arms = []string{"treatment", "control"}
	sc.Bucket = 10 * time.Minute
	k := NewGroupKey(sc, "control", 1, "eu", 3)
	if !k.Bucket.Equal(sc.Start.Add(30*time.Minute)) || k.Stage != 1 || k.Segment != "eu" {
		t.Fatalf("key %+v", k)
	}
	cmp := CompareGroupKeys(sc)
	treat := NewGroupKey(sc, "treatment", 2, "us", 9)
	if cmp(treat, k) >= 0 {
		t.Error("the plan lists treatment first: its groups come first")
	}
	if cmp(NewGroupKey(sc, "control", 0, "us", 0), k) >= 0 || cmp(NewGroupKey(sc, "control", 1, "de", 5), k) >= 0 ||
		cmp(NewGroupKey(sc, "control", 1, "eu", 2), k) >= 0 || cmp(k, k) != 0 {
		t.Error("within an arm: stage, then segment, then bucket")
	}
}
