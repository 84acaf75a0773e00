package engine

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liftgate/liftgate/internal/testserver"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/plan"
	"github.com/liftgate/liftgate/pkg/stats"
	"github.com/liftgate/liftgate/pkg/telemetry"
)

// telFixture is testdata/telemetry/fixture.json, written with the
// OpenMetrics data by testdata/telemetry/generate.py.
type telFixture struct {
	Start         int64 `json:"start"`
	StepSeconds   int   `json:"step_seconds"`
	Steps         int   `json:"steps"`
	BucketSteps   int   `json:"bucket_steps"`
	CanarySteps   int   `json:"canary_steps"`
	MaxLagBuckets int   `json:"max_lag_buckets"`
	Product       map[string][]struct {
		Units       float64 `json:"units"`
		Conversions float64 `json:"conversions"`
	} `json:"product"`
	Verdicts  map[string]json.RawMessage `json:"verdicts"`
	Traffic   map[string]map[string]telTrafficArm
	Behaviour map[string]struct {
		Buckets int `json:"buckets"`
		Pearson struct {
			R, P, Lower, Upper float64
		} `json:"pearson"`
		Spearman struct{ R, P float64 } `json:"spearman"`
		Lags     []struct {
			Lag int     `json:"lag"`
			R   float64 `json:"r"`
			N   int     `json:"n"`
		} `json:"lags"`
		BestLagBuckets int     `json:"best_lag_buckets"`
		BonferroniP    float64 `json:"bonferroni_p"`
		Shifts         int     `json:"shifts"`
		ShiftP         float64 `json:"shift_p"`
	} `json:"behaviour"`
	Deployments []int64 `json:"deployments"`
}

type telTrafficArm struct {
	Requests       float64 `json:"requests"`
	ObservedWeight float64 `json:"observed_weight"`
	ExpectedWeight float64 `json:"expected_weight"`
}

type telVerdict struct {
	Verdict       stats.Verdict `json:"verdict"`
	Estimate      float64       `json:"estimate"`
	Lower         float64       `json:"lower"`
	Upper         float64       `json:"upper"`
	PValue        float64       `json:"p_value"`
	Batches       int           `json:"batches"`
	ControlMean   float64       `json:"control_mean"`
	TreatmentMean float64       `json:"treatment_mean"`
}

func loadTelFixture(t *testing.T) (telFixture, []byte) {
	t.Helper()
	dir := filepath.Join("testdata", "telemetry")
	raw, err := os.ReadFile(filepath.Join(dir, "fixture.json"))
	if err != nil {
		t.Fatalf("%v (regenerate with /usr/bin/python3 pkg/engine/testdata/telemetry/generate.py)", err)
	}
	var fx telFixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "fixture.om.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	om, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return fx, om
}

// telPlanYAML is the plan behind the fixture; requests is the traffic
// selector under test.
func telPlanYAML(requests string) string {
	return `id: telemetry-fixture
start: 2026-11-01T00:00:00Z
control: control
arms: [{name: control, weight: 0.5}, {name: treatment, weight: 0.5}]
exposure: {event: exposure, experiment_property: experiment, arm_property: variant}
analysis: {min_units_per_arm: 10}
telemetry:
  arm_label: variant
  step: 1m
  requests: '` + requests + `'
  deployments: 'changes(build_info{job="checkout"}[5m]) > 0'
stages:
  - {name: canary, weights: {control: 0.9, treatment: 0.1}, min_duration: 2h}
  - {name: half, weights: {control: 0.5, treatment: 0.5}, min_duration: 4h}
metrics:
  - {name: conversion, role: primary, kind: conversion, event: purchase, direction: increase}
  - name: error_rate
    role: guardrail
    kind: prometheus
    direction: decrease
    prometheus: {numerator: 'http_requests_total{job="checkout",code="500"}', denominator: 'http_requests_total{job="checkout"}'}
  - name: p99
    role: guardrail
    kind: prometheus
    direction: decrease
    prometheus: {histogram: 'http_request_duration_seconds_bucket{job="checkout"}', quantile: 0.99}
  - name: aa_error_rate
    role: guardrail
    kind: prometheus
    direction: decrease
    prometheus: {numerator: 'http_requests_total{job="checkout-aa",code="500"}', denominator: 'http_requests_total{job="checkout-aa"}'}
  - name: aa_p99
    role: guardrail
    kind: prometheus
    direction: decrease
    prometheus: {histogram: 'http_request_duration_seconds_bucket{job="checkout-aa"}', quantile: 0.99}
  - name: latency
    role: secondary
    kind: prometheus
    direction: decrease
    prometheus: {query: 'avg(checkout_latency_seconds{job="checkout"})', method: mann_whitney}
`
}

