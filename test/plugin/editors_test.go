package plugin_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// Exploratory comparisons without a plan equal the reference's analysis of
// the plan they describe, and say they are exploratory.
func TestExploratoryMatchesReference(t *testing.T) {
	var ref struct {
		To              string `json:"to"`
		ExploratoryFrom string `json:"exploratory_from"`
		Exploratory     map[string]struct {
			Query    map[string]string `json:"query"`
			Units    map[string]float64
			Verdict  string     `json:"verdict"`
			PValue   float64    `json:"p_value"`
			Absolute *refEffect `json:"absolute"`
			Relative *refEffect `json:"relative"`
		} `json:"exploratory"`
	}
	raw, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	h := startPlugin(t, suite.pluginBin)
	from, to := mustTime(t, ref.ExploratoryFrom), mustTime(t, ref.To)
	for name, want := range ref.Exploratory {
		metric := map[string]any{"direction": "increase"}
		for k, v := range want.Query {
			metric[k] = v
		}
		// Unnamed metrics are called kind_event; name the others.
		if name != want.Query["kind"]+"_"+want.Query["event"] {
			metric["name"] = name
		}
		resp := h.queryData(t, exporterSource("explore"), query{refID: "X", queryType: "exploratory", from: from, to: to, model: map[string]any{
			"experiment": experiment,
			"exploratory": map[string]any{
				"exposureEvent": "experiment_viewed", "experimentProperty": "experiment_id", "armProperty": "variation_id",
				"control": "control", "arms": []string{"control", "treatment"}, "metric": metric,
			},
		}})
		dr := response(t, resp, "X")
		rows := frameNamed(t, dr.Frames, "comparison")
		if n := mustRows(t, rows); n != 1 {
			t.Fatalf("%s: %d rows, want 1", name, n)
		}
		if got := column(t, rows, "metric").At(0).(string); got != name {
			t.Errorf("metric named %q, want %q", got, name)
		}
		for field, w := range map[string]float64{
			"baseline_units": want.Units["control"], "arm_units": want.Units["treatment"], "p_value": want.PValue,
			"effect": want.Absolute.Estimate, "effect_lower": want.Absolute.CILower, "effect_upper": want.Absolute.CIUpper,
			"relative_effect": want.Relative.Estimate, "relative_lower": want.Relative.CILower, "relative_upper": want.Relative.CIUpper,
		} {
			if got := float(t, column(t, rows, field), 0); !closeTo(got, w) {
				t.Errorf("%s %s: plugin %v, reference %v", name, field, got, w)
			}
		}
		if got := column(t, rows, "verdict").At(0).(string); got != want.Verdict {
			t.Errorf("%s verdict %s, reference %s", name, got, want.Verdict)
		}
		for _, f := range dr.Frames {
			if f.Meta == nil || f.Meta.Custom == nil {
				t.Fatalf("frame %s is not marked exploratory", f.Name)
			}
			custom, _ := json.Marshal(f.Meta.Custom)
			if !strings.Contains(string(custom), `"exploratory":true`) || len(f.Meta.Notices) == 0 {
				t.Errorf("frame %s: meta.custom %s, notices %v", f.Name, custom, f.Meta.Notices)
			}
		}
		if name == "conversion_purchase" {
			checkGolden(t, "exploratory", dr)
		}
	}

	t.Run("an invalid definition names the query's field", func(t *testing.T) {
		resp := h.queryData(t, exporterSource("explore"), query{refID: "X", queryType: "exploratory", from: from, to: to, model: map[string]any{
			"experiment": experiment,
			"exploratory": map[string]any{
				"exposureEvent": "experiment_viewed", "experimentProperty": "experiment_id", "armProperty": "variation_id",
				"control": "control", "arms": []string{"control", "treatment"}, "metric": map[string]any{"kind": "mean", "event": "purchase"},
			},
		}})
		dr := resp.Responses["X"]
		if dr.Error == nil || !strings.Contains(dr.Error.Error(), "exploratory.metric.property") || dr.ErrorSource != "downstream" {
			t.Fatalf("want a downstream error naming exploratory.metric.property, got %v (%s)", dr.Error, dr.ErrorSource)
		}
	})
}

