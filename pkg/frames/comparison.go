package frames

import (
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/models"
	"github.com/liftgate/liftgate/pkg/stats"
)

// VerdictCode maps a verdict to its number (models.VerdictCode*). An
// unknown verdict counts as insufficient data: never a reassuring number.
func VerdictCode(v stats.Verdict) float64 {
	switch v {
	case stats.Beneficial:
		return models.VerdictCodeBeneficial
	case stats.Inconclusive:
		return models.VerdictCodeInconclusive
	case stats.Harmful:
		return models.VerdictCodeHarmful
	}
	return models.VerdictCodeInsufficientData
}

// DecisionCode maps a stage decision to its number (models.DecisionCode*).
// An unknown action counts as hold.
func DecisionCode(action string) float64 {
	switch action {
	case engine.ActionProceed:
		return models.DecisionCodeProceed
	case engine.ActionRollback:
		return models.DecisionCodeRollback
	}
	return models.DecisionCodeHold
}

// Comparison is the comparison table: one row per metric, arm (and segment
// value) with estimates, effects, intervals, p-values and verdicts, then a
// frame of arms with their exposure against the planned split, then the
// stage decision with the SRM check. rows are the results to show (a
// filtered res.Results).
func Comparison(res *engine.Result, rows []engine.MetricResult, executed string) data.Frames {
	return data.Frames{comparisonRows(res, rows, executed), armsFrame(res, executed), decisionFrame(res, executed)}
}

func comparisonRows(res *engine.Result, rows []engine.MetricResult, executed string) *data.Frame {
	level := fmt.Sprintf("%g%%", 100*(1-res.Alpha))
	withSegment := res.Segment != ""
	fields := []*data.Field{
		stringField("metric", "Metric", nil),
		stringField("role", "Role", nil),
		stringField("kind", "Kind", nil),
		stringField("arm", "Arm", nil),
		stringField("baseline", "Baseline", nil),
	}
	if withSegment {
		fields = append(fields, stringField("segment_value", res.Segment, nil))
	}
	fields = append(fields,
		floatField("baseline_units", "Baseline units", unitShort, nil, nil),
		floatField("arm_units", "Arm units", unitShort, nil, nil),
		floatField("baseline_mean", "Baseline mean", unitNone, nil, nil),
		floatField("arm_mean", "Arm mean", unitNone, nil, nil),
		floatField("effect", "Effect", unitNone, nil, nil),
		floatField("effect_lower", "Effect lower ("+level+")", unitNone, nil, nil),
		floatField("effect_upper", "Effect upper ("+level+")", unitNone, nil, nil),
		floatField("relative_effect", "Lift", unitPercent, nil, nil),
		floatField("relative_lower", "Lift lower ("+level+")", unitPercent, nil, nil),
		floatField("relative_upper", "Lift upper ("+level+")", unitPercent, nil, nil),
		floatField("p_value", "p-value", unitNone, nil, nil),
		floatField("adjusted_p_value", "Adjusted p-value ("+res.Correction+")", unitNone, nil, nil),
		stringField("verdict", "Verdict", nil),
		floatField("verdict_code", "Verdict code", unitNone, nil, nil),
		stringField("reason", "Reason", nil),
	)
	f := data.NewFrame("comparison", fields...)
	for _, r := range rows {
		row := []any{r.Metric, r.Role, r.Kind, r.Arm, r.Baseline}
		if withSegment {
			seg := ""
			if r.SegmentValue != nil {
				seg = *r.SegmentValue
			}
			row = append(row, seg)
		}
		var rel, relLo, relHi *float64
		if r.Relative != nil {
			rel, relLo, relHi = num(r.Relative.Estimate), num(r.Relative.CILower), num(r.Relative.CIUpper)
		}
		row = append(row,
			num(r.BaselineStats.N), num(r.ArmStats.N), num(r.BaselineStats.Mean), num(r.ArmStats.Mean),
			num(r.Absolute.Estimate), num(r.Absolute.CILower), num(r.Absolute.CIUpper),
			rel, relLo, relHi,
			num(r.PValue), num(r.AdjustedPValue),
			string(r.Verdict), num(VerdictCode(r.Verdict)), r.Reason,
		)
		f.AppendRow(row...)
	}
	f.Meta = meta(data.FrameTypeNumericLong, executed, data.VisTypeTable)
	if res.SRM.Mismatch {
		f.AppendNotices(data.Notice{Severity: data.NoticeSeverityWarning,
			Text: fmt.Sprintf("Sample ratio mismatch (p = %.3g): the split is not what the plan says, so every verdict is withheld.", res.SRM.PValue)})
	}
	return f
}

// armsFrame is each arm's units against its expected share.
func armsFrame(res *engine.Result, executed string) *data.Frame {
	n := len(res.Arms)
	names := make([]string, n)
	units, expected, observed := make([]*float64, n), make([]*float64, n), make([]*float64, n)
	for i, a := range res.Arms {
		names[i] = a.Name
		units[i], expected[i], observed[i] = num(float64(a.Units)), num(a.ExpectedWeight), num(a.ObservedWeight)
	}
	f := data.NewFrame("arms",
		stringField("arm", "Arm", names),
		floatField("units", "Units", unitShort, nil, units),
		floatField("expected_weight", "Expected share", unitPercent, nil, expected),
		floatField("observed_weight", "Observed share", unitPercent, nil, observed),
	)
	f.Meta = meta(data.FrameTypeNumericLong, executed, data.VisTypeTable)
	return f
}

// decisionFrame is the stage decision with its reasons and the SRM check,
// one row.
func decisionFrame(res *engine.Result, executed string) *data.Frame {
	d := res.Decision
	mismatch := 0.0
	if res.SRM.Mismatch {
		mismatch = 1
	}
	f := data.NewFrame("decision",
		stringField("experiment", "Experiment", []string{res.Experiment}),
		stringField("plan_hash", "Plan hash", []string{res.PlanHash}),
		stringField("evaluated_at", "Evaluated at", []string{res.EvaluatedAt.UTC().Format(time.RFC3339)}),
		stringField("stage", "Stage", []string{d.Stage}),
		stringField("next_stage", "Next stage", []string{d.NextStage}),
		stringField("action", "Decision", []string{d.Action}),
		floatField("decision_code", "Decision code", unitNone, nil, []*float64{num(DecisionCode(d.Action))}),
		stringField("reasons", "Reasons", []string{strings.Join(d.Reasons, "; ")}),
		floatField("srm_chi_square", "SRM chi-square", unitNone, nil, []*float64{num(res.SRM.ChiSquare)}),
		floatField("srm_p_value", "SRM p-value", unitNone, nil, []*float64{num(res.SRM.PValue)}),
		floatField("srm_mismatch", "SRM mismatch", unitNone, nil, []*float64{num(mismatch)}),
		floatField("excluded_units", "Units in several arms", unitShort, nil, []*float64{num(float64(res.ExcludedUnits))}),
		floatField("unknown_arm_units", "Units with unknown arms", unitShort, nil, []*float64{num(float64(res.UnknownArmUnits))}),
	)
	f.Meta = meta(data.FrameTypeNumericLong, executed, data.VisTypeTable)
	return f
}
