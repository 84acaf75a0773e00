package decisionlog

import (
	"reflect"
	"testing"
	"time"
)

func TestDropRepeats(t *testing.T) {
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	e := func(min int, kind Kind, metric, from, to string) Entry {
		return Entry{Time: at(min), Kind: kind, Experiment: "exp", PlanHash: "h1", Metric: metric, Arm: "b", From: from, To: to}
	}
	in := []Entry{
		e(0, KindPlanChange, "", "", "h1"),
		e(0, KindPlanChange, "", "", "h1"), // the twin's copy
		e(1, KindVerdictChange, "lat", "insufficient_data", "harmful"),
		e(1, KindDecisionChange, "", "hold", "rollback"),
		e(1, KindVerdictChange, "lat", "insufficient_data", "harmful"),  // twin
		e(1, KindDecisionChange, "", "hold", "rollback"),                // twin
		e(2, KindVerdictChange, "conv", "insufficient_data", "harmful"), // another metric: kept
		e(2, KindLateDataChange, "lat", "harmful", "inconclusive"),      // a real change
		e(3, KindVerdictChange, "lat", "harmful", "inconclusive"),       // the twin saw it as a verdict change
		e(4, KindVerdictChange, "lat", "inconclusive", "harmful"),       // harmful again: a change
		{Time: at(4), Kind: KindHumanDecision, Experiment: "exp", PlanHash: "h1", Human: &HumanDecision{Action: "rollback"}},
		{Time: at(4), Kind: KindHumanDecision, Experiment: "exp", PlanHash: "h1", Human: &HumanDecision{Action: "rollback"}},
		{Time: at(5), Kind: KindPlanChange, Experiment: "other", PlanHash: "h1", To: "h1"}, // another experiment
	}
	got := summarize(DropRepeats(in))
	want := []string{
		"plan_change >h1",
		"verdict_change lat/b insufficient_data>harmful",
		"decision_change hold>rollback",
		"verdict_change conv/b insufficient_data>harmful",
		"late_data_change lat/b harmful>inconclusive",
		"verdict_change lat/b inconclusive>harmful",
		"human_decision >", "human_decision >",
		"plan_change >h1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}