// Decision changes in the example data, as the reference evaluates them at
// each step, become annotations spanning the step in which they happened.
func TestAnnotationsFollowTheReference(t *testing.T) {
	ref := loadReference(t)
	h := startPlugin(t, suite.pluginBin)
	from, to := mustTime(t, ref.From), mustTime(t, ref.To)
	resp := h.queryData(t, exporterSource("annotations"), query{refID: "N", queryType: "annotations",
		model: map[string]any{"experiment": experiment, "bucket": ref.Bucket}, from: from, to: to})
	dr := response(t, resp, "N")
	f := dr.Frames[0]

	type change struct{ from, to time.Time }
	var wantDecisions []change
	for i := 1; i < len(ref.Lift); i++ {
		if ref.Lift[i].Decision != ref.Lift[i-1].Decision {
			wantDecisions = append(wantDecisions, change{mustTime(t, ref.Lift[i-1].At), mustTime(t, ref.Lift[i].At)})
		}
	}
	var gotDecisions []change
	stages := 0
	for i := range mustRows(t, f) {
		switch column(t, f, "kind").At(i).(string) {
		case "decisions":
			end := column(t, f, "timeEnd").At(i).(*time.Time)
			gotDecisions = append(gotDecisions, change{column(t, f, "time").At(i).(time.Time), *end})
		case "stages":
			stages++
		case "verdicts", "srm":
			t.Errorf("unexpected %s annotation: %s", column(t, f, "kind").At(i), column(t, f, "title").At(i))
		}
	}
	if len(wantDecisions) == 0 {
		t.Fatal("the reference has no decision change to check")
	}
	if len(gotDecisions) != len(wantDecisions) {
		t.Fatalf("decision changes %v, reference %v", gotDecisions, wantDecisions)
	}
	for i, w := range wantDecisions {
		if !gotDecisions[i].from.Equal(w.from) || !gotDecisions[i].to.Equal(w.to) {
			t.Errorf("decision change %d over [%s, %s], reference [%s, %s]", i, gotDecisions[i].from, gotDecisions[i].to, w.from, w.to)
		}
	}
	if stages != len(examplePlan(t).Stages) {
		t.Errorf("%d stage annotations, the plan has %d stages in range", stages, len(examplePlan(t).Stages))
	}
	checkGolden(t, "annotations", dr)
}

// Variables and the editors' resources list the same choices from the
// exporter's plan.
func TestVariablesAndResources(t *testing.T) {
	h := startPlugin(t, suite.pluginBin)
	ds := exporterSource("resources")
	p := examplePlan(t)

	resp := h.queryData(t, ds,
		query{refID: "E", queryType: "variables", model: map[string]any{"variable": "experiments"}, from: rangeFrom, to: rangeTo},
		query{refID: "M", queryType: "variables", model: map[string]any{"variable": "metrics", "experiment": experiment}, from: rangeFrom, to: rangeTo},
		query{refID: "S", queryType: "variables", model: map[string]any{"variable": "stages", "experiment": experiment}, from: rangeFrom, to: rangeTo},
	)
	values := func(ref string) []string {
		f := response(t, resp, ref).Frames[0]
		var out []string
		for i := range mustRows(t, f) {
			out = append(out, column(t, f, "value").At(i).(string))
		}
		return out
	}
	if got := strings.Join(values("E"), ","); got != experiment+","+telemetryExperiment {
		t.Errorf("experiments: %s", got)
	}
	var metrics, stages []string
	for _, m := range p.Metrics {
		metrics = append(metrics, m.Name)
	}
	for _, s := range p.Stages {
		stages = append(stages, s.Name)
	}
	if got := strings.Join(values("M"), ","); got != strings.Join(metrics, ",") {
		t.Errorf("metrics: %s, plan: %v", got, metrics)
	}
	if got := strings.Join(values("S"), ","); got != strings.Join(stages, ",") {
		t.Errorf("stages: %s, plan: %v", got, stages)
	}

	for path, want := range map[string]string{
		"experiments":                      `{"label":"checkout-v2 (Streamlined checkout)","value":"checkout-v2"}`,
		"experiments/checkout-v2/arms":     `[{"label":"control (control)","value":"control"},{"label":"treatment","value":"treatment"}]`,
		"experiments/checkout-v2/segments": `[{"label":"platform","value":"platform"},{"label":"country","value":"country"}]`,
		"experiments/checkout-v2/metrics":  `{"label":"purchase_conversion (primary, conversion)","value":"purchase_conversion"}`,
		"status":                           `"eventStore":"exporter 127.0.0.1`,
	} {
		status, body := h.callResource(t, ds, path)
		if status != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %s, want it to contain %s", path, status, body, want)
		}
	}
	for path, want := range map[string]struct {
		status int
		text   string
	}{
		"experiments/nope/arms":         {400, `experiment \"nope\" is not evaluated by the liftgate exporter`},
		"experiments/checkout-v2/bogus": {404, "unknown list bogus"},
		"nothing-here":                  {404, "no resource"},
	} {
		status, body := h.callResource(t, ds, path)
		if status != want.status || !strings.Contains(string(body), want.text) {
			t.Errorf("GET %s: %d %s, want %d with %q", path, status, body, want.status, want.text)
		}
	}
}
