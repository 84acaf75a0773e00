package plugin_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/frames"
)

var (
	rangeFrom = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rangeTo   = time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)
)

// The comparison table through Grafana's protocol carries exactly the
// numbers `liftgate analyze --at <range end>` computes on the same events.
func TestComparisonMatchesAnalyze(t *testing.T) {
	h := startPlugin(t, suite.pluginBin)
	resp := h.queryData(t, exporterSource("cmp"), query{refID: "A", queryType: "comparison",
		model: map[string]any{"experiment": experiment}, from: rangeFrom, to: rangeTo})
	dr := response(t, resp, "A")
	want := analyzeLocally(t, rangeTo, "")

	rows := frameNamed(t, dr.Frames, "comparison")
	if rows.Meta == nil || rows.Meta.Type != data.FrameTypeNumericLong {
		t.Fatalf("comparison frame type: want numeric-long, got %+v", rows.Meta)
	}
	if n, _ := rows.RowLen(); n != len(want.Results) {
		t.Fatalf("rows: got %d, want %d results", n, len(want.Results))
	}
	for i, r := range want.Results {
		checkRow(t, rows, i, r)
	}

	dec := frameNamed(t, dr.Frames, "decision")
	if got := column(t, dec, "plan_hash").At(0).(string); got != examplePlan(t).Hash() {
		t.Errorf("plan hash: the plugin evaluated %s, the plan file hashes to %s", got, examplePlan(t).Hash())
	}
	if got := column(t, dec, "action").At(0).(string); got != want.Decision.Action {
		t.Errorf("decision: got %s, want %s", got, want.Decision.Action)
	}
	if got := column(t, dec, "stage").At(0).(string); got != want.Decision.Stage {
		t.Errorf("stage: got %s, want %s", got, want.Decision.Stage)
	}
	if got := float(t, column(t, dec, "srm_p_value"), 0); !sameNumber(got, want.SRM.PValue) {
		t.Errorf("SRM p-value: got %v, want %v", got, want.SRM.PValue)
	}

	arms := frameNamed(t, dr.Frames, "arms")
	for i, a := range want.Arms {
		if got := column(t, arms, "arm").At(i).(string); got != a.Name {
			t.Fatalf("arm %d: got %s, want %s", i, got, a.Name)
		}
		if got := float(t, column(t, arms, "units"), i); got != float64(a.Units) {
			t.Errorf("arm %s units: got %v, want %d", a.Name, got, a.Units)
		}
	}
	checkGolden(t, "comparison", dr)
}

// checkRow compares one table row with one engine result.
func checkRow(t *testing.T, f *data.Frame, i int, r engine.MetricResult) {
	t.Helper()
	if m, a := column(t, f, "metric").At(i).(string), column(t, f, "arm").At(i).(string); m != r.Metric || a != r.Arm {
		t.Fatalf("row %d is %s/%s, want %s/%s", i, m, a, r.Metric, r.Arm)
	}
	nan := math.NaN()
	rel := [3]float64{nan, nan, nan}
	if r.Relative != nil {
		rel = [3]float64{r.Relative.Estimate, r.Relative.CILower, r.Relative.CIUpper}
	}
	for name, want := range map[string]float64{
		"baseline_units": r.BaselineStats.N, "arm_units": r.ArmStats.N,
		"baseline_mean": r.BaselineStats.Mean, "arm_mean": r.ArmStats.Mean,
		"effect": r.Absolute.Estimate, "effect_lower": r.Absolute.CILower, "effect_upper": r.Absolute.CIUpper,
		"relative_effect": rel[0], "relative_lower": rel[1], "relative_upper": rel[2],
		"p_value": r.PValue, "adjusted_p_value": r.AdjustedPValue,
		"verdict_code": frames.VerdictCode(r.Verdict),
	} {
		if got := float(t, column(t, f, name), i); !sameNumber(got, want) {
			t.Errorf("%s/%s %s: plugin %v, engine %v", r.Metric, r.Arm, name, got, want)
		}
	}
	if got := column(t, f, "verdict").At(i).(string); got != string(r.Verdict) {
		t.Errorf("%s/%s verdict: plugin %s, engine %s", r.Metric, r.Arm, got, r.Verdict)
	}
}

// A segment breakdown adds per-value rows, the same as `analyze --segment`.
func TestComparisonBySegment(t *testing.T) {
	h := startPlugin(t, suite.pluginBin)
	resp := h.queryData(t, exporterSource("seg"), query{refID: "S", queryType: "comparison",
		model: map[string]any{"experiment": experiment, "segment": "platform"}, from: rangeFrom, to: rangeTo})
	rows := frameNamed(t, response(t, resp, "S").Frames, "comparison")
	want := analyzeLocally(t, rangeTo, "platform")
	if n, _ := rows.RowLen(); n != len(want.Results) {
		t.Fatalf("rows: got %d, want %d", n, len(want.Results))
	}
	for i, r := range want.Results {
		seg := ""
		if r.SegmentValue != nil {
			seg = *r.SegmentValue
		}
		if got := column(t, rows, "segment_value").At(i).(string); got != seg {
			t.Fatalf("row %d segment: got %q, want %q", i, got, seg)
		}
		checkRow(t, rows, i, r)
	}
}

