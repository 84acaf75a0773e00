package frames

import (
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/stats"
)

func point(at time.Time, verdict stats.Verdict, action string, srm bool) engine.LiftPoint {
	return engine.LiftPoint{At: at, Result: &engine.Result{
		Experiment: "exp", Alpha: 0.05,
		SRM:  engine.SRMResult{Mismatch: srm, PValue: 0.0001, ChiSquare: 15, DF: 1, Threshold: 0.001},
		Arms: []engine.ArmResult{{Name: "control", Units: 900}, {Name: "treatment", Units: 700}},
		Results: []engine.MetricResult{
			{Metric: "conv", Arm: "treatment", Baseline: "control", Verdict: verdict, PValue: 0.01, AdjustedPValue: 0.02,
				Absolute: engine.Effect{Estimate: -0.01, CILower: -0.02, CIUpper: -0.001}},
			{Metric: "other", Arm: "treatment", Baseline: "control", Verdict: stats.Inconclusive},
		},
		Decision: engine.Decision{Action: action, Stage: "half", Reasons: []string{"because"}},
	}}
}

// Changes between consecutive evaluations become regions spanning the step
// in which they happened; unchanged states make no annotation.
func TestResultAnnotationsMarkChanges(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	h := time.Hour
	points := []engine.LiftPoint{
		point(t0, stats.Inconclusive, engine.ActionHold, false),
		point(t0.Add(h), stats.Inconclusive, engine.ActionHold, false),
		point(t0.Add(2*h), stats.Harmful, engine.ActionRollback, false),
		point(t0.Add(3*h), stats.Harmful, engine.ActionRollback, true),
		point(t0.Add(4*h), stats.Harmful, engine.ActionRollback, false),
	}
	all := ResultAnnotations(points, nil, func(engine.MetricResult) bool { return true })
	type seen struct {
		kind     string
		from, to time.Time
	}
	var got []seen
	for _, a := range all {
		got = append(got, seen{a.Kind, a.Time, *a.TimeEnd})
	}
	want := []seen{
		{models.AnnotationVerdicts, t0.Add(h), t0.Add(2 * h)},
		{models.AnnotationDecisions, t0.Add(h), t0.Add(2 * h)},
		{models.AnnotationSRM, t0.Add(2 * h), t0.Add(3 * h)},
		{models.AnnotationSRM, t0.Add(3 * h), t0.Add(4 * h)},
	}
	if len(got) != len(want) {
		t.Fatalf("annotations %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("annotation %d: %v, want %v", i, got[i], want[i])
		}
	}
	v := all[0]
	if !strings.Contains(v.Title, "conv · treatment inconclusive → harmful") || !strings.Contains(v.Text, "Effect -0.01 [-0.02, -0.001]") {
		t.Errorf("verdict evidence: %q / %q", v.Title, v.Text)
	}
	if !strings.Contains(all[2].Title, "sample ratio mismatch") || !strings.Contains(all[2].Text, "treatment 700 units") ||
		!strings.Contains(all[3].Title, "back in line") {
		t.Errorf("SRM annotations: %q %q / %q", all[2].Title, all[2].Text, all[3].Title)
	}

	onlySRM := ResultAnnotations(points, []string{models.AnnotationSRM}, func(engine.MetricResult) bool { return true })
	if len(onlySRM) != 2 {
		t.Errorf("kinds filter: %d annotations, want the 2 SRM ones", len(onlySRM))
	}
	none := ResultAnnotations(points, []string{models.AnnotationVerdicts}, func(r engine.MetricResult) bool { return r.Metric == "other" })
	if len(none) != 0 {
		t.Errorf("a metric whose verdict never changed: %d annotations", len(none))
	}
}

func TestAnnotationsFrameIsSortedWithCommaTags(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	f := Annotations([]Annotation{
		{Time: t0.Add(time.Hour), Title: "b", Tags: []string{"x", "y"}},
		{Time: t0, Title: "a"},
	}, "q")
	if f.Fields[0].At(0).(time.Time) != t0 || f.Fields[2].At(0).(string) != "a" || f.Fields[4].At(1).(string) != "x,y" {
		t.Errorf("frame: %v %v %v", f.Fields[0].At(0), f.Fields[2].At(0), f.Fields[4].At(1))
	}
}
