package collector

import (
	"bytes"
	"context"
	"math"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/liftgate/liftgate/exporter/evaluator"
	"github.com/liftgate/liftgate/exporter/internal/fixture"
	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
	"github.com/liftgate/liftgate/pkg/stats"
)

var (
	start  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	evalAt = start.Add(48 * time.Hour)
)

// setup evaluates two plans (one of them also defined, conflicting, in a
// second file) against a store whose events can be switched off.
func setup(t *testing.T) (*evaluator.Evaluator, *fixture.Switchable) {
	t.Helper()
	store, err := duckdb.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	evs := fixture.Events("exp-a", start, 1,
		fixture.Arm{Name: "control", Units: 500, PurchaseRate: 0.10},
		fixture.Arm{Name: "treatment", Units: 500, PurchaseRate: 0.25})
	evs = append(evs, fixture.Events("exp-b", start, 2,
		fixture.Arm{Name: "control", Units: 30, PurchaseRate: 0.5},
		fixture.Arm{Name: "treatment", Units: 30, PurchaseRate: 0.5})...)
	if _, err := store.Append(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	src := &fixture.Switchable{Source: store}
	dir := t.TempDir()
	fixture.WritePlan(t, dir, "a.yaml", fixture.PlanYAML("exp-a", start))
	fixture.WritePlan(t, dir, "b.yaml", fixture.PlanYAML("exp-b", start))
	fixture.WritePlan(t, dir, "c-copy-of-a.yaml", strings.Replace(fixture.PlanYAML("exp-a", start), "alpha: 0.05", "alpha: 0.1", 1))
	ev, err := evaluator.New(evaluator.Options{PlansDir: dir, Source: src, Interval: time.Minute, Now: func() time.Time { return evalAt }})
	if err != nil {
		t.Fatalf("New gave up on a duplicate id: %v", err) // it reports it and runs
	}
	for _, id := range []string{"exp-a", "exp-b"} {
		ev.EvaluateAt(context.Background(), id, evalAt)
	}
	return ev, src
}

func gather(t *testing.T, c prometheus.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("scrape failed: %v", err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// value finds the sample of family name whose labels include want.
func value(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		labels := map[string]string{}
		for _, lp := range m.GetLabel() {
			labels[lp.GetName()] = lp.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		if m.Gauge != nil {
			return m.GetGauge().GetValue(), true
		}
		return m.GetCounter().GetValue(), true
	}
	return 0, false
}

func TestMetricsPassLintAndPromtool(t *testing.T) {
	ev, _ := setup(t)
	c := New(ev, nil)
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: install Debian's prometheus package (CI does)")
	}
	var text bytes.Buffer
	enc := expfmt.NewEncoder(&text, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range gather(t, c) {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = &text
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestStateSetsHaveExactlyOneStateSet(t *testing.T) {
	ev, _ := setup(t)
	mfs := gather(t, New(ev, nil))
	ones := map[string]int{}
	for _, m := range mfs["liftgate_experiment_verdict"].GetMetric() {
		key := ""
		for _, lp := range m.GetLabel() {
			if lp.GetName() != "verdict" {
				key += lp.GetName() + "=" + lp.GetValue() + ","
			}
		}
		ones[key] += int(m.GetGauge().GetValue())
		if v := m.GetGauge().GetValue(); v != 0 && v != 1 {
			t.Errorf("verdict series %s = %v", key, v)
		}
	}
	// exp-a and exp-b, two metrics each, one treatment arm.
	if len(ones) != 4 {
		t.Errorf("%d verdict label sets, want 4: %v", len(ones), ones)
	}
	for k, n := range ones {
		if n != 1 {
			t.Errorf("%s has %d states at 1, want exactly one", k, n)
		}
	}
	if got := len(mfs["liftgate_experiment_verdict"].GetMetric()); got != 4*len(stats.AllVerdicts()) {
		t.Errorf("%d verdict series, want every state of every label set (%d)", got, 4*len(stats.AllVerdicts()))
	}
	for _, id := range []string{"exp-a", "exp-b"} {
		sum := 0.0
		for _, d := range []string{"proceed", "hold", "rollback"} {
			v, ok := value(mfs, "liftgate_experiment_decision", map[string]string{"experiment": id, "decision": d})
			if !ok {
				t.Errorf("%s: decision %s missing", id, d)
			}
			sum += v
		}
		if sum != 1 {
			t.Errorf("%s: %v decision states at 1, want exactly one", id, sum)
		}
	}
	// exp-b has 30 units per arm, under min_units_per_arm: insufficient data.
	if v, _ := value(mfs, "liftgate_experiment_verdict", map[string]string{"experiment": "exp-b", "metric": "purchase_conversion", "verdict": "insufficient_data"}); v != 1 {
		t.Error("exp-b (30 units per arm) must show insufficient_data")
	}
}

func TestNumbersComeFromTheResult(t *testing.T) {
	ev, _ := setup(t)
	mfs := gather(t, New(ev, nil))
	x, _ := ev.Experiment("exp-a")
	r := x.Last.Result
	conv := r.Results[0]
	if conv.Metric != "purchase_conversion" {
		t.Fatalf("unexpected result order: %s", conv.Metric)
	}
	lbl := map[string]string{"experiment": "exp-a", "metric": "purchase_conversion", "arm": "treatment"}
	for name, want := range map[string]float64{
		"liftgate_experiment_absolute_effect":                   conv.Absolute.Estimate,
		"liftgate_experiment_absolute_effect_lower_bound":       conv.Absolute.CILower,
		"liftgate_experiment_absolute_effect_upper_bound":       conv.Absolute.CIUpper,
		"liftgate_experiment_relative_effect_ratio":             conv.Relative.Estimate,
		"liftgate_experiment_relative_effect_lower_bound_ratio": conv.Relative.CILower,
		"liftgate_experiment_p_value":                           conv.PValue,
		"liftgate_experiment_adjusted_p_value":                  conv.AdjustedPValue,
		"liftgate_experiment_metric_estimate":                   conv.ArmStats.Mean,
	} {
		got, ok := value(mfs, name, lbl)
		if !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	// The control's estimate appears once, under arm=control.
	if got, _ := value(mfs, "liftgate_experiment_metric_estimate", map[string]string{"experiment": "exp-a", "metric": "purchase_conversion", "arm": "control"}); got != conv.BaselineStats.Mean {
		t.Errorf("control estimate = %v, want %v", got, conv.BaselineStats.Mean)
	}
	// Cross-check against the generated data: units per arm are what was exposed.
	for _, arm := range []string{"control", "treatment"} {
		if got, _ := value(mfs, "liftgate_experiment_arm_units", map[string]string{"experiment": "exp-a", "arm": arm}); got != 500 {
			t.Errorf("units of %s = %v, want the 500 generated", arm, got)
		}
	}
	if got, _ := value(mfs, "liftgate_last_evaluation_timestamp_seconds", map[string]string{"experiment": "exp-a"}); got != float64(evalAt.Unix()) {
		t.Errorf("evaluation timestamp = %v, want %v", got, evalAt.Unix())
	}
	if got, _ := value(mfs, "liftgate_experiment_significance_level", map[string]string{"experiment": "exp-a"}); got != 0.05 {
		t.Errorf("alpha = %v, want 0.05 from a.yaml (not 0.1 from the duplicate)", got)
	}
}

func TestDuplicatePlanFileIsReportedNotExported(t *testing.T) {
	ev, _ := setup(t)
	mfs := gather(t, New(ev, nil))
	if n := len(mfs["liftgate_experiment_info"].GetMetric()); n != 2 {
		t.Errorf("%d experiment_info series, want 2 (exp-a once, exp-b)", n)
	}
	if v, _ := value(mfs, "liftgate_plan_file_status", map[string]string{"file": "c-copy-of-a.yaml", "status": "duplicate"}); v != 1 {
		t.Error("the duplicate file is not flagged")
	}
	if v, ok := value(mfs, "liftgate_plans_last_reload_successful", nil); !ok || v != 0 {
		t.Errorf("plans_last_reload_successful = %v, want 0", v)
	}
}

func TestFailedEvaluationExportsNoStaleNumbers(t *testing.T) {
	ev, src := setup(t)
	src.SetDown(true)
	ev.EvaluateAt(context.Background(), "exp-a", evalAt.Add(time.Minute))
	mfs := gather(t, New(ev, nil))
	a := map[string]string{"experiment": "exp-a"}
	if v, _ := value(mfs, "liftgate_last_evaluation_success", a); v != 0 {
		t.Error("last_evaluation_success must be 0")
	}
	if v, _ := value(mfs, "liftgate_evaluation_errors_total", a); v != 1 {
		t.Errorf("evaluation_errors_total = %v, want 1", v)
	}
	for _, name := range []string{"liftgate_experiment_absolute_effect", "liftgate_experiment_arm_units", "liftgate_experiment_srm_p_value"} {
		if _, ok := value(mfs, name, a); ok {
			t.Errorf("%s still exported for a failed evaluation", name)
		}
	}
	if v, _ := value(mfs, "liftgate_experiment_verdict", map[string]string{"experiment": "exp-a", "metric": "purchase_conversion", "verdict": "insufficient_data"}); v != 1 {
		t.Error("verdict must be insufficient_data while the store is down")
	}
	if v, _ := value(mfs, "liftgate_experiment_decision", map[string]string{"experiment": "exp-a", "decision": "hold"}); v != 1 {
		t.Error("decision must be hold while the store is down")
	}
	// exp-b was not re-evaluated: its last evaluation still counts.
	if v, _ := value(mfs, "liftgate_last_evaluation_success", map[string]string{"experiment": "exp-b"}); v != 1 {
		t.Error("exp-b's own evaluation succeeded")
	}
}

// fakeSnapshot serves a fixed snapshot.
type fakeSnapshot struct{ s evaluator.Snapshot }

func (f fakeSnapshot) Snapshot() evaluator.Snapshot { return f.s }

// Even a snapshot carrying the same experiment twice (a bug elsewhere) must
// scrape: duplicates are dropped, not fatal.
func TestDuplicateLabelSetsNeverBreakAScrape(t *testing.T) {
	ev, _ := setup(t)
	s := ev.Snapshot()
	s.Experiments = append(s.Experiments, s.Experiments...)
	s.Files = append(s.Files, s.Files...)
	mfs := gather(t, New(fakeSnapshot{s}, nil))
	if n := len(mfs["liftgate_experiment_info"].GetMetric()); n != 2 {
		t.Errorf("%d experiment_info series, want the 2 distinct ones", n)
	}
}

func TestNonFiniteValuesAreAbsent(t *testing.T) {
	ev, _ := setup(t)
	s := ev.Snapshot()
	x := s.Experiments[0]
	res := *x.Last.Result
	res.Results = append(res.Results[:0:0], res.Results...)
	res.Results[0].PValue = math.NaN()
	res.Results[0].Absolute.CIUpper = math.Inf(1)
	last := *x.Last
	last.Result = &res
	x.Last = &last
	s.Experiments = []evaluator.ExperimentView{x}
	mfs := gather(t, New(fakeSnapshot{s}, nil))
	lbl := map[string]string{"experiment": x.Plan.ID, "metric": res.Results[0].Metric, "arm": res.Results[0].Arm}
	for _, name := range []string{"liftgate_experiment_p_value", "liftgate_experiment_absolute_effect_upper_bound"} {
		if v, ok := value(mfs, name, lbl); ok {
			t.Errorf("%s = %v exported; a non-finite value must be absent", name, v)
		}
	}
	if _, ok := value(mfs, "liftgate_experiment_absolute_effect", lbl); !ok {
		t.Error("the finite estimate must stay")
	}
}

// BenchmarkScrape100 measures one /metrics gather with 100 evaluated
// experiments (docs/performance.md).
func BenchmarkScrape100(b *testing.B) {
	store, err := duckdb.Open("")
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	dir := b.TempDir()
	ids := fixture.ManyExperiments(b, dir, 100, start, func(evs []events.Event) error {
		_, err := store.Append(context.Background(), evs)
		return err
	})
	ev, err := evaluator.New(evaluator.Options{PlansDir: dir, Source: store, Now: func() time.Time { return evalAt }})
	if err != nil {
		b.Fatal(err)
	}
	for _, id := range ids {
		ev.EvaluateAt(context.Background(), id, evalAt)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(New(ev, nil))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mfs, err := reg.Gather()
		if err != nil || len(mfs) == 0 {
			b.Fatal(err)
		}
	}
}
