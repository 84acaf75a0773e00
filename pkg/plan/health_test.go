package plan

import (
	"strings"
	"testing"
	"time"
)

func TestHealthSettingsDefaults(t *testing.T) {
	p, err := Parse([]byte(basePlan), "plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := p.HealthSettings()
	if s.ClockSkew != 5*time.Minute || s.SettlingDelay != 0 || s.LateData != LateDataWarn {
		t.Errorf("defaults = skew %v, settling %v, late %q; want 5m, 0, warn", s.ClockSkew, s.SettlingDelay, s.LateData)
	}
	if l := s.Levels[CheckUnknownArm]; l.Warn != 0.001 || l.Block != 0.01 {
		t.Errorf("unknown_arm levels = %+v, want warn 0.1%% block 1%%", l)
	}
	if l := s.Levels[CheckMultiArm]; l.Warn != 0.005 || l.Block != 0.02 {
		t.Errorf("multi_arm levels = %+v, want warn 0.5%% block 2%%", l)
	}
	if h := p.Hash(); h != mustParse(t, basePlan).Hash() {
		t.Errorf("hash changed without a health block")
	}
}

func TestHealthBlockParsed(t *testing.T) {
	src := basePlan + strings.Join([]string{
		"health:",
		"  clock_skew: 2m",
		"  settling_delay: 15m",
		"  late_data: block",
		"  multi_arm: {warn: 0.01}",
		"  properties: {block: 0.2}",
	}, "\n") + "\n"
	p := mustParse(t, src)
	s := p.HealthSettings()
	if s.ClockSkew != 2*time.Minute || s.SettlingDelay != 15*time.Minute || s.LateData != LateDataBlock {
		t.Errorf("settings = %+v", s)
	}
	// A level left out keeps its default.
	if l := s.Levels[CheckMultiArm]; l.Warn != 0.01 || l.Block != 0.02 {
		t.Errorf("multi_arm = %+v, want warn 0.01 and the default block 0.02", l)
	}
	if l := s.Levels[CheckProperties]; l.Warn != 0.001 || l.Block != 0.2 {
		t.Errorf("properties = %+v, want the default warn 0.001 and block 0.2", l)
	}
	if p.Hash() == mustParse(t, basePlan).Hash() {
		t.Error("a health block does not change the plan hash")
	}
}

func TestHealthBlockProblems(t *testing.T) {
	for _, tc := range []struct {
		lines      []string
		line       int
		field, msg string
	}{
		{[]string{"health:", "  clock_skew: -1m"}, 50, "health.clock_skew", "must not be negative"},
		{[]string{"health:", "  settling_delay: -5m"}, 50, "health.settling_delay", "must not be negative"},
		{[]string{"health:", "  late_data: drop"}, 50, "health.late_data", "expected one of warn, block"},
		{[]string{"health:", "  unknown_arm:", "    block: 1.5"}, 51, "health.unknown_arm.block", "expected a rate from 0"},
		{[]string{"health:", "  unknown_arm:", "    warn: -0.1"}, 51, "health.unknown_arm.warn", "expected a rate from 0"},
		{[]string{"health:", "  multi_arm:", "    warn: 0.5"}, 51, "health.multi_arm", "must not be above block"},
		{[]string{"health:", "  future_events: 0.1"}, 50, "health.future_events", ""},
		{[]string{"health:", "  colour: red"}, 50, "health.colour", ""},
	} {
		src := basePlan + strings.Join(tc.lines, "\n") + "\n"
		problems := problemsOf(t, src)
		found := false
		for _, p := range problems {
			if p.Field == tc.field && p.Line == tc.line && strings.Contains(p.Message, tc.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%v: problems %v; want %s at line %d saying %q", tc.lines, problems, tc.field, tc.line, tc.msg)
		}
	}
}
