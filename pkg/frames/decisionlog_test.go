package frames

import (
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/decisionlog"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/stats"
)

// Each log kind becomes an annotation at the entry's time with a title
// saying what changed, its evidence as text and [kind, experiment,
// metric, arm] as tags.
func TestLogAnnotation(t *testing.T) {
	at := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	base := decisionlog.Entry{Time: at, Experiment: "exp", PlanHash: "abc123", Stage: "half"}
	verdict := base
	verdict.Kind, verdict.Metric, verdict.Arm, verdict.From, verdict.To = decisionlog.KindVerdictChange, "conv", "treatment", "inconclusive", "harmful"
	verdict.Result = &engine.MetricResult{Metric: "conv", Arm: "treatment", Baseline: "control", Verdict: stats.Harmful,
		Absolute: engine.Effect{Estimate: -0.02, CILower: -0.03, CIUpper: -0.01}, PValue: 0.001, AdjustedPValue: 0.002}
	verdict.Reasons = []string{"interval below zero"}
	late := verdict
	late.Kind = decisionlog.KindLateDataChange
	decision := base
	decision.Kind, decision.From, decision.To, decision.Reasons = decisionlog.KindDecisionChange, "hold", "rollback", []string{"conv is harmful"}
	stage := base
	stage.Kind, stage.To = decisionlog.KindStageChange, "half"
	planChange := base
	planChange.Kind, planChange.From, planChange.To = decisionlog.KindPlanChange, "old1", "abc123"
	planChange.Plan = &decisionlog.PlanChange{OldHash: "old1", NewHash: "abc123", Changed: []string{"metrics", "stages"}}
	human := base
	human.Kind, human.To = decisionlog.KindHumanDecision, "rollback"
	human.Human = &decisionlog.HumanDecision{Who: "alice", Action: "rollback", Why: "checkout errors", Link: "https://inc.example/42", Authenticated: true}
	human.Reasons = []string{"alice: checkout errors"}

	for _, tc := range []struct {
		e           decisionlog.Entry
		kind, title string
		text        []string
		tags        string
	}{
		{verdict, models.AnnotationVerdicts, "exp: metric conv in arm treatment: inconclusive → harmful",
			[]string{"Effect -0.02 [-0.03, -0.01]", "p = 0.001", "interval below zero", "Plan abc123."}, "verdict_change,exp,conv,treatment"},
		{late, models.AnnotationVerdicts, "exp: metric conv in arm treatment: inconclusive → harmful (late data)", nil, "late_data_change,exp,conv,treatment"},
		{decision, models.AnnotationDecisions, "exp: decision hold → rollback (stage half)", []string{"conv is harmful"}, "decision_change,exp"},
		{stage, models.AnnotationStages, "exp: stage (none) → half", nil, "stage_change,exp"},
		{planChange, models.AnnotationPlans, "exp: plan old1 → abc123 (metrics, stages)", nil, "plan_change,exp"},
		{human, models.AnnotationHumanDecisions, "alice: rollback", []string{"Why: checkout errors", "Link: https://inc.example/42"}, "human_decision,exp"},
	} {
		a, ok := LogAnnotation(tc.e)
		if !ok {
			t.Errorf("%s: no annotation", tc.e.Kind)
			continue
		}
		if !a.Time.Equal(at) || a.Kind != tc.kind || a.Title != tc.title || strings.Join(a.Tags, ",") != tc.tags {
			t.Errorf("%s: got %s %s %q tags %v; want %s %q tags %s", tc.e.Kind, a.Time, a.Kind, a.Title, a.Tags, tc.kind, tc.title, tc.tags)
		}
		for _, s := range tc.text {
			if !strings.Contains(a.Text, s) {
				t.Errorf("%s: text %q lacks %q", tc.e.Kind, a.Text, s)
			}
		}
	}
	if a, _ := LogAnnotation(human); strings.Contains(a.Text, "alice: checkout errors") {
		t.Errorf("human text repeats the exporter's reason: %q", a.Text)
	}
	if _, ok := LogAnnotation(decisionlog.Entry{Kind: "mystery"}); ok {
		t.Error("an unknown kind made an annotation")
	}
	if _, ok := LogAnnotation(decisionlog.Entry{Kind: decisionlog.KindHumanDecision}); ok {
		t.Error("a human decision without its person made an annotation")
	}
}
