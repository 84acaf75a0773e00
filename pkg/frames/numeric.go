package frames

import (
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/models"
)

// ComparisonNumeric reduces a comparison to one number per metric and arm
// (and segment value): a numeric-long frame with string dimensions and a
// single numeric field, the shape Grafana Alerting turns into one series
// per row with the dimensions as labels. The dimensions never include the
// verdict itself, so an alert instance keeps its identity when the verdict
// changes. Rows whose value is undefined (a lift over a zero baseline) are
// left out rather than sent as NaN.
func ComparisonNumeric(res *engine.Result, rows []engine.MetricResult, value, executed string) (*data.Frame, error) {
	display, unit, err := numericValueField(value)
	if err != nil {
		return nil, err
	}
	var f *data.Frame
	switch value {
	case models.NumericValueDecision, models.NumericValueSRMPValue:
		v := DecisionCode(res.Decision.Action)
		if value == models.NumericValueSRMPValue {
			v = res.SRM.PValue
		}
		f = data.NewFrame("comparison", stringField("experiment", "", nil), floatField(value, display, unit, nil, nil))
		if pv := num(v); pv != nil {
			f.AppendRow(res.Experiment, pv)
		}
	default:
		withSegment := res.Segment != ""
		fields := []*data.Field{stringField("experiment", "", nil), stringField("metric", "", nil), stringField("role", "", nil), stringField("arm", "", nil)}
		if withSegment {
			fields = append(fields, stringField(res.Segment, "", nil))
		}
		fields = append(fields, floatField(value, display, unit, nil, nil))
		f = data.NewFrame("comparison", fields...)
		for _, r := range rows {
			v := rowValue(r, value)
			if v == nil {
				continue
			}
			row := []any{res.Experiment, r.Metric, r.Role, r.Arm}
			if withSegment {
				seg := "(all)"
				if r.SegmentValue != nil {
					seg = *r.SegmentValue
				}
				row = append(row, seg)
			}
			f.AppendRow(append(row, v)...)
		}
	}
	f.Meta = meta(data.FrameTypeNumericLong, executed, data.VisTypeTable)
	return f, nil
}

// rowValue is the chosen number of one result; nil when undefined.
func rowValue(r engine.MetricResult, value string) *float64 {
	switch value {
	case models.NumericValueVerdict:
		return num(VerdictCode(r.Verdict))
	case models.NumericValueEffect:
		return num(r.Absolute.Estimate)
	case models.NumericValueRelativeEffect:
		if r.Relative == nil {
			return nil
		}
		return num(r.Relative.Estimate)
	case models.NumericValuePValue:
		return num(r.AdjustedPValue)
	}
	return nil
}

// numericValueField names and units the single numeric field.
func numericValueField(value string) (display, unit string, err error) {
	switch value {
	case models.NumericValueVerdict:
		return "Verdict code", unitNone, nil
	case models.NumericValueDecision:
		return "Decision code", unitNone, nil
	case models.NumericValueEffect:
		return "Effect", unitNone, nil
	case models.NumericValueRelativeEffect:
		return "Lift", unitPercent, nil
	case models.NumericValuePValue:
		return "Adjusted p-value", unitNone, nil
	case models.NumericValueSRMPValue:
		return "SRM p-value", unitNone, nil
	}
	return "", "", fmt.Errorf("numeric value %q is not one of verdict, decision, effect, relative_effect, p_value, srm_p_value", value)
}
