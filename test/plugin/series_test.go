package plugin_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// reference is testdata/reference.json, written by reference/generate.py
// with the project's independent Python reference.
type reference struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Bucket string `json:"bucket"`
	Lift   []struct {
		At          string `json:"at"`
		Decision    string `json:"decision"`
		SRMMismatch bool   `json:"srm_mismatch"`
		Results     []struct {
			Metric   string     `json:"metric"`
			Arm      string     `json:"arm"`
			Verdict  string     `json:"verdict"`
			Absolute *refEffect `json:"absolute"`
			Relative *refEffect `json:"relative"`
		} `json:"results"`
	} `json:"lift"`
	ArmSeries struct {
		Units   []refBucket            `json:"units"`
		Metrics map[string][]refBucket `json:"metrics"`
	} `json:"arm_series"`
}

type refEffect struct {
	Estimate float64 `json:"estimate"`
	CILower  float64 `json:"ci_lower"`
	CIUpper  float64 `json:"ci_upper"`
}

type refBucket struct {
	Arm    string   `json:"arm"`
	Bucket string   `json:"bucket"`
	Value  *float64 `json:"value"`
}

func loadReference(t *testing.T) reference {
	t.Helper()
	raw, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// closeTo allows what the engine's reference test allows for values that
// pass through a distribution's quantile (gonum vs SciPy): 1e-6, relative
// to the value or absolute near 0.
func closeTo(got, want float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	return math.Abs(got-want) <= 1e-6*math.Max(1, math.Abs(want))
}

// seriesPoints indexes timeseries-multi frames by their labels and bound:
// labels -> Unix nanoseconds -> value (times come back from Arrow in the
// local zone, so time.Time itself is no map key).
func seriesPoints(t *testing.T, frames data.Frames, valueField string) map[string]map[int64]float64 {
	t.Helper()
	out := map[string]map[int64]float64{}
	for _, f := range frames {
		if f.Meta == nil || f.Meta.Type != data.FrameTypeTimeSeriesMulti {
			t.Fatalf("frame %q: want timeseries-multi, got %+v", f.Name, f.Meta)
		}
		if len(f.Fields) != 2 || f.Fields[0].Type() != data.FieldTypeTime {
			t.Fatalf("frame %q: a timeseries-multi frame is one time field and one number field, got %d fields", f.Name, len(f.Fields))
		}
		v := f.Fields[1]
		if v.Name != valueField {
			t.Fatalf("frame %q: value field %q, want %q", f.Name, v.Name, valueField)
		}
		key := v.Labels.String()
		if _, dup := out[key]; dup {
			t.Fatalf("two frames with labels %s", key)
		}
		out[key] = map[int64]float64{}
		for i := 0; i < v.Len(); i++ {
			out[key][f.Fields[0].At(i).(time.Time).UnixNano()] = float(t, v, i)
		}
	}
	return out
}

func labels(pairs ...string) string {
	l := data.Labels{}
	for i := 0; i+1 < len(pairs); i += 2 {
		l[pairs[i]] = pairs[i+1]
	}
	return l.String()
}

// Lift over time is the analysis evaluated afresh at every step: the
// plugin's series equal the Python reference's evaluation at each instant.
func TestLiftOverTimeMatchesReference(t *testing.T) {
	ref := loadReference(t)
	h := startPlugin(t, suite.pluginBin)
	from, to := mustTime(t, ref.From), mustTime(t, ref.To)
	resp := h.queryData(t, exporterSource("lift"),
		query{refID: "R", queryType: "lift_over_time", model: map[string]any{"experiment": experiment, "bucket": ref.Bucket}, from: from, to: to},
		query{refID: "A", queryType: "lift_over_time", model: map[string]any{"experiment": experiment, "bucket": ref.Bucket, "scale": "absolute"}, from: from, to: to},
	)
	rel := response(t, resp, "R")
	abs := response(t, resp, "A")
	relPoints := seriesPoints(t, rel.Frames, "lift")
	absPoints := seriesPoints(t, abs.Frames, "effect")

	checked := 0
	for _, step := range ref.Lift {
		at := mustTime(t, step.At)
		for _, r := range step.Results {
			for _, c := range []struct {
				points map[string]map[int64]float64
				want   *refEffect
			}{{relPoints, r.Relative}, {absPoints, r.Absolute}} {
				for bound, want := range map[string]float64{"estimate": nan(c.want, 0), "lower": nan(c.want, 1), "upper": nan(c.want, 2)} {
					series, ok := c.points[labels("metric", r.Metric, "arm", r.Arm, "bound", bound)]
					if !ok {
						t.Fatalf("no %s series for %s/%s", bound, r.Metric, r.Arm)
					}
					got, ok := series[at.UnixNano()]
					if !ok {
						t.Fatalf("%s/%s %s: no point at %s", r.Metric, r.Arm, bound, step.At)
					}
					if !closeTo(got, want) {
						t.Errorf("%s/%s %s at %s: plugin %v, reference %v", r.Metric, r.Arm, bound, step.At, got, want)
					}
					checked++
				}
			}
		}
	}
	for key, series := range relPoints {
		if len(series) != len(ref.Lift) {
			t.Errorf("series %s has %d points, the reference evaluated %d instants", key, len(series), len(ref.Lift))
		}
	}
	if checked == 0 {
		t.Fatal("nothing compared")
	}
	checkGolden(t, "lift_over_time", rel)
}

// nan reads one bound of an optional effect; an undefined one is null.
func nan(e *refEffect, i int) float64 {
	if e == nil {
		return math.NaN()
	}
	return [3]float64{e.Estimate, e.CILower, e.CIUpper}[i]
}

// Arm series: each arm's metric over each exposure cohort, as the Python
// reference computes it from the raw events.
func TestArmSeriesMatchesReference(t *testing.T) {
	ref := loadReference(t)
	h := startPlugin(t, suite.pluginBin)
	from, to := mustTime(t, ref.From), mustTime(t, ref.To)
	var queries []query
	for metric := range ref.ArmSeries.Metrics {
		queries = append(queries, query{refID: metric, queryType: "arm_series", model: map[string]any{"experiment": experiment, "metric": metric, "bucket": ref.Bucket}, from: from, to: to})
	}
	queries = append(queries, query{refID: "units", queryType: "arm_series", model: map[string]any{"experiment": experiment, "series": "units", "bucket": ref.Bucket}, from: from, to: to})
	resp := h.queryData(t, exporterSource("series"), queries...)

	compare := func(refID, valueField string, rows []refBucket, lbl func(arm string) string) {
		points := seriesPoints(t, response(t, resp, refID).Frames, valueField)
		n := 0
		for _, s := range points {
			n += len(s)
		}
		if n != len(rows) {
			t.Errorf("%s: %d points, reference has %d buckets", refID, n, len(rows))
		}
		for _, row := range rows {
			got, ok := points[lbl(row.Arm)][mustTime(t, row.Bucket).UnixNano()]
			want := math.NaN()
			if row.Value != nil {
				want = *row.Value
			}
			if !ok || !closeTo(got, want) {
				t.Errorf("%s %s %s: plugin %v (present %v), reference %v", refID, row.Arm, row.Bucket, got, ok, want)
			}
		}
	}
	for metric, rows := range ref.ArmSeries.Metrics {
		compare(metric, "value", rows, func(arm string) string { return labels("metric", metric, "arm", arm) })
	}
	compare("units", "units", ref.ArmSeries.Units, func(arm string) string { return labels("arm", arm) })
	checkGolden(t, "arm_series_conversion", response(t, resp, "purchase_conversion"))
}
