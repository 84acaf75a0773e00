package plan

import (
	"testing"
	"time"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestScheduleOfExample(t *testing.T) {
	p, err := Load("../../examples/checkout-v2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name     string
		start    string
		control  float64
		minDur   time.Duration
		minUnits int
	}{
		{"canary", "2026-11-01T00:00:00Z", 0.99, time.Hour, 100},
		{"ramp-5", "2026-11-01T01:00:00Z", 0.95, 2 * time.Hour, 500},
		{"half", "2026-11-01T03:00:00Z", 0.5, 24 * time.Hour, 100},
	}
	got := p.Schedule()
	if len(got) != len(want) {
		t.Fatalf("got %d stages, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Index != i || g.Name != w.name || !g.Start.Equal(at(t, w.start)) ||
			g.Weights["control"] != w.control || g.MinDuration != w.minDur || g.MinUnitsPerArm != w.minUnits {
			t.Errorf("stage %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestScheduleWithoutStages(t *testing.T) {
	p := mustParse(t, edit(map[int]string{42: "#", 43: "#", 44: "#", 45: "#", 46: "#", 47: "#", 48: "#", 15: "  min_units_per_arm: 250"}))
	got := p.Schedule()
	if len(got) != 1 {
		t.Fatalf("got %d stages, want 1", len(got))
	}
	s := got[0]
	if s.Name != "all" || s.Index != 0 || !s.Start.Equal(at(t, "2026-11-01T00:00:00Z")) ||
		len(s.Weights) != 2 || s.Weights["control"] != 0.5 || s.Weights["treatment"] != 0.5 ||
		s.MinDuration != 0 || s.MinUnitsPerArm != 250 {
		t.Errorf("implicit stage = %+v", s)
	}
}

// TestScheduleExplicitStarts: an explicit start wins, and the next implicit
// stage counts its min_duration from there.
func TestScheduleExplicitStarts(t *testing.T) {
	p := mustParse(t, edit(map[int]string{
		45: "    min_duration: 1h\n    start: 2026-11-01T00:30:00Z", // later than the plan start
		46: "  - name: ramp\n    weights: {control: 0.9, treatment: 0.1}\n    min_duration: 2h\n    start: 2026-11-05T12:00:00Z\n  - name: half",
	}))
	want := []string{"2026-11-01T00:30:00Z", "2026-11-05T12:00:00Z", "2026-11-05T14:00:00Z"}
	got := p.Schedule()
	if len(got) != len(want) {
		t.Fatalf("got %d stages, want %d", len(got), len(want))
	}
	for i, w := range want {
		if !got[i].Start.Equal(at(t, w)) {
			t.Errorf("stage %d (%s) starts %v, want %s", i, got[i].Name, got[i].Start, w)
		}
	}
}

func TestStageAt(t *testing.T) {
	p, err := Load("../../examples/checkout-v2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ when, stage string }{
		{"2026-10-01T00:00:00Z", "canary"}, // before the plan: the first stage
		{"2026-11-01T00:00:00Z", "canary"},
		{"2026-11-01T00:59:59Z", "canary"},
		{"2026-11-01T01:00:00Z", "ramp-5"}, // a stage owns its start instant
		{"2026-11-01T02:59:59Z", "ramp-5"},
		{"2026-11-01T03:00:00Z", "half"},
		{"2027-06-01T00:00:00Z", "half"},
	}
	for _, tt := range tests {
		if got := p.StageAt(at(t, tt.when)); got.Name != tt.stage {
			t.Errorf("StageAt(%s) = %s, want %s", tt.when, got.Name, tt.stage)
		}
	}
}

// TestStageAtZeroDuration: a stage with no min_duration shares its start
// with the next one, which then owns that instant (the last stage whose
// start is at or before t).
func TestStageAtZeroDuration(t *testing.T) {
	p := mustParse(t, edit(map[int]string{45: "    #"}))
	if got := p.StageAt(at(t, "2026-11-01T00:00:00Z")); got.Name != "half" {
		t.Errorf("StageAt(start) = %s, want half", got.Name)
	}
}

func TestScheduleCopiesWeights(t *testing.T) {
	p := mustParse(t, basePlan)
	p.Schedule()[0].Weights["control"] = 0
	if p.Stages[0].Weights["control"] != 0.99 {
		t.Error("changing a scheduled stage's weights changed the plan")
	}
}

func TestArmNamesAndMetricByName(t *testing.T) {
	p := mustParse(t, edit(map[int]string{6: "  - name: treatment", 8: "  - name: control"}))
	names := p.ArmNames()
	if len(names) != 2 || names[0] != "treatment" || names[1] != "control" {
		t.Errorf("ArmNames = %v, want plan order [treatment control]", names)
	}
	m, ok := p.MetricByName("revenue")
	if !ok || m.Kind != KindMean || m.Property != "amount" {
		t.Errorf("MetricByName(revenue) = %+v, %v", m, ok)
	}
	if m, ok := p.MetricByName("latency"); ok || m != nil {
		t.Errorf("MetricByName(latency) = %+v, %v; want nil, false", m, ok)
	}
}
