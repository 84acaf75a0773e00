package decisionlog

import (
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
)

func verdictEntry(at time.Time, exp, metric, role, from, to string) Entry {
	return Entry{Kind: KindVerdictChange, Time: at, Experiment: exp, PlanHash: "h", Metric: metric, Arm: "b", Role: role, From: from, To: to}
}

func decisionEntry(at time.Time, exp, to, next string) Entry {
	return Entry{Kind: KindDecisionChange, Time: at, Experiment: exp, PlanHash: "h", To: to,
		Decision: &engine.Decision{Action: to, NextStage: next}}
}

func TestHistoriesOutcomes(t *testing.T) {
	m := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	entries := []Entry{
		// bad: harmful latency at +10, a secondary harmful at +5 (not a
		// trigger), machine rollback at +13, human rollback at +20,
		// latency back to inconclusive at +40.
		verdictEntry(m(5), "bad", "revenue", "secondary", "inconclusive", "harmful"),
		verdictEntry(m(10), "bad", "latency", "guardrail", "inconclusive", "harmful"),
		decisionEntry(m(13), "bad", "rollback", "half"),
		{Kind: KindHumanDecision, Time: m(20), Experiment: "bad", PlanHash: "h", Human: &HumanDecision{Who: "a", Action: "rollback", Why: "x"}},
		verdictEntry(m(40), "bad", "latency", "guardrail", "harmful", "inconclusive"),
		// good: proceeds, then its last stage begins with the decision
		// still proceed (a stage change carries the decision in force).
		decisionEntry(m(1), "good", "proceed", "full"),
		{Kind: KindStageChange, Time: m(30), Experiment: "good", PlanHash: "h", From: "half", To: "full",
			Decision: &engine.Decision{Stage: "full", Action: "proceed"}},
		// open: still holding.
		decisionEntry(m(2), "open", "hold", "half"),
		// twice: rolled back, resumed by a person, rolled back again.
		decisionEntry(m(1), "twice", "rollback", "half"),
		{Kind: KindHumanDecision, Time: m(2), Experiment: "twice", PlanHash: "h", Human: &HumanDecision{Who: "a", Action: "proceed", Why: "fixed"}},
		{Kind: KindHumanDecision, Time: m(3), Experiment: "twice", PlanHash: "h", Human: &HumanDecision{Who: "a", Action: "rollback", Why: "again"}},
	}
	hs := Histories(entries)
	if len(hs) != 4 || hs[0].Experiment != "bad" || hs[1].Experiment != "good" || hs[2].Experiment != "open" || hs[3].Experiment != "twice" {
		t.Fatalf("histories %+v", hs)
	}
	bad := hs[0]
	// alice confirming the gate's rollback is the same rollback.
	if bad.Outcome != OutcomeRolledBack || bad.Rollbacks != 1 || bad.HumanDecisions != 1 || len(bad.Triggers) != 1 {
		t.Fatalf("bad: %+v", bad)
	}
	if *bad.DetectionToRollbackSeconds != 180 || *bad.TimeToRestoreSeconds != 1800 {
		t.Fatalf("bad: detection %v s, restore %v s; want 180 and 1800", *bad.DetectionToRollbackSeconds, *bad.TimeToRestoreSeconds)
	}
	if len(bad.Indicators) != 2 || bad.Indicators[1].Verdict != "inconclusive" {
		t.Fatalf("indicators %+v", bad.Indicators)
	}
	if hs[1].Outcome != OutcomeCompleted || hs[1].Rollbacks != 0 || hs[1].DetectionToRollbackSeconds != nil {
		t.Fatalf("good: %+v", hs[1])
	}
	if hs[2].Outcome != OutcomeInProgress || hs[2].Finished {
		t.Fatalf("open: %+v", hs[2])
	}
	if hs[3].Rollbacks != 2 || hs[3].Outcome != OutcomeRolledBack {
		t.Fatalf("twice: %+v", hs[3])
	}
	s := Summarize(hs)
	if s.Finished != 3 || s.RolledBack != 2 || *s.ChangeFailureRate != 2.0/3 || *s.RollbacksPerRollout != 3.0/4 || *s.MeanTimeToRestoreSeconds != 1800 {
		t.Fatalf("summary %+v", s)
	}
	if empty := Summarize(nil); empty.ChangeFailureRate != nil || empty.RollbacksPerRollout != nil {
		t.Fatalf("empty summary has figures: %+v", empty)
	}
}
