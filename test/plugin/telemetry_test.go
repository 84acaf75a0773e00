package plugin_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// withPrometheus is the exporter data source with a Prometheus URL.
func withPrometheus(uid, promURL string) dataSource {
	ds := exporterSource(uid)
	ds.jsonData.(map[string]any)["prometheusUrl"] = promURL
	return ds
}

// near is a relative tolerance check (absolute near 0).
func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(1, math.Abs(want))
}

// The telemetry query types against a real Prometheus holding the engine's
// telemetry fixture, with the fixture's product events in the exporter's
// store; expectations come from the fixture's SciPy computations.
func TestTelemetryQueries(t *testing.T) {
	fx := suite.fixture
	om, err := fixtureOpenMetrics()
	if err != nil {
		t.Fatal(err)
	}
	prom := testserver.StartPrometheus(t, om)
	h := startPlugin(t, suite.pluginBin)
	ds := withPrometheus("telemetry", prom.URL)
	from, to := fx.start(), fx.end()

	t.Run("health names every source", func(t *testing.T) {
		res := h.checkHealth(t, ds)
		if res.Status.String() != "OK" || !strings.Contains(res.Message, "OK Prometheus at "+prom.URL) {
			t.Fatalf("health %s: %s", res.Status, res.Message)
		}
	})

	t.Run("telemetry by arm: the plan's p99 per step", func(t *testing.T) {
		resp := h.queryData(t, ds, query{refID: "P", queryType: "telemetry_by_arm",
			model: map[string]any{"experiment": telemetryExperiment, "metric": "p99", "bucket": "1m"}, from: from, to: to})
		points := seriesPoints(t, response(t, resp, "P").Frames, "value")
		var want []float64
		if err := json.Unmarshal(fx.Verdicts["checkout/p99_steps"], &want); err != nil {
			t.Fatal(err)
		}
		control := points[labels("arm", "control", "metric", "p99")]
		if len(control) == 0 {
			t.Fatalf("no control series among %d", len(points))
		}
		for i, w := range want {
			ts := from.Add(time.Duration(i) * time.Minute).UnixNano()
			if got, ok := control[ts]; !ok || !near(got, w, 1e-12) {
				t.Errorf("control p99 step %d: plugin %v (present %v), fixture %v", i, got, ok, w)
			}
		}
	})

	t.Run("telemetry by arm: an ad-hoc expression", func(t *testing.T) {
		expr := `avg(checkout_latency_seconds{job="checkout"})`
		resp := h.queryData(t, ds, query{refID: "E", queryType: "telemetry_by_arm",
			model: map[string]any{"experiment": telemetryExperiment, "expr": expr, "bucket": "5m"}, from: from, to: to})
		dr := response(t, resp, "E")
		points := seriesPoints(t, dr.Frames, "value")
		// The same query as the plan's latency metric, read by the engine
		// in this process at the same step.
		p, err := plan.Load(telemetryPlanFile)
		if err != nil {
			t.Fatal(err)
		}
		p.Metrics[3].Prometheus.Step = plan.Duration(5 * time.Minute)
		src, err := telemetry.NewPrometheus(telemetry.PrometheusConfig{URL: prom.URL})
		if err != nil {
			t.Fatal(err)
		}
		want, err := engine.TelemetryByArm(context.Background(), p, "latency", src, from, to)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range want.Arms {
			got := points[labels("arm", a.Arm, "metric", expr)]
			if len(got) != len(a.Points) {
				t.Fatalf("%s: %d points, engine %d", a.Arm, len(got), len(a.Points))
			}
			for _, pt := range a.Points {
				if v := got[pt.Time.UnixNano()]; v != pt.Value {
					t.Errorf("%s at %s: plugin %v, engine %v", a.Arm, pt.Time, v, pt.Value)
				}
			}
		}
		if !strings.Contains(dr.Frames[0].Meta.ExecutedQueryString, expr) {
			t.Errorf("executed query %q does not show the expression", dr.Frames[0].Meta.ExecutedQueryString)
		}
	})

	t.Run("telemetry to behaviour: correlations and best lag as SciPy computes them", func(t *testing.T) {
		resp := h.queryData(t, ds, query{refID: "B", queryType: "telemetry_behaviour",
			model: map[string]any{"experiment": telemetryExperiment, "metric": "conversion",
				"expr": `avg(checkout_latency_seconds{job="checkout"})`, "bucket": "5m",
				"maxLag": (time.Duration(fx.MaxLagBuckets) * fx.bucket()).String()},
			from: from, to: to})
		dr := response(t, resp, "B")
		corr := frameNamed(t, dr.Frames, "correlation")
		for i := range mustRows(t, corr) {
			arm := column(t, corr, "arm").At(i).(string)
			want := fx.Behaviour[arm]
			for name, w := range map[string]float64{
				"buckets": float64(want.Buckets), "pearson_r": want.Pearson.R, "pearson_p_value": want.Pearson.P,
				"pearson_lower": want.Pearson.Lower, "pearson_upper": want.Pearson.Upper,
				"spearman_r": want.Spearman.R, "spearman_p_value": want.Spearman.P,
				"best_lag_seconds":      float64(want.BestLagBuckets) * fx.bucket().Seconds(),
				"best_lag_bonferroni_p": want.BonferroniP, "best_lag_shift_p": want.ShiftP,
			} {
				if got := float(t, column(t, corr, name), i); !near(got, w, 1e-9) {
					t.Errorf("%s %s: plugin %.12g, SciPy %.12g", arm, name, got, w)
				}
			}
		}
		scatter := frameNamed(t, dr.Frames, "scatter")
		if n := mustRows(t, scatter); n != fx.Behaviour["control"].Buckets+fx.Behaviour["treatment"].Buckets {
			t.Errorf("scatter has %d points", n)
		}
		checkGolden(t, "telemetry_behaviour", dr)
	})

	t.Run("comparison with telemetry verdicts", func(t *testing.T) {
		resp := h.queryData(t, ds, query{refID: "C", queryType: "comparison",
			model: map[string]any{"experiment": telemetryExperiment}, from: from, to: to})
		rows := frameNamed(t, response(t, resp, "C").Frames, "comparison")
		for _, key := range []string{"error_rate", "p99"} {
			var want telVerdict
			if err := json.Unmarshal(fx.Verdicts["checkout/"+key], &want); err != nil {
				t.Fatal(err)
			}
			found := false
			for i := range mustRows(t, rows) {
				if column(t, rows, "metric").At(i).(string) != key {
					continue
				}
				found = true
				if got := column(t, rows, "verdict").At(i).(string); got != want.Verdict {
					t.Errorf("%s verdict %s, fixture %s (%s)", key, got, want.Verdict, column(t, rows, "reason").At(i))
				}
				for name, w := range map[string]float64{"effect": want.Estimate, "effect_lower": want.Lower, "effect_upper": want.Upper} {
					if got := float(t, column(t, rows, name), i); !near(got, w, 1e-9) {
						t.Errorf("%s %s: plugin %.12g, fixture %.12g", key, name, got, w)
					}
				}
			}
			if !found {
				t.Errorf("no row for %s", key)
			}
		}
	})

	t.Run("annotations: deployments and stages", func(t *testing.T) {
		resp := h.queryData(t, ds, query{refID: "N", queryType: "annotations",
			model: map[string]any{"experiment": telemetryExperiment, "annotationKinds": []string{"deployments", "stages"}}, from: from, to: to})
		f := response(t, resp, "N").Frames[0]
		var deploys, stages []time.Time
		for i := range mustRows(t, f) {
			at := column(t, f, "time").At(i).(time.Time)
			switch column(t, f, "kind").At(i).(string) {
			case "deployments":
				deploys = append(deploys, at)
			case "stages":
				stages = append(stages, at)
			}
			if column(t, f, "title").At(i).(string) == "" || column(t, f, "text").At(i).(string) == "" {
				t.Errorf("annotation %d has no title or text", i)
			}
		}
		if len(deploys) != len(fx.Deployments) {
			t.Fatalf("deployments at %v, fixture %v", deploys, fx.Deployments)
		}
		for i, d := range fx.Deployments {
			if deploys[i].Unix() != d {
				t.Errorf("deployment %d at %s, fixture %s", i, deploys[i].UTC(), time.Unix(d, 0).UTC())
			}
		}
		canaryEnd := from.Add(time.Duration(fx.CanarySteps*fx.StepSeconds) * time.Second)
		if len(stages) != 2 || !stages[0].Equal(from) || !stages[1].Equal(canaryEnd) {
			t.Errorf("stage annotations at %v, want %s and %s", stages, from, canaryEnd)
		}
	})

	t.Run("a broken Prometheus is named by the health check and fails only telemetry", func(t *testing.T) {
		bad := withPrometheus("telemetry-down", "http://127.0.0.1:1")
		res := h.checkHealth(t, bad)
		if res.Status.String() == "OK" || !strings.Contains(res.Message, "FAILED Prometheus at http://127.0.0.1:1") ||
			!strings.Contains(res.Message, "OK event store") || !strings.Contains(res.Message, "OK liftgate exporter") {
			t.Fatalf("health %s: %s", res.Status, res.Message)
		}
		resp := h.queryData(t, bad,
			query{refID: "T", queryType: "telemetry_by_arm", model: map[string]any{"experiment": telemetryExperiment, "metric": "p99"}, from: from, to: to},
			query{refID: "S", queryType: "arm_series", model: map[string]any{"experiment": telemetryExperiment, "metric": "conversion", "bucket": "5m"}, from: from, to: to},
		)
		if dr := resp.Responses["T"]; dr.Error == nil || dr.ErrorSource != "downstream" || !strings.Contains(dr.Error.Error(), "127.0.0.1:1") {
			t.Errorf("telemetry query: %v (%s)", dr.Error, dr.ErrorSource)
		}
		response(t, resp, "S")
	})
}