// fixtureEvents serves the fixture's product metric as an event store would:
// units per arm and stage, and conversions per arm and 5-minute bucket of
// first exposure. It is a fake because the product side is not under test
// here; the stores have their own tests.
type fixtureEvents struct {
	fx     telFixture
	bucket time.Duration
}

func (f fixtureEvents) Name() string { return "fixture-events" }
func (f fixtureEvents) Close() error { return nil }

func (f fixtureEvents) bucketStart(b int) time.Time {
	return time.Unix(f.fx.Start, 0).UTC().Add(time.Duration(b) * f.bucket)
}

func (f fixtureEvents) stage(b int) int {
	if b*f.fx.BucketSteps < f.fx.CanarySteps {
		return 0
	}
	return 1
}

func (f fixtureEvents) Exposures(ctx context.Context, s events.Scope) (events.ExposureCounts, error) {
	var out events.ExposureCounts
	for arm, rows := range f.fx.Product {
		for b, r := range rows {
			if !f.bucketStart(b).Before(s.End) {
				continue
			}
			g := events.GroupCount{GroupKey: events.GroupKey{Arm: arm, Stage: f.stage(b)}, Units: int64(r.Units)}
			if s.Bucket > 0 {
				g.Bucket = f.bucketStart(b)
			}
			out.Groups = append(out.Groups, g)
		}
	}
	return out, nil
}

func (f fixtureEvents) MetricSums(ctx context.Context, s events.Scope, m events.Metric) ([]events.GroupSums, error) {
	if s.Bucket != 0 && s.Bucket != f.bucket {
		return nil, io.ErrUnexpectedEOF // the fixture has 5-minute buckets only
	}
	var out []events.GroupSums
	for arm, rows := range f.fx.Product {
		for b, r := range rows {
			if !f.bucketStart(b).Before(s.End) {
				continue
			}
			g := events.GroupSums{GroupKey: events.GroupKey{Arm: arm, Stage: f.stage(b)},
				Sums: stats.ArmSums{N: r.Units, SumY: r.Conversions, SumY2: r.Conversions}}
			if s.Bucket > 0 {
				g.Bucket = f.bucketStart(b)
			}
			out = append(out, g)
		}
	}
	return out, nil
}

func parseTelPlan(t *testing.T, src string) *plan.Plan {
	t.Helper()
	p, err := plan.Parse([]byte(src), "telemetry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func resultFor(t *testing.T, res *Result, metric string) MetricResult {
	t.Helper()
	for _, r := range res.Results {
		if r.Metric == metric && r.SegmentValue == nil {
			return r
		}
	}
	t.Fatalf("no result for %s", metric)
	return MetricResult{}
}

func near(got, want, rel, abs float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(got), math.Abs(want))+abs
}