// An alert rule on a verdict: the numeric-long frame Grafana Alerting turns
// into one series per row, labelled by its string columns, with the verdict
// code as the value. The labels must not contain the verdict itself (an
// alert instance would change identity when the verdict changes).
func TestAlertShapedVerdictQuery(t *testing.T) {
	h := startPlugin(t, suite.pluginBin)
	resp := h.queryData(t, exporterSource("alert"),
		query{refID: "V", queryType: "comparison", model: map[string]any{"experiment": experiment, "numericValue": "verdict"}, from: rangeFrom, to: rangeTo},
		query{refID: "D", queryType: "comparison", model: map[string]any{"experiment": experiment, "numericValue": "decision"}, from: rangeFrom, to: rangeTo},
		query{refID: "E", queryType: "comparison", model: map[string]any{"experiment": experiment, "numericValue": "relative_effect", "metric": "purchase_conversion"}, from: rangeFrom, to: rangeTo},
	)
	want := analyzeLocally(t, rangeTo, "")

	v := response(t, resp, "V")
	if len(v.Frames) != 1 {
		t.Fatalf("alerting needs exactly one frame, got %d", len(v.Frames))
	}
	f := v.Frames[0]
	if f.Meta == nil || f.Meta.Type != data.FrameTypeNumericLong {
		t.Fatalf("frame type: want numeric-long, got %+v", f.Meta)
	}
	numeric := 0
	for _, field := range f.Fields {
		switch field.Type() {
		case data.FieldTypeString:
			if field.Name == "verdict" {
				t.Errorf("the verdict must not be a label")
			}
		case data.FieldTypeNullableFloat64, data.FieldTypeFloat64:
			numeric++
		default:
			t.Errorf("field %s has type %s; a numeric-long alert frame holds strings and one number", field.Name, field.Type())
		}
	}
	if numeric != 1 {
		t.Fatalf("want one numeric field, got %d", numeric)
	}
	seen := map[string]float64{}
	for i := range mustRows(t, f) {
		key := column(t, f, "metric").At(i).(string) + "/" + column(t, f, "arm").At(i).(string)
		seen[key] = float(t, column(t, f, "verdict"), i)
	}
	for _, r := range want.Results {
		key := r.Metric + "/" + r.Arm
		if got, ok := seen[key]; !ok || got != frames.VerdictCode(r.Verdict) {
			t.Errorf("%s: verdict code %v (present %v), engine verdict %s = %v", key, got, ok, r.Verdict, frames.VerdictCode(r.Verdict))
		}
	}
	if len(seen) != len(want.Results) {
		t.Errorf("rows: %d, results: %d", len(seen), len(want.Results))
	}
	checkGolden(t, "alert_verdict", v)

	d := response(t, resp, "D").Frames[0]
	if got := float(t, column(t, d, "decision"), 0); got != frames.DecisionCode(want.Decision.Action) {
		t.Errorf("decision code %v, engine decision %s", got, want.Decision.Action)
	}
	e := response(t, resp, "E").Frames[0]
	if n := mustRows(t, e); n != 1 {
		t.Fatalf("one metric, one treatment: want 1 row, got %d", n)
	}
	for _, r := range want.Results {
		if r.Metric == "purchase_conversion" {
			if got := float(t, column(t, e, "relative_effect"), 0); !sameNumber(got, r.Relative.Estimate) {
				t.Errorf("lift: plugin %v, engine %v", got, r.Relative.Estimate)
			}
		}
	}
}

func mustRows(t testing.TB, f *data.Frame) int {
	t.Helper()
	n, err := f.RowLen()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// One bad query never fails its neighbours, and each error says what is
// wrong and whose fault it is.
func TestBadQueriesFailAlone(t *testing.T) {
	h := startPlugin(t, suite.pluginBin)
	resp := h.queryData(t, exporterSource("bad"),
		query{refID: "good", queryType: "comparison", model: map[string]any{"experiment": experiment}, from: rangeFrom, to: rangeTo},
		query{refID: "unknown", queryType: "comparison", model: map[string]any{"experiment": "no-such-experiment"}, from: rangeFrom, to: rangeTo},
		query{refID: "metric", queryType: "comparison", model: map[string]any{"experiment": experiment, "metric": "nope"}, from: rangeFrom, to: rangeTo},
		query{refID: "type", queryType: "bogus", model: map[string]any{"experiment": experiment}, from: rangeFrom, to: rangeTo},
		query{refID: "json", queryType: "comparison", model: map[string]any{"experiment": 42}, from: rangeFrom, to: rangeTo},
	)
	response(t, resp, "good")
	for ref, wantText := range map[string]string{
		"unknown": `experiment "no-such-experiment" is not evaluated by the liftgate exporter`,
		"metric":  `metric "nope" is not a metric of experiment checkout-v2 (it has: purchase_conversion, revenue, errors_per_session)`,
		"type":    `queryType "bogus" is not one of`,
		"json":    "is not valid JSON for this data source",
	} {
		dr := resp.Responses[ref]
		if dr.Error == nil {
			t.Errorf("%s: want an error", ref)
			continue
		}
		if !strings.Contains(dr.Error.Error(), wantText) {
			t.Errorf("%s: error %q does not say %q", ref, dr.Error, wantText)
		}
		if dr.ErrorSource != "downstream" {
			t.Errorf("%s: a user's query mistake must be a downstream error, got %q", ref, dr.ErrorSource)
		}
		if dr.Status != 400 {
			t.Errorf("%s: status %d, want 400", ref, dr.Status)
		}
	}
}
