package frames

import (
	"math"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/stats"
)

// The codes are ordered by how much they should worry an alert: a rule
// "harmful" is a threshold, and anything unknown is never reassuring.
func TestCodesOrderBySeverity(t *testing.T) {
	order := []stats.Verdict{stats.Beneficial, stats.Inconclusive, stats.InsufficientData, stats.Harmful}
	for i := 1; i < len(order); i++ {
		if VerdictCode(order[i]) <= VerdictCode(order[i-1]) {
			t.Errorf("%s (%v) is not above %s (%v)", order[i], VerdictCode(order[i]), order[i-1], VerdictCode(order[i-1]))
		}
	}
	if VerdictCode("weird") != models.VerdictCodeInsufficientData || DecisionCode("weird") != models.DecisionCodeHold {
		t.Error("unknown states must map to insufficient data and hold")
	}
	if !(DecisionCode(engine.ActionProceed) < DecisionCode(engine.ActionHold) && DecisionCode(engine.ActionHold) < DecisionCode(engine.ActionRollback)) {
		t.Error("decision codes out of order")
	}
}

// One numeric field, string dimensions without the verdict, no NaN rows.
func TestComparisonNumericShape(t *testing.T) {
	seg := "ios"
	res := &engine.Result{Experiment: "exp", Segment: "platform", SRM: engine.SRMResult{PValue: math.NaN()}}
	rows := []engine.MetricResult{
		{Metric: "conv", Role: "primary", Arm: "t", Verdict: stats.Harmful, Relative: &engine.Effect{Estimate: -0.1}},
		{Metric: "rev", Role: "secondary", Arm: "t", Verdict: stats.Beneficial}, // lift undefined
		{Metric: "conv", Role: "primary", Arm: "t", SegmentValue: &seg, Verdict: stats.Inconclusive, Relative: &engine.Effect{Estimate: math.NaN()}},
	}
	f, err := ComparisonNumeric(res, rows, models.NumericValueRelativeEffect, "q")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := f.RowLen(); n != 1 {
		t.Fatalf("rows %d, want only the defined lift", n)
	}
	numeric := 0
	for _, field := range f.Fields {
		if field.Type() == data.FieldTypeNullableFloat64 {
			numeric++
		}
		if field.Name == "verdict" {
			t.Error("verdict is a dimension")
		}
	}
	if numeric != 1 || f.Meta.Type != data.FrameTypeNumericLong {
		t.Errorf("%d numeric fields, type %s", numeric, f.Meta.Type)
	}
	codes, _ := ComparisonNumeric(res, rows, models.NumericValueVerdict, "q")
	if n, _ := codes.RowLen(); n != 3 {
		t.Errorf("verdict rows: %d, want 3", n)
	}
	if v := codes.Fields[len(codes.Fields)-1].At(0).(*float64); *v != models.VerdictCodeHarmful {
		t.Errorf("harmful coded %v", *v)
	}
	if seg := codes.Fields[4].At(0).(string); seg != "(all)" {
		t.Errorf("overall rows are labelled %q, want (all)", seg)
	}
	srm, _ := ComparisonNumeric(res, rows, models.NumericValueSRMPValue, "q")
	if n, _ := srm.RowLen(); n != 0 {
		t.Errorf("an undefined SRM p-value gave %d rows", n)
	}
	if _, err := ComparisonNumeric(res, rows, "median", "q"); err == nil {
		t.Error("unknown numeric value accepted")
	}
}