// TestTelemetryAgainstPrometheus runs the telemetry features against a real
// Prometheus filled with the fixture, and checks them against the values
// generate.py computed from the same samples.
func TestTelemetryAgainstPrometheus(t *testing.T) {
	fx, om := loadTelFixture(t)
	server := testserver.StartPrometheus(t, om)
	src, err := telemetry.NewPrometheus(telemetry.PrometheusConfig{URL: server.URL})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Unix(fx.Start, 0).UTC()
	at := start.Add(time.Duration(fx.Steps*fx.StepSeconds) * time.Second)
	ev := fixtureEvents{fx: fx, bucket: time.Duration(fx.BucketSteps*fx.StepSeconds) * time.Second}
	ctx := context.Background()

	t.Run("verdicts", func(t *testing.T) {
		p := parseTelPlan(t, telPlanYAML(`http_requests_total{job="checkout"}`))
		res, err := Analyze(ctx, p, ev, Options{At: at, Telemetry: src})
		if err != nil {
			t.Fatal(err)
		}
		for metric, key := range map[string]string{
			"error_rate": "checkout/error_rate", "p99": "checkout/p99",
			"aa_error_rate": "checkout-aa/error_rate", "aa_p99": "checkout-aa/p99",
		} {
			var want telVerdict
			if err := json.Unmarshal(fx.Verdicts[key], &want); err != nil {
				t.Fatal(err)
			}
			got := resultFor(t, res, metric)
			if got.Verdict != want.Verdict {
				t.Errorf("%s: verdict %s, want %s (%s)", metric, got.Verdict, want.Verdict, got.Reason)
				continue
			}
			for _, c := range []struct {
				what      string
				got, want float64
			}{
				{"estimate", got.Absolute.Estimate, want.Estimate},
				{"lower", got.Absolute.CILower, want.Lower},
				{"upper", got.Absolute.CIUpper, want.Upper},
				{"p", got.PValue, want.PValue},
				{"control mean", got.BaselineStats.Mean, want.ControlMean},
				{"treatment mean", got.ArmStats.Mean, want.TreatmentMean},
				{"batches", got.ArmStats.N, float64(want.Batches)},
			} {
				if !near(c.got, c.want, 1e-9, 1e-12) {
					t.Errorf("%s: %s = %.12g, want %.12g", metric, c.what, c.got, c.want)
				}
			}
		}
		if res.Decision.Action != ActionRollback {
			t.Errorf("decision %s, want rollback for the harmful guardrails: %v", res.Decision.Action, res.Decision.Reasons)
		}
		// Kayenta mode on the latency gauge: every point of 6 hours.
		if got := resultFor(t, res, "latency"); got.Verdict != stats.Harmful || !strings.Contains(got.Reason, "Kayenta") {
			t.Errorf("latency (mann_whitney, treatment 30%% slower): %s %s", got.Verdict, got.Reason)
		}
	})

	t.Run("traffic", func(t *testing.T) {
		for _, tc := range []struct {
			job    string
			status string
		}{{"checkout", TrafficOK}, {"skewed", TrafficMismatch}, {"lonely", TrafficInsufficientData}} {
			p := parseTelPlan(t, telPlanYAML(`http_requests_total{job="`+tc.job+`"}`))
			res, err := Analyze(ctx, p, ev, Options{At: at, Telemetry: src})
			if err != nil {
				t.Fatal(err)
			}
			tr := res.Traffic
			if tr == nil || tr.Status != tc.status {
				t.Errorf("%s: traffic %+v, want %s", tc.job, tr, tc.status)
				continue
			}
			for _, a := range tr.Arms {
				want, ok := fx.Traffic[tc.job][a.Name]
				if !ok {
					if a.Requests != 0 {
						t.Errorf("%s: arm %s has %g requests, want none", tc.job, a.Name, a.Requests)
					}
					continue
				}
				if a.Requests != want.Requests || (tc.status != TrafficInsufficientData &&
					(!near(a.ObservedWeight, want.ObservedWeight, 1e-12, 0) || !near(a.ExpectedWeight, want.ExpectedWeight, 1e-12, 0))) {
					t.Errorf("%s %s: %+v, want %+v", tc.job, a.Name, a, want)
				}
			}
			er := resultFor(t, res, "error_rate")
			switch tc.status {
			case TrafficMismatch:
				if er.Verdict != stats.InsufficientData || !strings.Contains(er.Reason, "traffic split") {
					t.Errorf("skewed traffic: error_rate %s %q, want insufficient_data", er.Verdict, er.Reason)
				}
			case TrafficInsufficientData:
				if !strings.Contains(tr.Reason, "no requests from arm treatment") || er.Verdict != stats.Harmful {
					t.Errorf("lonely: reason %q, error_rate %s", tr.Reason, er.Verdict)
				}
			}
		}
	})

	t.Run("behaviour", func(t *testing.T) {
		p := parseTelPlan(t, telPlanYAML(`http_requests_total{job="checkout"}`))
		res, err := TelemetryBehaviour(ctx, p, ev, src, BehaviourOptions{
			Telemetry: "latency", Product: "conversion", Bucket: ev.bucket,
			MaxLag: time.Duration(fx.MaxLagBuckets) * ev.bucket, To: at,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, ab := range res.Arms {
			want := fx.Behaviour[ab.Arm]
			if ab.Buckets != want.Buckets || len(ab.Scatter) != want.Buckets {
				t.Errorf("%s: %d buckets, %d scatter points, want %d", ab.Arm, ab.Buckets, len(ab.Scatter), want.Buckets)
			}
			check := func(what string, got, w float64) {
				if !near(got, w, 1e-9, 1e-14) {
					t.Errorf("%s %s = %.12g, want %.12g (SciPy)", ab.Arm, what, got, w)
				}
			}
			check("pearson r", ab.Pearson.R, want.Pearson.R)
			check("pearson p", ab.Pearson.PValue, want.Pearson.P)
			check("pearson lower", ab.Pearson.Lower, want.Pearson.Lower)
			check("pearson upper", ab.Pearson.Upper, want.Pearson.Upper)
			check("spearman r", ab.Spearman.R, want.Spearman.R)
			check("spearman p", ab.Spearman.PValue, want.Spearman.P)
			for i, l := range want.Lags {
				check("lag r", ab.LeadLag.Lags[i].R, l.R)
			}
			if ab.BestLag != time.Duration(want.BestLagBuckets)*ev.bucket {
				t.Errorf("%s: best lag %s, want %d buckets", ab.Arm, ab.BestLag, want.BestLagBuckets)
			}
			check("bonferroni p", ab.LeadLag.BonferroniP, want.BonferroniP)
			check("shift p", ab.LeadLag.ShiftP, want.ShiftP)
			if ab.LeadLag.Shifts != want.Shifts {
				t.Errorf("%s: %d shifts, want %d", ab.Arm, ab.LeadLag.Shifts, want.Shifts)
			}
		}
	})

	t.Run("markers", func(t *testing.T) {
		p := parseTelPlan(t, telPlanYAML(`http_requests_total{job="checkout"}`))
		markers, err := Markers(ctx, p, src, start, at)
		if err != nil {
			t.Fatal(err)
		}
		var deploys, stages []time.Time
		for _, m := range markers {
			switch m.Kind {
			case telemetry.MarkerDeployment:
				deploys = append(deploys, m.Time)
			case telemetry.MarkerStage:
				stages = append(stages, m.Time)
			}
		}
		if len(deploys) != len(fx.Deployments) {
			t.Fatalf("deployments at %v, want %v", deploys, fx.Deployments)
		}
		for i, d := range fx.Deployments {
			if !deploys[i].Equal(time.Unix(d, 0)) {
				t.Errorf("deployment %d at %s, want %s", i, deploys[i], time.Unix(d, 0).UTC())
			}
		}
		wantStages := []time.Time{start, start.Add(time.Duration(fx.CanarySteps) * time.Minute)}
		if len(stages) != 2 || !stages[0].Equal(wantStages[0]) || !stages[1].Equal(wantStages[1]) {
			t.Errorf("stage markers %v, want %v", stages, wantStages)
		}
	})

	t.Run("p99 per step", func(t *testing.T) {
		p := parseTelPlan(t, telPlanYAML(`http_requests_total{job="checkout"}`))
		series, err := TelemetryByArm(ctx, p, "p99", src, start, at)
		if err != nil {
			t.Fatal(err)
		}
		var want []float64
		if err := json.Unmarshal(fx.Verdicts["checkout/p99_steps"], &want); err != nil {
			t.Fatal(err)
		}
		got := series.Arms[0].Points
		for i, w := range want {
			if !got[i].Time.Equal(start.Add(time.Duration(i)*time.Minute)) || !near(got[i].Value, w, 1e-12, 0) {
				t.Errorf("control p99 step %d: %v, want %g", i, got[i], w)
			}
		}
	})

	t.Run("bucket quantile matches histogram_quantile", func(t *testing.T) {
		// Prometheus's own histogram_quantile on the raw cumulative buckets
		// at a few instants, against BucketQuantile on the same buckets.
		sel := `http_request_duration_seconds_bucket{job="checkout",variant="treatment"}`
		for _, q := range []float64{0.5, 0.9, 0.99} {
			r := telemetry.Range{Start: start.Add(30 * time.Minute), End: start.Add(5 * time.Hour), Step: 90 * time.Minute}
			server, err := src.QueryRange(ctx, `histogram_quantile(`+strconv.FormatFloat(q, 'g', -1, 64)+`, sum by (le) (`+sel+`))`, r)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := src.QueryRange(ctx, sel, r)
			if err != nil {
				t.Fatal(err)
			}
			if len(server) != 1 || len(raw) != 7 {
				t.Fatalf("got %d and %d series", len(server), len(raw))
			}
			for i, sp := range server[0].Points {
				var bounds, counts []float64
				for _, s := range raw {
					b, _ := strconv.ParseFloat(s.Labels["le"], 64)
					bounds = append(bounds, b)
					counts = append(counts, s.Points[i].V)
				}
				got, ok := telemetry.BucketQuantile(q, bounds, counts)
				if !ok || !near(got, sp.V, 1e-12, 0) {
					t.Errorf("q %g at %s: %g, Prometheus %g", q, sp.T, got, sp.V)
				}
			}
		}
	})
}
